"""JSON shapes of the Admin API objects, exactly as the reference describes them."""

from __future__ import annotations

from typing import Any

from .model import (
    ApiKey,
    Assignment,
    Group,
    GroupAssignment,
    Invite,
    Membership,
    Project,
    ProjectGroup,
    Role,
    ServiceAccount,
    User,
)

Json = dict[str, Any]


def org_user(user: User) -> Json:
    return {
        "object": "organization.user",
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "added_at": user.added_at,
        "is_service_account": user.is_service_account,
        "is_scim_managed": user.is_scim_managed,
    }


def org_user_deleted(user_id: str) -> Json:
    return {"object": "organization.user.deleted", "id": user_id, "deleted": True}


def project(proj: Project) -> Json:
    return {
        "id": proj.id,
        "object": "organization.project",
        "name": proj.name,
        "created_at": proj.created_at,
        "archived_at": proj.archived_at,
        "status": proj.status,
        "external_key_id": proj.external_key_id,
        **({"residency": proj.residency} if proj.residency is not None else {}),
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


def role_deleted(role_id: str) -> Json:
    return {"object": "role.deleted", "id": role_id, "deleted": True}


def assigned_role(r: Role, assignment: Assignment | GroupAssignment) -> Json:
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


def group(g: Group) -> Json:
    return {"object": "group", "id": g.id, "name": g.name, "created_at": g.created_at,
            "is_scim_managed": g.is_scim_managed, "group_type": g.group_type}


def group_updated(g: Group) -> Json:
    return {"id": g.id, "name": g.name, "created_at": g.created_at, "is_scim_managed": g.is_scim_managed}


def group_deleted(group_id: str) -> Json:
    return {"object": "group.deleted", "id": group_id, "deleted": True}


def group_user(user: User) -> Json:
    """A user as a group's users list shows them."""
    return {"object": "organization.group.user", "id": user.id, "name": user.name, "email": user.email}


def group_user_details(user: User) -> Json:
    return {"id": user.id, "name": user.name, "email": user.email, "picture": None,
            "is_service_account": False, "user_type": "user"}


def group_user_added(group_id: str, user_id: str) -> Json:
    return {"object": "group.user", "group_id": group_id, "user_id": user_id}


def group_user_deleted() -> Json:
    return {"object": "group.user.deleted", "deleted": True}


def project_group(grant: ProjectGroup, g: Group) -> Json:
    return {"object": "project.group", "project_id": grant.project_id, "group_id": g.id, "group_name": g.name,
            "group_type": g.group_type, "created_at": grant.created_at}


def project_group_deleted() -> Json:
    return {"object": "project.group.deleted", "deleted": True}


def group_role_assignment(g: Group, r: Role) -> Json:
    return {"object": "group.role",
            "group": {"object": "group", "id": g.id, "name": g.name, "created_at": g.created_at,
                      "scim_managed": g.is_scim_managed},
            "role": role(r)}


def group_role_deleted() -> Json:
    return {"object": "group.role.deleted", "deleted": True}


def service_account(sa: ServiceAccount) -> Json:
    return {
        "object": "organization.project.service_account",
        "id": sa.id,
        "name": sa.name,
        "role": sa.role,
        "created_at": sa.created_at,
    }


def new_api_key(key: ApiKey, value: str) -> Json:
    """The one answer that holds a key's value."""
    return {
        "object": "organization.project.service_account.api_key",
        "id": key.id,
        "name": key.name,
        "value": value,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
    }


def service_account_created(sa: ServiceAccount, first_key: Json | None) -> Json:
    return {**service_account(sa), "api_key": first_key}


def service_account_deleted(service_account_id: str) -> Json:
    return {"object": "organization.project.service_account.deleted", "id": service_account_id, "deleted": True}


def owner_project_access(sa: ServiceAccount) -> str:
    """A service account with role `none` has no effective access to its project."""
    return "inactive" if sa.role == "none" else "active"


def project_api_key(key: ApiKey, owner: ServiceAccount) -> Json:
    return {
        "object": "organization.project.api_key",
        "id": key.id,
        "name": key.name,
        "redacted_value": key.redacted_value,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "expires_at": key.expires_at,
        "owner": {
            "type": "service_account",
            "service_account": {"id": owner.id, "name": owner.name, "created_at": owner.created_at,
                                "role": owner.role},
            "user": None,
        },
        "owner_project_access": owner_project_access(owner),
    }


def api_key_deleted(api_key_id: str) -> Json:
    return {"object": "organization.project.api_key.deleted", "id": api_key_id, "deleted": True}


def invite(inv: Invite, now: int) -> Json:
    return {
        "object": "organization.invite",
        "id": inv.id,
        "email": inv.email,
        "role": inv.role,
        "status": inv.status(now),
        "created_at": inv.created_at,
        "expires_at": inv.expires_at,
        "accepted_at": inv.accepted_at,
        "projects": [{"id": project_id, "role": role} for project_id, role in inv.projects],
    }


def invite_deleted(invite_id: str) -> Json:
    return {"object": "organization.invite.deleted", "id": invite_id, "deleted": True}


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
