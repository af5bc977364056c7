"""Project role ids as the API answers them, compared with the ids a stack writes."""

from __future__ import annotations

import re
from typing import Iterable

from .admin_api.behaviour import MIRROR_ROLE_BY_MEMBER_ROLE, PREDEFINED_PROJECT_ROLE_IDS

# A role id inside a longer form, at a boundary (the spec's role id pattern, unanchored).
_EMBEDDED_ROLE_ID = re.compile(r"(?<![A-Za-z0-9])role[-_][A-Za-z0-9_-]+")


def role_id_matches(written: str, answered: str) -> bool:
    """The API may answer with a longer form of a role id (qualified by a prefix or a
    suffix); the id the stack wrote still names that role."""
    if written == answered:
        return True
    if answered.startswith(written):
        return not answered[len(written)].isalnum()
    if answered.endswith(written):
        return not answered[-len(written) - 1].isalnum()
    return False


def is_mirror_role(role_id: str, member_role: str | None) -> bool:
    """True for the predefined role that only mirrors the member's own role (owner or member):
    it is not an extra role, is never declared, reported as undeclared nor unassigned."""
    mirror = MIRROR_ROLE_BY_MEMBER_ROLE.get(member_role or "")
    return mirror is not None and role_id_matches(mirror, role_id)


def is_undeclared_extra(role_id: str, member_role: str | None, declared: Iterable[str]) -> bool:
    """An extra role of a member (not the mirror of their own role) that no declared id names."""
    return not is_mirror_role(role_id, member_role) and not any(role_id_matches(d, role_id) for d in declared)


def normalized_role_id(answered: str) -> str:
    """The short id, as a stack writes it, that an answered (maybe longer) id names."""
    for predefined in PREDEFINED_PROJECT_ROLE_IDS:
        if role_id_matches(predefined, answered):
            return predefined
    for candidate in _EMBEDDED_ROLE_ID.findall(answered):
        if role_id_matches(candidate, answered):
            return candidate
    return answered
