"""What an exclusive project removes: the pure decision, with no API call.

Given what the stack declares in one project and what the project holds, it returns the
memberships, extra role assignments and group grants to remove, who is kept by a rail and why, and the
problems that forbid removing anything at all (``max_removals`` exceeded, no owner left).
The provider lists, decides here, and only then writes; so every rail is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .role_ids import is_undeclared_extra

DEFAULT_MAX_REMOVALS = 10


@dataclass(frozen=True)
class DeclaredMember:
    """A member the stack declares in the project. ``roles`` None: their extra roles are not
    managed (a ``ProjectUser`` without ``roles``), so none of them is removed."""

    user_id: str | None = None
    email: str | None = None
    roles: tuple[str, ...] | None = ()


@dataclass(frozen=True)
class LiveRole:
    role_id: str
    name: str | None = None
    # The API assigned it by itself (through a group or another source): not ours to remove.
    inherited: bool = False


@dataclass(frozen=True)
class LiveMember:
    user_id: str
    email: str | None
    name: str | None
    role: str
    roles: tuple[LiveRole, ...] = ()

    def __str__(self) -> str:
        who = self.email or self.user_id
        return f"{who} ({self.name})" if self.name else who


@dataclass(frozen=True)
class OrganizationPeople:
    """What the organization listing tells about people, for the rails."""

    owners: frozenset[str] = frozenset()  # user ids with organization role owner
    service_accounts: frozenset[str] = frozenset()
    ids_by_email: Mapping[str, str] = field(default_factory=dict)  # casefolded email → user id


@dataclass(frozen=True)
class MemberRemoval:
    member: LiveMember


@dataclass(frozen=True)
class RoleRemoval:
    member: LiveMember
    role: LiveRole


@dataclass(frozen=True)
class LiveGroupGrant:
    """A group's grant in the project (its users reach the project through it)."""

    group_id: str
    group_name: str | None
    role: str | None

    def __str__(self) -> str:
        return f"group {self.group_name} ({self.group_id})" if self.group_name else f"group {self.group_id}"


@dataclass(frozen=True)
class GroupRemoval:
    grant: LiveGroupGrant


@dataclass(frozen=True)
class Kept:
    member: LiveMember
    reason: str


@dataclass(frozen=True)
class Decision:
    members: tuple[MemberRemoval, ...]
    roles: tuple[RoleRemoval, ...]
    kept: tuple[Kept, ...]
    problems: tuple[str, ...]  # any problem: remove nothing
    groups: tuple[GroupRemoval, ...] = ()  # undeclared group grants (never the groups' users)

    @property
    def count(self) -> int:
        return len(self.members) + len(self.roles) + len(self.groups)

    @property
    def lines(self) -> list[str]:
        return removal_lines(self.members, self.roles, self.groups)


def removal_lines(members: Sequence[MemberRemoval], roles: Sequence[RoleRemoval],
                  groups: Sequence[GroupRemoval] = ()) -> list[str]:
    """One line per removal, as users read them in errors and logs."""
    lines = [f"{r.member} from the project (role {r.member.role}{_roles_text(r.member.roles)})" for r in members]
    lines += [f"role {r.role.role_id}{_named(r.role)} of {r.member}" for r in roles]
    lines += [f"the grant of {r.grant} (role {r.grant.role or 'none'}); its users stay in the group" for r in groups]
    return lines


def decide(
    project_id: str,
    declared: Sequence[DeclaredMember],
    live: Iterable[LiveMember],
    organization: OrganizationPeople,
    max_removals: int = DEFAULT_MAX_REMOVALS,
    group_grants: Iterable[LiveGroupGrant] = (),
    declared_groups: Iterable[str] = (),
) -> Decision:
    """``group_grants``: the groups granted the project; those whose id ``declared_groups``
    does not hold are removed (their grant only). A declared group's users are declared: they
    reach the project through it, and are never among ``live`` (behaviour.py)."""
    declared_by_id, declared_by_email = _index(declared, organization)
    members: list[MemberRemoval] = []
    roles: list[RoleRemoval] = []
    kept: list[Kept] = []
    live = list(live)
    for member in live:
        found = declared_by_id.get(member.user_id) or declared_by_email.get((member.email or "").casefold())
        if found is None:
            reason = kept_by_rail(member.user_id, organization)
            if reason:
                kept.append(Kept(member, reason))
            else:
                members.append(MemberRemoval(member))
        elif found.roles is not None:
            roles += [RoleRemoval(member, role) for role in _undeclared_roles(member, found.roles)]
    wanted_groups = set(declared_groups)
    groups = [GroupRemoval(grant) for grant in group_grants if grant.group_id not in wanted_groups]
    problems = _problems(project_id, members, roles, live, max_removals, groups)
    return Decision(tuple(members), tuple(roles), tuple(kept), tuple(problems), tuple(groups))


def _index(
    declared: Sequence[DeclaredMember], organization: OrganizationPeople
) -> tuple[dict[str, DeclaredMember], dict[str, DeclaredMember]]:
    """Declared members by user id and by casefolded email; an email that the organization
    knows also declares its user id (a member declared by email, listed without one)."""
    by_id: dict[str, DeclaredMember] = {}
    by_email: dict[str, DeclaredMember] = {}
    for member in declared:
        email = (member.email or "").casefold()
        user_id = member.user_id or organization.ids_by_email.get(email)
        if user_id:
            by_id[user_id] = member
        if email:
            by_email[email] = member
    return by_id, by_email


def kept_by_rail(user_id: str, organization: OrganizationPeople) -> str | None:
    """Why an undeclared member of an exclusive project stays (None: they go). Audit asks too."""
    if user_id in organization.owners:
        return "organization owner: keeps access to every project anyway"
    if user_id in organization.service_accounts:
        return "service account: not a person, managed apart from members"
    return None


def _undeclared_roles(member: LiveMember, declared_roles: Iterable[str]) -> list[LiveRole]:
    # Never the mirror of their own role (it would strip the membership's own access), nor a
    # role that comes through something else.
    declared_roles = list(declared_roles)
    return [
        role for role in member.roles
        if not role.inherited and is_undeclared_extra(role.role_id, member.role, declared_roles)
    ]


def _problems(
    project_id: str, members: list[MemberRemoval], roles: list[RoleRemoval], live: list[LiveMember], max_removals: int,
    groups: list[GroupRemoval],
) -> list[str]:
    problems = []
    count = len(members) + len(roles) + len(groups)
    if count > max_removals:
        lines = removal_lines(members, roles, groups)
        problems.append(
            f"project {project_id}: {count} {'removal' if count == 1 else 'removals'} planned, more than max_removals={max_removals}; "
            "nothing was removed. Who would go:\n    " + "\n    ".join(lines) + "\n"
            f"  If that is intended, raise max_removals to at least {count} (top-level `max_removals` in the "
            "spec, or max_removals= on the resource); if not, fix the spec (a wrong email or project id?)."
        )
    removed_owners = [r.member for r in members if r.member.role == "owner"]
    removed = {r.member.user_id for r in members}
    if removed_owners and not any(m.role == "owner" and m.user_id not in removed for m in live):
        problems.append(
            f"project {project_id}: removing its undeclared members would leave it without a project owner "
            f"(it would remove {', '.join(map(str, removed_owners))}); nothing was removed. "
            "Declare at least one owner of the project in the spec."
        )
    return problems


def _named(role: LiveRole) -> str:
    return f" ({role.name})" if role.name else ""


def _roles_text(roles: Iterable[LiveRole]) -> str:
    names = [f"{role.role_id}{_named(role)}" for role in roles]
    return f"; with roles {', '.join(names)}" if names else ""
