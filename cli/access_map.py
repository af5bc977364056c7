"""Who has what where: people x projects, one cell per membership, declared or live.

The model of ``openai-access report``, built from the spec (as the stack program merges it),
the live organization and the audit of the one against the other; it knows nothing of HTML.
Each cell says the role, the extra roles, what gives them (``via``: the teams that grant them,
and any other source a spec may have, such as a group), until when they are declared
(``ends``), and how the cell stands against the organization (``status``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Mapping

from ..components import expiry
from ..components.access_spec import AccessSpec
from ..components.grant_merge import MemberAccess, merge_grants
from ..components.group_teams import GroupTeam, group_teams
from .audit import AuditResult, Difference
from .group_audit import find_live_group
from .live_groups import LiveGroup
from .live_org import LiveMembership, LiveOrganization

# How a cell stands, as the legend names them (the order of the legend).
STATUS_TEXT = {
    "in_sync": "in sync",
    "differs": "differs (role or extra roles)",
    "missing": "declared, missing",
    "invited": "declared, invited, not joined yet",
    "undeclared": "not declared, left alone",
    "removed": "not declared, removed by the next up (exclusive project)",
    "kept": "not declared, kept by a rail",
    "expired": "expired, removed by the next up",
}
CELL_DIFFERENCES = ("role_differs", "missing_extra_role", "undeclared_extra_role", "expired_extra_role")
# What the audit found of a group-team's grant, shown in each of its members' cells.
GROUP_GRANT_DIFFERENCES = ("group_role_differs", "missing_group_extra_role")


@dataclass(frozen=True)
class Cell:
    role: str  # live, or the declared one when the member is missing
    extra_roles: tuple[str, ...]
    status: str  # a key of STATUS_TEXT
    via: tuple[str, ...] = ()  # what gives the access: "team storefront", "group eng", ...
    ends: dt.datetime | None = None  # when the declared access ends; None: never
    ending_soon: bool = False  # ends within ENDING_SOON_DAYS
    note: str = ""  # what differs, or why kept


@dataclass(frozen=True)
class Person:
    key: str  # as the spec names them: email (lower case), else user id
    name: str | None = None


@dataclass(frozen=True)
class AccessMap:
    projects: Mapping[str, str]  # id -> name, sorted by name
    people: tuple[Person, ...]  # sorted by key
    cells: Mapping[tuple[str, str], Cell]  # (person key, project id) -> cell
    teams: tuple[str, ...]  # every source named in a ``via``, sorted

    @property
    def memberships(self) -> int:
        return len(self.cells)


def build_access_map(
    spec: AccessSpec, org: LiveOrganization, result: AuditResult, user_id_for_email: Callable[[str], str | None],
    *, names: Mapping[str, str] | None = None, now: dt.datetime | None = None,
) -> AccessMap:
    """``names``: user id -> display name, where known."""
    at = expiry.now() if now is None else now
    horizon = at + dt.timedelta(days=expiry.ENDING_SOON_DAYS)
    live = {(member.project_id, member.user_id): member for member in org.members}
    # What differs in a declared member's cell; an undeclared extra role that the stack leaves
    # alone (information) is noted without making the cell differ.
    differences: dict[tuple[str, str], list[Difference]] = {}
    for project in result.projects:
        for difference in (*project.differences, *project.information):
            if difference.kind in CELL_DIFFERENCES:
                differences.setdefault((project.project_id, difference.user_id or difference.member), []).append(difference)
    left_alone = {id(d) for project in result.projects for d in project.information}
    invited = {invite.member.casefold(): invite for invite in result.pending_invites}
    cells: dict[tuple[str, str], Cell] = {}
    keys_by_user_id: dict[str, str] = {}
    for grant in merge_grants(spec, at):
        user_id = grant.member.user_id or user_id_for_email(grant.member.email or "")
        key = grant.member.key
        if user_id:
            keys_by_user_id[user_id] = key
        member = live.get((grant.project_id, user_id or ""))
        found = differences.get((grant.project_id, user_id or str(grant.member)), [])
        cell = _declared_cell(grant, member, found, horizon, counted=lambda d: id(d) not in left_alone)
        invite = invited.get((grant.member.email or "").casefold())
        if cell.status == "missing" and invite is not None:
            cell = replace(cell, status="invited", note=f"invite {invite.invite_id} pending: {STATUS_TEXT['invited']}")
        cells[(key, grant.project_id)] = cell
    for project in result.projects:
        for difference in (*project.differences, *project.information):
            if difference.kind in ("undeclared_member", "expired_member") and difference.live:
                status = "expired" if difference.kind == "expired_member" else (
                    "removed" if difference in project.differences and project.exclusive else "undeclared")
                cells[(difference.member, project.project_id)] = Cell(
                    difference.live.role, difference.live.roles, status, note=STATUS_TEXT[status])
        for kept in project.kept:
            cells[(kept.member, project.project_id)] = Cell(kept.live.role, kept.live.roles, "kept", note=kept.reason)
    group_findings: dict[tuple[str, str | None], list[Difference]] = {}
    for project in result.projects:
        for difference in (*project.differences, *project.information):
            if difference.kind in GROUP_GRANT_DIFFERENCES:
                group_findings.setdefault((project.project_id, difference.group), []).append(difference)
    for team in group_teams(spec, at):
        _add_group_cells(cells, team, find_live_group(team, org), group_findings, user_id_for_email)
    for member in org.members:  # undeclared members are named as listed
        keys_by_user_id.setdefault(member.user_id, member.name)
    people = sorted({key for key, _ in cells})
    display = {keys_by_user_id.get(uid, uid): name for uid, name in (names or {}).items()}
    project_names = {pid: org.projects.get(pid) or pid for _, pid in cells}
    return AccessMap(
        projects=dict(sorted(project_names.items(), key=lambda item: (item[1].casefold(), item[0]))),
        people=tuple(Person(key, display.get(key)) for key in people),
        cells=cells,
        teams=tuple(sorted({source for cell in cells.values() for source in cell.via})),
    )


def _declared_cell(grant: MemberAccess, member: LiveMembership | None, found: list[Difference],
                   horizon: dt.datetime, counted: Callable[[Difference], bool]) -> Cell:
    via = tuple(f"team {team}" for team in grant.teams)
    soon = grant.endings[0].ends <= horizon if grant.endings else False
    ends = grant.endings[0].ends if grant.endings else None
    if member is None:
        return Cell(grant.role, grant.extra_roles, "missing", via, ends, soon, "declared, not in the project yet")
    note = "; ".join(_difference_note(d) + ("" if counted(d) else " (left alone)") for d in found)
    roles = tuple(sorted(set(member.extra_roles) | set(grant.extra_roles)))
    return Cell(member.role, roles, "differs" if any(map(counted, found)) else "in_sync", via, ends, soon, note)


def _add_group_cells(cells: dict[tuple[str, str], Cell], team: GroupTeam, live: LiveGroup | None,
                     group_findings: Mapping[tuple[str, str | None], list[Difference]],
                     user_id_for_email: Callable[[str], str | None]) -> None:
    """The access a group-team gives, person by person: its declared members, or for an external
    group the users it has (one row for the group itself where the identity provider keeps them
    and they are not read), in each project the team grants, as the audit found the grant. A
    person who also has a membership there keeps that cell, which then names the group too."""
    via = f"group {team.group}"
    for grant in team.grants:
        live_grant = live.grant_in(grant.project_id) if live is not None else None
        found = group_findings.get((grant.project_id, team.group), [])
        for key, in_group in _group_people(team, live, user_id_for_email):
            existing = cells.get((key, grant.project_id))
            if existing is not None:
                cells[(key, grant.project_id)] = replace(existing, via=(*existing.via, via))
            elif live_grant is None or not in_group:
                missing = "the group's grant is missing" if live_grant is None else f"not in the group {team.group}"
                cells[(key, grant.project_id)] = Cell(grant.role, grant.extra_roles, "missing", (via,), note=missing)
            else:
                missing_roles = {d.role_id for d in found if d.kind == "missing_group_extra_role" and d.role_id}
                cells[(key, grant.project_id)] = Cell(
                    live_grant.role, tuple(sorted({*live_grant.extra_roles, *missing_roles})),
                    "differs" if found else "in_sync", (via,), note="; ".join(map(_difference_note, found)))


def _group_people(team: GroupTeam, live: LiveGroup | None,
                  user_id_for_email: Callable[[str], str | None]) -> list[tuple[str, bool]]:
    """(how the report names the person, whether the live group has them)."""
    if not team.external:
        live_ids = live.user_ids if live is not None else frozenset()
        return [(member.key, (member.user_id or user_id_for_email(member.email or "")) in live_ids)
                for member in team.members]
    if live is not None and live.is_scim_managed:
        return [(f"group {live.name}", True)]
    return [(user.name, True) for user in (live.users if live is not None else ())]


def _difference_note(difference: Difference) -> str:
    if difference.kind in ("role_differs", "group_role_differs") and difference.declared:
        return f"declared {difference.declared.role}"
    return f"{difference.kind.replace('_', ' ')} {difference.role_id or ''}".strip()

