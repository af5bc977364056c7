"""Teams inferred from access: people whose access is identical (same projects, same role,
same extra roles in each) form one team, named after what it grants; and each group granted a
project is a team of its own, named after the group: ``external_group`` for a group the
identity provider manages (grants only), ``group`` with its users for a hand-made one (or
``external_group`` by id when its name is not unique, so that it can be named at all).

Names are readable and deterministic: each project's name slugified, ``-owners`` where the
role is owner, the extra roles' short names; two projects joined with ``-and-``, more as
``<first>-and-<n>-more``; a name taken twice gets ``-2``, ``-3``… in a fixed order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace

from .live_groups import LiveGroup
from .live_org import LiveOrganization

PREDEFINED_PREFIX = "role-api-project-"
from ..providers.admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS

MAX_NAMED_PROJECTS = 2


@dataclass(frozen=True)
class InferredGrant:
    project_id: str
    role: str
    extra_roles: tuple[str, ...]


@dataclass(frozen=True)
class InferredTeam:
    name: str
    members: tuple[str, ...]  # sorted: emails (lower case) or user ids
    grants: tuple[InferredGrant, ...]  # sorted by project id
    group: str | None = None  # the team is this group (by name)
    external_group: str | None = None  # the team grants through this group (by name or id)


def infer_teams(org: LiveOrganization) -> list[InferredTeam]:
    """The teams, sorted by name."""
    access: dict[str, list[InferredGrant]] = defaultdict(list)
    names: dict[str, str] = {}
    for member in org.members:
        access[member.user_id].append(InferredGrant(member.project_id, member.role, member.extra_roles))
        names[member.user_id] = member.name
    people_by_access: dict[tuple[InferredGrant, ...], list[str]] = defaultdict(list)
    for user_id, grants in access.items():
        people_by_access[tuple(sorted(grants, key=lambda g: g.project_id))].append(names[user_id])

    unnamed = sorted(
        (_base_name(grants, org), InferredTeam("", tuple(sorted(people)), grants))
        for grants, people in people_by_access.items()
    )
    unnamed += [(slug(group.name) or slug(group.id), _group_team(group)) for group in org.groups]
    taken: dict[str, int] = defaultdict(int)
    teams = []
    for base, team in unnamed:
        taken[base] += 1
        name = base if taken[base] == 1 else f"{base}-{taken[base]}"
        teams.append(replace(team, name=name))
    return sorted(teams, key=lambda team: team.name)


def _group_team(group: LiveGroup) -> InferredTeam:
    grants = tuple(InferredGrant(grant.project_id, grant.role, grant.extra_roles) for grant in group.grants)
    if group.is_scim_managed or not group.name_is_unique:
        return InferredTeam("", (), grants, external_group=group.name if group.name_is_unique else group.id)
    return InferredTeam("", group.user_names, grants, group=group.name)


def _base_name(grants: tuple[InferredGrant, ...], org: LiveOrganization) -> str:
    parts = sorted(_grant_name(grant, org) for grant in grants)
    if len(parts) > MAX_NAMED_PROJECTS:
        return f"{parts[0]}-and-{len(parts) - 1}-more"
    return "-and-".join(parts)


def _grant_name(grant: InferredGrant, org: LiveOrganization) -> str:
    # A name with no latin letter or digit (say, all CJK) falls back to the project id.
    words = [slug(org.projects.get(grant.project_id, "")) or slug(grant.project_id)]
    if grant.role == "owner":
        words.append("owners")
    words += [_role_name(role, org) for role in grant.extra_roles]
    return "-".join(word for word in words if word)


def _role_name(role_id: str, org: LiveOrganization) -> str:
    if role_id in PREDEFINED_PROJECT_ROLE_IDS:
        return slug(role_id.removeprefix(PREDEFINED_PREFIX))
    return slug(org.role_names.get(role_id, "")) or slug(role_id)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
