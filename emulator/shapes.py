"""JSON shapes of the Admin API objects, exactly as the reference describes them."""

from __future__ import annotations

from typing import Any

from .model import Assignment, Membership, Project, Role, User

Json = dict[str, Any]


def org_user(user: User) -> Json:
    return {
        "object": "organization.user",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "added_at": user.added_at,
    }


def project(proj: Project) -> Json:
    return {
        "id": proj.id,
        "object": "organization.project",
        "name": proj.name,
        "created_at": proj.created_at,
        "archived_at": proj.archived_at,
        "status": proj.status,
    }


def project_user(membership: Membership, user: User) -> Json:
    return {
        "object": "organization.project.user",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": membership.role,
        "added_at": membership.added_at,
    }


def project_user_deleted(user_id: str) -> Json:
    return {"object": "organization.project.user.deleted", "id": user_id, "deleted": True}


def role(r: Role) -> Json:
    return {
        "object": "role",
        "id": r.id,
        "name": r.name,
        "description": r.description,
        "permissions": list(r.permissions),
        "resource_type": r.resource_type,
        "predefined_role": r.predefined,
    }


def assigned_role(r: Role, assignment: Assignment) -> Json:
    """AssignedRoleDetails: a role as seen through an assignment. It has no `object` key."""
    return {
        "id": r.id,
        "name": r.name,
        "permissions": list(r.permissions),
        "resource_type": r.resource_type,
        "predefined_role": r.predefined,
        "description": r.description,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "created_by": None,
        "created_by_user_obj": None,
        "metadata": None,
        # A direct assignment is not inherited from any principal (such as a group).
        "assignment_sources": None,
    }


def user_role_assignment(user: User, r: Role) -> Json:
    return {"object": "user.role", "user": org_user(user), "role": role(r)}


def user_role_deleted() -> Json:
    return {"object": "user.role.deleted", "deleted": True}


def id_list(data: list[Json], has_more: bool) -> Json:
    """The first/last-id list envelope (users, project users, projects)."""
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def cursor_list(data: list[Json], has_more: bool, next_cursor: str | None) -> Json:
    """The next-cursor list envelope (every /roles list). No first_id/last_id here."""
    return {"object": "list", "data": data, "has_more": has_more, "next": next_cursor}
