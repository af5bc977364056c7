"""The audit of group-teams in one project: the group's grant there (missing, another role,
extra roles missing or undeclared), the users of a ``group`` team (missing or extra), and the
grants of groups the spec does not declare, each reported as that group's grant (which group,
which role), never as its users one by one (they are not members: behaviour.py).

A group is named in ``member`` as ``group <name or id>``; a group user difference names the
person, with the group in ``group``. Group user differences show under every project the group
is granted: each is access that project has, or lacks, through the group.
"""

from __future__ import annotations

from typing import Callable

from ..components.group_teams import GroupTeam
from ..providers.role_ids import role_id_matches
from .audit_records import Access, Difference
from .live_groups import LiveGroup
from .live_org import LiveOrganization

GROUP_KINDS = ("missing_group_grant", "group_role_differs", "missing_group_extra_role",
               "undeclared_group_extra_role", "missing_group_user", "undeclared_group_user",
               "undeclared_group_grant")
# What `up` leaves alone, so information unless strict: users and extra roles added to a
# group outside the stack (its resources manage what they declare), and another group's grant
# outside an exclusive project. An exclusive project's undeclared grant is removed: a difference.
GROUP_UNDECLARED_KINDS = ("undeclared_group_extra_role", "undeclared_group_user", "undeclared_group_grant")


def groups_as_the_stack_applies_them(differences: list[Difference], *, exclusive: bool,
                            strict: bool) -> tuple[list[Difference], list[Difference]]:
    """(differences, information) among a project's group differences."""
    counted: list[Difference] = []
    information: list[Difference] = []
    for difference in differences:
        removed_by_up = exclusive and difference.kind == "undeclared_group_grant"
        left_alone = difference.kind in GROUP_UNDECLARED_KINDS and not removed_by_up
        (information if left_alone and not strict else counted).append(difference)
    return counted, information


def find_live_group(team: GroupTeam, org: LiveOrganization) -> LiveGroup | None:
    """The live group a team names: by exact name (a unique one), or for an external group by id."""
    named = [group for group in org.groups if group.name == team.group and group.name_is_unique]
    by_id = [group for group in org.groups if team.external and group.id == team.group]
    found = named or by_id
    return found[0] if found else None


def group_differences(
    teams: list[GroupTeam], org: LiveOrganization, project_id: str, user_id_for_email: Callable[[str], str | None],
) -> list[Difference]:
    differences: list[Difference] = []
    explained: set[str] = set()
    for team in teams:
        grant = next((g for g in team.grants if g.project_id == project_id), None)
        if grant is None:
            continue
        label = f"group {team.group}"
        live = find_live_group(team, org)
        wanted = Access(grant.role, grant.extra_roles)
        live_grant = live.grant_in(project_id) if live else None
        if live is not None:
            explained.add(live.id)
        if live_grant is None:
            differences.append(Difference("missing_group_grant", label, None, wanted, None, group=team.group))
            continue
        has = Access(live_grant.role, live_grant.extra_roles)
        if live_grant.role != grant.role:
            differences.append(Difference("group_role_differs", label, None, wanted, has, group=team.group))
        for role_id in grant.extra_roles:
            if not any(role_id_matches(role_id, held) for held in live_grant.extra_roles):
                differences.append(Difference("missing_group_extra_role", label, None, wanted, has, role_id,
                                              group=team.group))
        for role_id in live_grant.extra_roles:
            if not any(role_id_matches(declared, role_id) for declared in grant.extra_roles):
                differences.append(Difference("undeclared_group_extra_role", label, None, wanted, has, role_id,
                                              group=team.group))
        if not team.external and live is not None:
            differences += _user_differences(team, live, wanted, user_id_for_email)
    for live in org.groups:
        live_grant = live.grant_in(project_id)
        if live_grant is not None and live.id not in explained:
            differences.append(Difference("undeclared_group_grant", f"group {live.name}", live.id, None,
                                          Access(live_grant.role, live_grant.extra_roles), group=live.name))
    return differences


def _user_differences(team: GroupTeam, live: LiveGroup, wanted: Access,
                      user_id_for_email: Callable[[str], str | None]) -> list[Difference]:
    differences = []
    declared_ids = set()
    for member in team.members:
        user_id = member.user_id or user_id_for_email(member.email or "")
        if user_id:
            declared_ids.add(user_id)
        if user_id not in live.user_ids:
            differences.append(Difference("missing_group_user", str(member), user_id, wanted, None, group=team.group))
    for user in live.users:
        if user.user_id not in declared_ids:
            differences.append(Difference("undeclared_group_user", user.name, user.user_id, None, wanted,
                                          group=team.group))
    return differences
