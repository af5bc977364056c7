"""Comparing a spec with the live organization, as the stack program would apply it.

The spec is read exactly as the stack program reads it (``merge_grants``: one grant per
project and person, owner wins, extra roles united); a person named by email is found
through the organization's users, case-insensitively. Per project the spec names, five kinds
of difference; with ``all_projects``, the projects it does not name too (everyone there is
undeclared). A role that only mirrors a member's own role is not reported as undeclared.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Mapping

from ..components.access_spec import AccessSpec
from ..components.grant_merge import MemberAccess, merge_grants
from ..providers.role_ids import role_id_matches
from .live_org import LiveMember, LiveOrganization

KINDS = ("missing_member", "role_differs", "missing_extra_role", "undeclared_member", "undeclared_extra_role")


@dataclass(frozen=True)
class Access:
    role: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    kind: str  # one of KINDS
    member: str  # as the spec names the person (email or user id), or as listed when undeclared
    user_id: str | None  # None: a person the organization does not know
    declared: Access | None
    live: Access | None
    role_id: str | None = None  # the extra role, for the two extra-role kinds


@dataclass(frozen=True)
class ProjectAudit:
    project_id: str
    name: str | None  # None: no active project has this id
    in_spec: bool
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class AuditResult:
    projects: tuple[ProjectAudit, ...]

    @property
    def in_sync(self) -> bool:
        return not any(project.differences for project in self.projects)

    def counts(self) -> dict[str, int]:
        found = Counter(d.kind for project in self.projects for d in project.differences)
        return {kind: found[kind] for kind in KINDS}


def audit(spec: AccessSpec, org: LiveOrganization, user_id_for_email: Callable[[str], str | None]) -> AuditResult:
    """``org`` must hold every active project the spec names (and any others to report)."""
    declared: dict[str, list[MemberAccess]] = {}
    for grant in merge_grants(spec):
        declared.setdefault(grant.project_id, []).append(grant)
    projects = []
    for project_id in sorted(set(declared) | set(org.projects)):
        live = {member.user_id: member for member in org.members_of(project_id)}
        differences = _project_differences(declared.get(project_id, []), live, user_id_for_email)
        projects.append(ProjectAudit(project_id, org.projects.get(project_id), project_id in declared,
                                     tuple(differences)))
    return AuditResult(tuple(projects))


def _project_differences(
    grants: list[MemberAccess], live: Mapping[str, LiveMember], user_id_for_email: Callable[[str], str | None]
) -> list[Difference]:
    differences: list[Difference] = []
    seen: set[str] = set()
    for grant in grants:
        user_id = grant.member.user_id or user_id_for_email(grant.member.email or "")
        wanted = Access(grant.role, grant.extra_roles)
        member = live.get(user_id) if user_id else None
        name = str(grant.member)
        if member is None:
            differences.append(Difference("missing_member", name, user_id, wanted, None))
            continue
        seen.add(member.user_id)
        has = Access(member.role, member.roles)
        if member.role != grant.role:
            differences.append(Difference("role_differs", name, user_id, wanted, has))
        for role_id in grant.extra_roles:
            if not any(role_id_matches(role_id, assigned) for assigned in member.roles):
                differences.append(Difference("missing_extra_role", name, user_id, wanted, has, role_id))
        for role_id in member.extra_roles:
            if not any(role_id_matches(declared, role_id) for declared in grant.extra_roles):
                differences.append(Difference("undeclared_extra_role", name, user_id, wanted, has, role_id))
    for user_id in sorted(set(live) - seen, key=lambda uid: live[uid].name):
        member = live[user_id]
        differences.append(
            Difference("undeclared_member", member.name, user_id, None, Access(member.role, member.extra_roles))
        )
    return differences
