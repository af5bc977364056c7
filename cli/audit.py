"""Comparing a spec with the live organization, as the stack program would apply it.

The spec is read exactly as the stack program reads it (``merge_grants``: one grant per
project and person, owner wins, extra roles united); a person named by email is found
through the organization's users, case-insensitively. Per project the spec names, five kinds
of difference; with ``all_projects``, the projects it does not name too (everyone there is
undeclared). A role that only mirrors a member's own role is not reported as undeclared.

Service accounts: each one the spec declares must exist in its project, once, with the
declared role (three kinds).

Expired access: a member or extra role that the spec declared until an ``expires`` now past,
and that still exists, is ``expired_member`` / ``expired_extra_role`` (with what was declared)
rather than undeclared: the stack's next ``up`` removes it.

Invites: a declared person who is not in the organization but has a pending invite is not
missing: they are listed as pending (information), per project the spec gives them. Accounts the spec does not declare are no difference: nothing
ever removes them (exclusive projects included, since removing one breaks whatever uses its
key), and discover lists them only as comments; they are reported as information, so that
a discovered spec audits in sync.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from ..components.access_spec import AccessSpec
from ..components.grant_merge import MemberAccess, expired_grants, merge_grants
from ..providers.role_ids import role_id_matches
from .live_org import LiveMember, LiveOrganization
from .live_service_accounts import LiveServiceAccount

MEMBER_KINDS = ("missing_member", "role_differs", "missing_extra_role", "undeclared_member", "undeclared_extra_role")
# Access the spec declared until an `expires` that has passed, and that still exists: the
# next `up` removes it (unless no stack runs on schedule, which is what this reports).
EXPIRED_KINDS = ("expired_member", "expired_extra_role")
# Names are not unique in the API: a declared name held by several accounts is ambiguous.
SERVICE_ACCOUNT_KINDS = ("missing_service_account", "service_account_role_differs", "ambiguous_service_account")
# Declared projects and custom roles (``declared_resolution``): not found, or not as declared.
PROJECT_KINDS = ("missing_project", "project_archived", "missing_project_role", "project_role_differs")
KINDS = MEMBER_KINDS + EXPIRED_KINDS + SERVICE_ACCOUNT_KINDS + PROJECT_KINDS


@dataclass(frozen=True)
class Access:
    role: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    kind: str  # one of KINDS
    # as the spec names the person (email or user id), or as listed when undeclared; for the
    # service-account kinds, the account's name
    member: str
    user_id: str | None  # None: a person the organization does not know (and every service account)
    declared: Access | None
    live: Access | None
    role_id: str | None = None  # the extra role, for the two extra-role kinds
    service_account_ids: tuple[str, ...] = ()  # the live accounts of that name, for the service-account kinds
    # For the project kinds: {"declared": {...}, "live": {...} | None} (name, permissions, description)
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PendingInvite:
    """A declared person who is not in the organization yet, with an invite pending: not a
    difference (the stack did what it can until they accept), shown for information."""

    member: str  # the email
    invite_id: str
    expires_at: int | None


@dataclass(frozen=True)
class ProjectAudit:
    project_id: str
    name: str | None  # None: no active project has this id
    in_spec: bool
    differences: tuple[Difference, ...]
    unmanaged_service_accounts: tuple[LiveServiceAccount, ...] = ()  # information, not differences
    pending_invites: tuple[PendingInvite, ...] = ()  # information, not differences


@dataclass(frozen=True)
class AuditResult:
    projects: tuple[ProjectAudit, ...]

    @property
    def in_sync(self) -> bool:
        return not any(project.differences for project in self.projects)

    def counts(self) -> dict[str, int]:
        found = Counter(d.kind for project in self.projects for d in project.differences)
        return {kind: found[kind] for kind in KINDS}

    @property
    def pending_invites(self) -> tuple[PendingInvite, ...]:
        return tuple(dict.fromkeys(p for project in self.projects for p in project.pending_invites))

    @property
    def unmanaged_service_accounts(self) -> tuple[LiveServiceAccount, ...]:
        return tuple(account for project in self.projects for account in project.unmanaged_service_accounts)


def audit(spec: AccessSpec, org: LiveOrganization, user_id_for_email: Callable[[str], str | None],
          pending: Mapping[str, PendingInvite] | None = None,
          findings: Mapping[str, tuple[Difference, ...]] | None = None) -> AuditResult:
    """``org`` must hold every active project the spec names (and any others to report);
    ``pending``: casefolded email → the pending invite of a person not in the organization;
    ``spec`` refers to projects and roles by id where they exist, and ``findings`` are the
    differences of its declared projects and roles, by project (``declared_resolution``)."""
    pending = pending or {}
    findings = findings or {}
    declared: dict[str, list[MemberAccess]] = {}
    for grant in merge_grants(spec):
        declared.setdefault(grant.project_id, []).append(grant)
    expired: dict[tuple[str, str], MemberAccess] = {}
    for grant in expired_grants(spec):
        user_id = grant.member.user_id or user_id_for_email(grant.member.email or "")
        if user_id:
            expired[(grant.project_id, user_id)] = grant
    in_spec = set(declared) | set(spec.service_accounts) | set(findings)
    projects = []
    for project_id in sorted(in_spec | set(org.projects)):
        live = {member.user_id: member for member in org.members_of(project_id)}
        differences = [*findings.get(project_id, ()),
                       *_project_differences(declared.get(project_id, []), live, user_id_for_email)]
        differences = [_as_expired(difference, expired.get((project_id, difference.user_id or "")))
                       for difference in differences]
        accounts = org.service_accounts_of(project_id)
        wanted = {name: account.role for name, account in spec.service_accounts.get(project_id, {}).items()}
        differences += _service_account_differences(wanted, accounts)
        unmanaged = tuple(account for account in accounts if account.name not in wanted)
        invited = tuple(pending[d.member.casefold()] for d in differences
                        if d.kind == "missing_member" and d.user_id is None and d.member.casefold() in pending)
        differences = [d for d in differences if not (d.kind == "missing_member" and d.user_id is None
                                                      and d.member.casefold() in pending)]
        projects.append(ProjectAudit(project_id, org.projects.get(project_id), project_id in in_spec,
                                     tuple(differences), unmanaged, invited))
    return AuditResult(tuple(projects))


def _service_account_differences(wanted: Mapping[str, str], live: list[LiveServiceAccount]) -> list[Difference]:
    """``wanted``: declared name -> role. Names match exactly, as the provider matches them."""
    differences = []
    for name, role in sorted(wanted.items()):
        same_name = [account for account in live if account.name == name]
        ids = tuple(account.id for account in same_name)
        declared = Access(role, ())
        if not same_name:
            differences.append(Difference("missing_service_account", name, None, declared, None))
        elif len(same_name) > 1:
            differences.append(Difference("ambiguous_service_account", name, None, declared, None,
                                          service_account_ids=ids))
        elif same_name[0].role != role:
            differences.append(Difference("service_account_role_differs", name, None, declared,
                                          Access(same_name[0].role, ()), service_account_ids=ids))
    return differences


def _as_expired(difference: Difference, expired: MemberAccess | None) -> Difference:
    """An undeclared member or extra role that the spec declared until an expiry now past."""
    if expired is None:
        return difference
    if difference.kind == "undeclared_member":
        return replace(difference, kind="expired_member", declared=Access(expired.role, expired.extra_roles))
    if difference.kind == "undeclared_extra_role" and any(
            role_id_matches(role_id, difference.role_id or "") for role_id in expired.extra_roles):
        return replace(difference, kind="expired_extra_role")
    return difference


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
