"""Project role ids as a spec writes them, from what the API answers.

The API may answer a role id in a longer form (qualified by a prefix or a suffix); the
providers accept that form for the short id through ``role_id_matches``, and a spec holds the
short one. The predefined role that only mirrors a member's own role
(``role-api-project-owner`` on an owner, ``role-api-project-member`` on a member) is not an
extra role: a spec would otherwise carry it for everyone.
"""

from __future__ import annotations

import re

from ..providers.admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS
from ..providers.user_role_assignment import role_id_matches

# A role id inside a longer form, at a boundary (the spec's own pattern, unanchored).
_EMBEDDED_ROLE_ID = re.compile(r"(?<![A-Za-z0-9])role[-_][A-Za-z0-9_-]+")
PREDEFINED_PREFIX = "role-api-project-"
MIRROR_ROLE = {"owner": "role-api-project-owner", "member": "role-api-project-member"}


def normalized_role_id(answered: str) -> str:
    """The short id that ``answered`` names (itself when it is already short)."""
    for predefined in PREDEFINED_PROJECT_ROLE_IDS:
        if role_id_matches(predefined, answered):
            return predefined
    for candidate in _EMBEDDED_ROLE_ID.findall(answered):
        if role_id_matches(candidate, answered):
            return candidate
    return answered


def is_mirror_role(role_id: str, member_role: str) -> bool:
    return MIRROR_ROLE.get(member_role) == role_id


def is_predefined(role_id: str) -> bool:
    return role_id in PREDEFINED_PROJECT_ROLE_IDS
