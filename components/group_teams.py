"""Teams that are OpenAI groups: ``group`` (the stack manages the group and its users) and
``external_group`` (an existing group, never written to, only granted projects).

A group-team is declared as one ``Group`` named ``group/{group}``, one ``GroupUser`` per
member, ``group/{group}/{member}``, and one ``ProjectGroup`` per grant, ``{project_id}/group/{group}``:
named after what they manage, like memberships, never after the team.

A person a group-team reaches a project through, who also has a membership there from a
per-person team, keeps both: the membership and the group's grant are independent in the API
(behaviour.py), so the stack manages both, and removing one leaves the other. The preview
says so, one line per such person and project.

Switching a team between per-person memberships and a group (either way) never leaves anyone
without access: the engine deletes the resources a program no longer declares only after it
has created and updated every resource the program declares, so the group, its users and its
grant exist before the memberships they replace are removed (and the other way round).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pulumi

from ..providers.group import Group, GroupArgs
from ..providers.group_user import GroupUser, GroupUserArgs
from ..providers.project_group import ProjectGroup, ProjectGroupArgs
from . import expiry
from .access_spec import AccessSpec, Member
from .declared_projects import DeclaredProjects
from .grant_merge import MemberAccess, member_identities


@dataclass(frozen=True)
class GroupGrant:
    project_id: str
    role: str
    extra_roles: tuple[str, ...]


@dataclass(frozen=True)
class GroupTeam:
    """A group-team as declared at one instant: expired members and grants left out."""

    team: str
    group: str  # the name; for an external group, its name or id
    external: bool
    members: tuple[Member, ...]
    grants: tuple[GroupGrant, ...]


def group_teams(spec: AccessSpec, now: dt.datetime) -> list[GroupTeam]:
    identify = member_identities(spec)
    found = []
    for name, team in spec.teams.items():
        group = team.group_reference
        if group is None:
            continue
        members = tuple(identify(member) for member in team.members
                        if _active(now, team.expires, member.expires))
        grants = tuple(GroupGrant(project_id, grant.role, tuple(sorted(grant.roles)))
                       for project_id, grant in sorted(team.grants.items())
                       if _active(now, team.expires, grant.expires))
        found.append(GroupTeam(name, group, team.external_group is not None, members, grants))
    return found


def _active(now: dt.datetime, *ends: dt.datetime | None) -> bool:
    end = expiry.earliest(*ends)
    return end is None or end > now


def group_name(team: GroupTeam) -> str:
    return f"group/{team.group}"


def grant_name(project_id: str, team: GroupTeam) -> str:
    return f"{project_id}/group/{team.group}"


@dataclass
class DeclaredGroup:
    team: GroupTeam
    group: Group
    users: dict[str, GroupUser]
    grants: dict[str, ProjectGroup]  # by project id

    def resources(self) -> list[pulumi.Resource]:
        return [self.group, *self.users.values(), *self.grants.values()]

    def named_grants(self) -> list[tuple[str, ProjectGroup]]:
        """The grants by resource name (``{project_id}/group/{group}``)."""
        return [(grant_name(project_id, self.team), grant) for project_id, grant in self.grants.items()]


def declare_group_team(team: GroupTeam, adopt: bool, projects: DeclaredProjects,
                       opts: pulumi.ResourceOptions) -> DeclaredGroup:
    """``projects`` resolves a project (and its roles) as the spec writes it, an id or a
    declared project's key, to ids."""
    group = Group(group_name(team), GroupArgs(name=team.group, adopt=adopt, external=team.external), opts)
    users = {
        member.key: GroupUser(f"{group_name(team)}/{member.key}", GroupUserArgs(
            group_id=group.group_id,
            **({"user_id": member.user_id} if member.user_id else {"email": member.email})), opts)
        for member in team.members
    }
    grants = {
        grant.project_id: ProjectGroup(grant_name(grant.project_id, team), ProjectGroupArgs(
            project_id=projects.project_id(grant.project_id), group_id=group.group_id, role=grant.role,
            roles=projects.role_ids(grant.project_id, grant.extra_roles), adopt=adopt), opts)
        for grant in team.grants
    }
    return DeclaredGroup(team, group, users, grants)


def group_access_summary(teams: list[GroupTeam]) -> dict[str, dict[str, dict[str, Any]]]:
    """project → group → role, extra roles, team, members (None for an external group)."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for team in teams:
        for grant in team.grants:
            summary.setdefault(grant.project_id, {})[team.group] = {
                "role": grant.role, "roles": list(grant.extra_roles), "team": team.team,
                "members": None if team.external else [member.key for member in team.members],
            }
    return summary


def both_ways(teams: list[GroupTeam], memberships: list[MemberAccess]) -> list[str]:
    """One line per person a group-team and a per-person membership both give a project."""
    direct = {(grant.project_id, grant.member.key): grant for grant in memberships}
    lines = []
    for team in teams:
        for grant in team.grants:
            for member in team.members:
                membership = direct.get((grant.project_id, member.key))
                if membership is not None:
                    lines.append(
                        f"{grant.project_id}/{member.key}: both a membership ({membership.role}, from "
                        f"{', '.join(membership.teams)}) and group {team.group!r} ({grant.role}, team {team.team}) "
                        "give access; the stack manages both, and removing one leaves the other")
    return lines
