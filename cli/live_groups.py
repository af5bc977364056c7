"""Reading the groups that reach the chosen projects: each group's project grants (with the
role and extra roles each carries) and, for a group this organization makes by hand, its users.

Requests: one listing of the organization's groups, one grant listing per project, one role
listing per grant, and one user listing per hand-made group that has a grant (the users of a
group the identity provider manages are its business, never declared). As behaviour.py
decides, group access never shows among a project's members, so nothing here is also a
membership: the two are read, declared and audited apart.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Mapping

from ..providers.access_gateway import AccessGateway
from ..providers.admin_api.behaviour import PROJECT_ROLE_ID_BY_MEMBER_ROLE
from ..providers.role_ids import normalized_role_id
from .progress import Reporter

READ_THREADS = 8


@dataclass(frozen=True)
class LiveGroupGrant:
    project_id: str
    role: str  # owner | member (member when the grant holds neither predefined role)
    extra_roles: tuple[str, ...]  # short ids, sorted, the grant's own role left out


@dataclass(frozen=True)
class LiveGroupUser:
    name: str  # how a spec names the person: the email in lower case, else the user id
    user_id: str


@dataclass(frozen=True)
class LiveGroup:
    id: str
    name: str
    is_scim_managed: bool
    name_is_unique: bool  # no other group of the organization has this name
    users: tuple[LiveGroupUser, ...]  # sorted by name; () for a SCIM group (not read)
    grants: tuple[LiveGroupGrant, ...]  # sorted by project

    @property
    def user_names(self) -> tuple[str, ...]:
        return tuple(user.name for user in self.users)

    @property
    def user_ids(self) -> frozenset[str]:
        return frozenset(user.user_id for user in self.users)

    def grant_in(self, project_id: str) -> LiveGroupGrant | None:
        return next((grant for grant in self.grants if grant.project_id == project_id), None)


def read_groups(gateway: AccessGateway, projects: Mapping[str, str], reporter: Reporter) -> tuple[LiveGroup, ...]:
    """The groups granted any of ``projects``, sorted by name then id."""
    groups = gateway.groups
    reporter.step("listing groups")
    everyone = groups.groups()
    reporter.step("listing group grants", len(projects))
    granted: list[tuple[str, str]] = []  # (project, group)
    for project_id in sorted(projects):
        granted += [(project_id, group_id) for group_id in sorted(groups.grants(project_id))]
        reporter.advance()

    reporter.step("reading group grant roles", len(granted))

    def grant_of(pair: tuple[str, str]) -> LiveGroupGrant:
        project_id, group_id = pair
        try:
            held = sorted({normalized_role_id(role.id) for role in groups.grant_roles(project_id, group_id)})
            role = groups.grant_role(project_id, group_id) or "member"
            own = PROJECT_ROLE_ID_BY_MEMBER_ROLE[role]
            return LiveGroupGrant(project_id, role, tuple(r for r in held if r != own))
        finally:
            reporter.advance()

    with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="groups") as pool:
        grants = list(pool.map(grant_of, granted))

    group_ids = sorted({group_id for _, group_id in granted if group_id in everyone})
    hand_made = [group_id for group_id in group_ids if not everyone[group_id].is_scim_managed]
    reporter.step("listing group users", len(hand_made))
    users: dict[str, tuple[LiveGroupUser, ...]] = {}
    for group_id in hand_made:
        users[group_id] = tuple(sorted(
            (LiveGroupUser(user.email.casefold() if user.email else user.id, user.id)
             for user in groups.users(group_id).values()), key=lambda user: (user.name, user.user_id)))
        reporter.advance()

    name_counts: dict[str, int] = {}
    for group in everyone.values():
        name_counts[group.name] = name_counts.get(group.name, 0) + 1
    found = [
        LiveGroup(
            group_id, everyone[group_id].name, everyone[group_id].is_scim_managed,
            name_counts[everyone[group_id].name] == 1,
            users.get(group_id, ()),
            tuple(grant for (_, gid), grant in zip(granted, grants) if gid == group_id),
        )
        for group_id in group_ids
    ]
    return tuple(sorted(found, key=lambda group: (group.name, group.id)))
