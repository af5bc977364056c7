"""A membership's extra project roles, as ``ProjectUser`` manages them.

``roles`` lists the extra roles the resource manages: it assigns them, keeps them assigned,
and unassigns one when it leaves the list. Roles it does not list (assigned out of band, or by
a ``UserRoleAssignment``) are left alone; ``None`` manages none and reads none. The API drops
a member's roles with the membership, so deleting the membership needs no unassign.
"""

from __future__ import annotations

import threading
from typing import Iterable

from .access_gateway import AccessGateway
from .admin_api.errors import AlreadyAssignedError, NotFoundError
from .role_ids import is_undeclared_extra, role_id_matches


def held_roles(access: AccessGateway, project_id: str, user_id: str, managed: Iterable[str]) -> list[str]:
    """Which of the managed roles the member holds now (one shared listing per member)."""
    wanted = sorted(set(managed))
    if not wanted:
        return []
    assigned = [role.id for role in access.assigned_roles(project_id, user_id)]
    return [role for role in wanted if any(role_id_matches(role, live) for live in assigned)]


def undeclared_roles(access: AccessGateway, project_id: str, user_id: str, member_role: str, declared: Iterable[str]) -> list[str]:
    """Extra roles the member holds that ``declared`` does not name (the mirror of their own
    role is not an extra role)."""
    declared = list(declared)
    return sorted(
        role.id
        for role in access.assigned_roles(project_id, user_id)
        if is_undeclared_extra(role.id, member_role, declared)
    )


def assign_roles(access: AccessGateway, project_id: str, user_id: str, roles: Iterable[str]) -> None:
    for role_id in sorted(set(roles)):
        try:
            access.assign_role(project_id, user_id, role_id)
        except AlreadyAssignedError:
            pass  # held already: that is the state wanted
        except NotFoundError as error:
            raise ValueError(cannot_assign(role_id, project_id, error)) from None


def cannot_assign(role_id: str, project_id: str, error: NotFoundError) -> str:
    """A role (or project) the API does not know, and what to do about it."""
    return (f"cannot assign role {role_id} in project {project_id}: {error.message}; check the role id "
            "(`openai-access check --stack NAME` names every unknown role with its path, before any write)")


def unassign_roles(access: AccessGateway, project_id: str, user_id: str, roles: Iterable[str]) -> None:
    for role_id in sorted(set(roles)):
        access.unassign_role(project_id, user_id, role_id)  # already gone counts as done


# --- roles that a ProjectUser of this deployment manages ---------------------------------------
# A stack made before `roles` existed holds each extra role as a UserRoleAssignment. Upgraded,
# its program declares the role in the membership's `roles` instead, and the engine deletes the
# old assignment resource at the end of that `up`, after the memberships' diffs and updates.
# The engine diffs every ProjectUser of the program in every up and preview, in this provider
# process, before any delete of a resource the program dropped: recording the roles those diffs
# declare lets such a delete leave a role that a membership now manages assigned.
_claimed: set[tuple[str, str, str]] = set()
_claimed_lock = threading.Lock()


def claim_roles(project_id: str, user_keys: Iterable[str | None], roles: Iterable[str]) -> None:
    with _claimed_lock:
        for user_key in filter(None, user_keys):
            _claimed.update((project_id, user_key.casefold(), role) for role in roles)


def is_claimed(project_id: str, user_keys: Iterable[str | None], role_id: str) -> bool:
    with _claimed_lock:
        return any((project_id, key.casefold(), role_id) in _claimed for key in filter(None, user_keys))


def forget_claimed_roles() -> None:
    """As a new provider process starts: no membership has declared anything yet."""
    with _claimed_lock:
        _claimed.clear()
