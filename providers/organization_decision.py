"""Who an exclusive organization removes: the pure decision, with no API call.

Given everyone the stack declares anywhere (by user id and/or email) and the organization's
users, it returns the users to remove from the organization, those kept by a rail and why, and
the problems that forbid removing anyone at all (``max_removals`` exceeded). The provider lists
every user first (a listing that fails raises before this runs), decides here, and only then
removes; so every rail is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .exclusive_decision import DEFAULT_MAX_REMOVALS


@dataclass(frozen=True)
class DeclaredPerson:
    user_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class OrganizationUser:
    """One user as the organization lists them, with what the rails need."""

    user_id: str
    email: str | None
    name: str | None
    role: str | None  # owner | reader
    is_service_account: bool = False
    is_scim_managed: bool = False

    @classmethod
    def of(cls, listed: Any) -> "OrganizationUser":
        """From the API's record of an organization user (``admin_api.models.OrganizationUser``)."""
        return cls(listed.id, listed.email, listed.name, listed.role, listed.is_service_account,
                   listed.is_scim_managed)

    def __str__(self) -> str:
        who = self.email or self.user_id
        details = ", ".join(filter(None, (self.name, self.role)))
        return f"{who} ({details})" if details else who


@dataclass(frozen=True)
class KeptUser:
    user: OrganizationUser
    reason: str


@dataclass(frozen=True)
class OrganizationDecision:
    removals: tuple[OrganizationUser, ...]
    kept: tuple[KeptUser, ...]
    problems: tuple[str, ...]  # any problem: remove nobody


def decide_organization(
    declared: Sequence[DeclaredPerson],
    users: Iterable[OrganizationUser],
    max_removals: int = DEFAULT_MAX_REMOVALS,
) -> OrganizationDecision:
    """``declared``: everyone the stack declares anywhere (teams, group teams, invites)."""
    ids = {person.user_id for person in declared if person.user_id}
    emails = {person.email.casefold() for person in declared if person.email}
    removals: list[OrganizationUser] = []
    kept: list[KeptUser] = []
    for user in users:
        if user.user_id in ids or (user.email or "").casefold() in emails:
            continue
        reason = _rail(user)
        if reason:
            kept.append(KeptUser(user, reason))
        else:
            removals.append(user)
    problems = []
    if len(removals) > max_removals:
        problems.append(
            f"the organization is exclusive: {len(removals)} people would be removed from it, more than "
            f"max_removals={max_removals}; nobody was removed. Who would go:\n    "
            + "\n    ".join(map(str, removals)) + "\n"
            f"  If that is intended, raise organization.max_removals to at least {len(removals)}; if not, declare "
            "them (a wrong email?), or turn organization.exclusive off."
        )
    return OrganizationDecision(tuple(removals), tuple(kept), tuple(problems))


def _rail(user: OrganizationUser) -> str | None:
    if user.role == "owner":
        return "organization owner: never removed by a stack"
    if user.is_service_account:
        return "a service account's user: not a person"
    if user.is_scim_managed:
        return "managed by the identity provider (SCIM): it decides who leaves"
    return None
