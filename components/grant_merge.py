"""Merging teams' grants into exactly one grant per (project, member).

Teams overlap: one person in two teams that both reach a project must still have exactly
one membership there, or two resources would fight over it. The highest role wins
(owner over member), extra roles are the union, and the teams are kept for the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .access_spec import AccessSpec, AccessSpecError, Member

ROLE_RANK = {"member": 0, "owner": 1}


@dataclass(frozen=True)
class MemberAccess:
    """What one member gets in one project, merged over every team that grants it."""

    project_id: str
    member: Member
    role: str
    extra_roles: tuple[str, ...]
    teams: tuple[str, ...]


def merge_grants(spec: AccessSpec) -> list[MemberAccess]:
    identify = _member_identities(spec)
    merged: dict[tuple[str, str], MemberAccess] = {}
    for team_name, team in spec.teams.items():
        for member in map(identify, team.members):
            for project_id, grant in team.grants.items():
                key = (project_id, member.key)
                previous = merged.get(key)
                if previous is None:
                    merged[key] = MemberAccess(project_id, member, grant.role, tuple(sorted(grant.roles)), (team_name,))
                    continue
                merged[key] = MemberAccess(
                    project_id,
                    member,
                    max(previous.role, grant.role, key=ROLE_RANK.__getitem__),
                    tuple(sorted(set(previous.extra_roles) | set(grant.roles))),
                    tuple(sorted(set(previous.teams) | {team_name})),
                )
    return [merged[key] for key in sorted(merged)]


def _member_identities(spec: AccessSpec) -> Callable[[Member], Member]:
    """One identity per person across all teams.

    A member listed with both email and user id links the two, so that the same person
    named by email in one team and by id in another is recognised. One email with two ids
    (or the reverse), or a member listed twice in one team, is an error.
    """
    id_by_email: dict[str, str] = {}
    email_by_id: dict[str, str] = {}
    problems: list[str] = []
    for team_name, team in spec.teams.items():
        listed: set[str] = set()
        for index, member in enumerate(team.members):
            where = f"teams.{team_name}.members.{index}"
            if member.key in listed:
                problems.append(f"{where}: {member} is listed twice in team {team_name!r}")
            listed.add(member.key)
            if member.email and member.user_id:
                email = member.email.casefold()
                known_id = id_by_email.setdefault(email, member.user_id)
                known_email = email_by_id.setdefault(member.user_id, email)
                if known_id != member.user_id or known_email != email:
                    problems.append(
                        f"{where}: {member.email} / {member.user_id} conflicts with {email} / {known_id} "
                        f"or {known_email} / {member.user_id} elsewhere: one person has one email and one user id"
                    )
    if problems:
        raise AccessSpecError(problems)

    def identify(member: Member) -> Member:
        email = member.email.casefold() if member.email else email_by_id.get(member.user_id or "")
        return Member(email=email, user_id=member.user_id or id_by_email.get(email or ""))

    return identify
