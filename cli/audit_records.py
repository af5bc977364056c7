"""What an audit finds: one ``Difference`` between declared and live access, with ``Access``
(a role and extra roles) on either side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


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
    group: str | None = None  # the group (as the spec or the API names it), for the group kinds
    # For the declared kinds: {"declared": {...}, "live": {...} | None} (name, permissions, description)
    details: Mapping[str, Any] | None = None
