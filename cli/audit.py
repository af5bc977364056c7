"""Comparing a spec with the live organization, as the stack program would apply it.

The spec is read exactly as the stack program reads it (``merge_grants``: one grant per
project and person, owner wins, extra roles united); a person named by email is found
through the organization's users, case-insensitively. Per project the spec names, five kinds
of difference; with ``all_projects``, the projects it does not name too (everyone there is
undeclared). A role that only mirrors a member's own role is not reported as undeclared.

Groups (``group_audit``): a group-team's grant in each project it names (missing, another
role, extra roles), the users of a ``group`` team, and the grants of groups the spec does not
declare, reported as the group's grant. Service accounts: each one the spec declares must exist in its project, once, with the
declared role (three kinds).

Expired access: a member or extra role that the spec declared until an ``expires`` now past,
and that still exists, is ``expired_member`` / ``expired_extra_role`` (with what was declared)
rather than undeclared: the stack's next ``up`` removes it.

Leavers: with ``organization.exclusive``, people in the organization the spec declares nowhere,
and whom no rail keeps (owners, service accounts' users, SCIM-managed users), are
``undeclared_organization_user`` differences (``AuditResult.organization``).

Invites: a declared person who is not in the organization but has a pending invite is not
missing: they are listed as pending (information), per project the spec gives them. Accounts the spec does not declare are no difference: nothing
ever removes them (exclusive projects included, since removing one breaks whatever uses its
key), and discover lists them only as comments; they are reported as information, so that
a discovered spec audits in sync.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Sequence

from ..components import expiry
from ..components.access_spec import AccessSpec
from ..components.exclusive_access import declared_people
from ..components.grant_merge import MemberAccess, expired_grants, merge_grants
from ..components.group_teams import group_teams
from ..providers.exclusive_decision import OrganizationPeople, kept_by_rail
from ..providers.organization_decision import DeclaredPerson, OrganizationUser, decide_organization
from ..providers.role_ids import role_id_matches
from .audit_records import Access, Difference
from .group_audit import GROUP_KINDS, group_differences, groups_as_the_stack_applies_them
from .live_org import LiveMembership, LiveOrganization
from .live_service_accounts import LiveServiceAccount

MEMBER_KINDS = ("missing_member", "role_differs", "missing_extra_role", "undeclared_member", "undeclared_extra_role")
# What the stack leaves alone in a project that is not exclusive: information, unless strict.
UNDECLARED_KINDS = ("undeclared_member", "undeclared_extra_role")
# A project the spec names that is not an active project (missing or archived): one
# difference, not every member reported missing.
PROJECT_KINDS = ("unknown_project",)
# Access the spec declared until an `expires` that has passed, and that still exists: the
# next `up` removes it (unless no stack runs on schedule, which is what this reports).
EXPIRED_KINDS = ("expired_member", "expired_extra_role")
# Names are not unique in the API: a declared name held by several accounts is ambiguous.
SERVICE_ACCOUNT_KINDS = ("missing_service_account", "service_account_role_differs", "ambiguous_service_account")
# With organization.exclusive: someone in the organization the spec declares nowhere (and no
# rail keeps), whom the stack's next `up` removes from the organization.
ORGANIZATION_KINDS = ("undeclared_organization_user",)
# Declared projects and custom roles (``declared_resolution``), found by name: not found, or
# not as declared. A declared project not found stands instead of ``unknown_project``.
DECLARED_KINDS = ("missing_project", "project_archived", "missing_project_role", "project_role_differs")
KINDS = (PROJECT_KINDS + DECLARED_KINDS + MEMBER_KINDS + EXPIRED_KINDS + SERVICE_ACCOUNT_KINDS + ORGANIZATION_KINDS
         + GROUP_KINDS)


@dataclass(frozen=True)
class KeptMember:
    member: str
    user_id: str
    live: Access
    reason: str


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
    exclusive: bool = False
    # Undeclared members and extra roles the stack leaves alone (the project is not exclusive).
    information: tuple[Difference, ...] = ()
    # Undeclared members an exclusive project keeps by a rail (organization owners), and why.
    kept: tuple[KeptMember, ...] = ()
    pending_invites: tuple[PendingInvite, ...] = ()  # information, not differences


@dataclass(frozen=True)
class AuditResult:
    projects: tuple[ProjectAudit, ...]
    organization: tuple[Difference, ...] = ()  # with organization.exclusive: people declared nowhere

    @property
    def in_sync(self) -> bool:
        return not self.organization and not any(project.differences for project in self.projects)

    def counts(self) -> dict[str, int]:
        found = Counter(d.kind for project in self.projects for d in project.differences)
        found.update(d.kind for d in self.organization)
        return {kind: found[kind] for kind in KINDS}

    @property
    def information(self) -> tuple[Difference, ...]:
        return tuple(d for project in self.projects for d in project.information)

    @property
    def kept(self) -> tuple[KeptMember, ...]:
        return tuple(k for project in self.projects for k in project.kept)

    @property
    def pending_invites(self) -> tuple[PendingInvite, ...]:
        return tuple(dict.fromkeys(p for project in self.projects for p in project.pending_invites))

    @property
    def unmanaged_service_accounts(self) -> tuple[LiveServiceAccount, ...]:
        return tuple(account for project in self.projects for account in project.unmanaged_service_accounts)


def undeclared_organization_users(spec: AccessSpec, users: Sequence[OrganizationUser]) -> tuple[Difference, ...]:
    """With ``organization.exclusive``: whom the stack's next ``up`` would remove from the
    organization (the resource's own decision, without its limit)."""
    if not spec.organization.exclusive:
        return ()
    declared = [DeclaredPerson(p.get("user_id"), p.get("email")) for p in declared_people(spec)]
    decision = decide_organization(declared, users, max_removals=len(users))
    return tuple(Difference("undeclared_organization_user", (user.email or user.user_id).casefold(), user.user_id,
                            None, Access(user.role or "", ())) for user in decision.removals)


def audit(
    spec: AccessSpec, org: LiveOrganization, user_id_for_email: Callable[[str], str | None], *,
    pending: Mapping[str, PendingInvite] | None = None, organization: OrganizationPeople = OrganizationPeople(),
    strict: bool = False, only: Iterable[str] | None = None, organization_users: Sequence[OrganizationUser] = (),
    findings: Mapping[str, tuple[Difference, ...]] | None = None,
) -> AuditResult:
    """``org`` must hold every active project the spec names (and any others to report).

    As the stack applies the spec: in an exclusive project everything undeclared is a
    difference (``up`` removes it) except who a rail keeps (``organization``: its owners);
    elsewhere it is information, left alone, unless ``strict``. A project the spec names
    for service accounts only has its members ignored. ``only``: these projects alone.
    ``pending``: casefolded email → the pending invite of a person not in the organization.
    ``spec`` refers to projects and roles by id where they exist; ``findings`` are the
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
    teams_as_groups = group_teams(spec, expiry.now())
    in_spec = (set(declared) | set(spec.service_accounts) | set(findings)
               | {g.project_id for t in teams_as_groups for g in t.grants})
    exclusive = set(spec.exclusive_projects)
    scope = in_spec | set(org.projects)
    projects = []
    for project_id in sorted(scope if only is None else scope & set(only)):
        if project_id in in_spec and project_id not in org.projects:
            unknown = findings.get(project_id) or (Difference("unknown_project", project_id, None, None, None),)
            projects.append(ProjectAudit(project_id, None, True, tuple(unknown), exclusive=project_id in exclusive))
            continue
        live = {member.user_id: member for member in org.members_of(project_id)}
        differences: list[Difference] = []
        if project_id in declared or project_id not in in_spec:  # not for a project of service accounts only
            differences = _project_differences(declared.get(project_id, []), live, user_id_for_email)
            differences = [_as_expired(difference, expired.get((project_id, difference.user_id or "")))
                           for difference in differences]
        differences, information, kept = _as_the_stack_applies_it(
            differences, live, organization, exclusive=project_id in exclusive, strict=strict)
        differences = [*findings.get(project_id, ()), *differences]
        accounts = org.service_accounts_of(project_id)
        wanted = {name: account.role for name, account in spec.service_accounts.get(project_id, {}).items()}
        differences += _service_account_differences(wanted, accounts)
        group_counted, group_information = groups_as_the_stack_applies_them(
            group_differences(teams_as_groups, org, project_id, user_id_for_email),
            exclusive=project_id in exclusive, strict=strict)
        differences += group_counted
        information += group_information
        unmanaged = tuple(account for account in accounts if account.name not in wanted)
        invited = tuple(pending[d.member.casefold()] for d in differences
                        if d.kind == "missing_member" and d.user_id is None and d.member.casefold() in pending)
        differences = [d for d in differences if not (d.kind == "missing_member" and d.user_id is None
                                                      and d.member.casefold() in pending)]
        projects.append(ProjectAudit(project_id, org.projects.get(project_id), project_id in in_spec,
                                     tuple(differences), unmanaged, project_id in exclusive, tuple(information),
                                     tuple(kept), invited))
    return AuditResult(tuple(projects), undeclared_organization_users(spec, organization_users))


def _as_the_stack_applies_it(
    differences: list[Difference], live: Mapping[str, LiveMembership], organization: OrganizationPeople, *,
    exclusive: bool, strict: bool,
) -> tuple[list[Difference], list[Difference], list[KeptMember]]:
    """(differences, information, kept): what is undeclared counts only where ``up`` would
    remove it (an exclusive project, minus who the rails keep), or when ``strict``."""
    kept_differences: list[Difference] = []
    information: list[Difference] = []
    kept: list[KeptMember] = []
    for difference in differences:
        if difference.kind not in UNDECLARED_KINDS:
            kept_differences.append(difference)
        elif not exclusive:
            (kept_differences if strict else information).append(difference)
        elif difference.kind == "undeclared_member" and difference.user_id and difference.live and (
                reason := kept_by_rail(difference.user_id, organization)):
            kept.append(KeptMember(difference.member, difference.user_id, difference.live, reason))
        else:
            kept_differences.append(difference)
    return kept_differences, information, kept


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
    grants: list[MemberAccess], live: Mapping[str, LiveMembership], user_id_for_email: Callable[[str], str | None]
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
