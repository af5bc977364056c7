"""The /v1 Admin API endpoints: the route table and one small handler per operation.

Handlers parse and validate the HTTP request (``inputs``) and delegate the operation to the
store. Routes are written in OpenAPI's ``{param}`` style: the same string is the werkzeug
rule, the counter key (``"METHOD /v1/..."``) and what fault and rate-limit rules match on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from pulumi_openai_access.providers.admin_api import behaviour

from . import inputs
from .errors import ApiError
from .inputs import Field
from .shapes import Json
from .store import Store

PROJECT_USERS = "/v1/organization/projects/{project_id}/users"
PROJECT_USER = "/v1/organization/projects/{project_id}/users/{user_id}"
USER_ROLES = "/v1/projects/{project_id}/users/{user_id}/roles"
USER_ROLE = "/v1/projects/{project_id}/users/{user_id}/roles/{role_id}"

# (method, route template, AdminApi handler name)
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", PROJECT_USERS, "list_project_users"),
    ("POST", PROJECT_USERS, "add_project_user"),
    ("GET", PROJECT_USER, "get_project_user"),
    ("POST", PROJECT_USER, "update_project_user"),
    ("DELETE", PROJECT_USER, "remove_project_user"),
    ("GET", USER_ROLES, "list_assignments"),
    ("POST", USER_ROLES, "assign_role"),
    ("GET", USER_ROLE, "get_assignment"),
    ("DELETE", USER_ROLE, "unassign_role"),
    ("GET", "/v1/organization/users", "list_org_users"),
    ("GET", "/v1/organization/users/{user_id}", "get_org_user"),
    ("GET", "/v1/organization/roles", "list_org_roles"),
    ("GET", "/v1/projects/{project_id}/roles", "list_project_roles"),
    ("GET", "/v1/organization/projects", "list_projects"),
    ("GET", "/v1/organization/projects/{project_id}", "get_project"),
)


def route_key(method: str, template: str) -> str:
    return f"{method} {template}"


def url_map(routes: tuple[tuple[str, str, str], ...]) -> Map:
    """A werkzeug Map whose endpoints are route keys ("METHOD /v1/...{param}")."""
    return Map(
        [
            Rule(template.replace("{", "<").replace("}", ">"), endpoint=route_key(method, template), methods=[method])
            for method, template, _ in routes
        ],
        strict_slashes=False,
    )


_LEGACY_LIMIT = dict(
    low=behaviour.LEGACY_PAGE_MIN, high=behaviour.LEGACY_PAGE_MAX, default=behaviour.LEGACY_PAGE_DEFAULT
)
_RBAC_LIMIT = dict(low=behaviour.RBAC_PAGE_MIN, high=behaviour.RBAC_PAGE_MAX, default=behaviour.RBAC_PAGE_DEFAULT)
_MEMBER_ROLE = Field(str, required=True, choices=behaviour.PROJECT_MEMBER_ROLES)


class AdminApi:
    """Handlers take the request plus the route's path parameters and return the JSON body."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.map = url_map(ROUTES)
        self.handlers: dict[str, Callable[..., Json]] = {
            route_key(method, template): getattr(self, name) for method, template, name in ROUTES
        }

    # --- project users ---------------------------------------------------------------------
    def list_project_users(self, request: Request, project_id: str) -> Json:
        a = request.args
        return self.store.list_project_users(project_id, after=inputs.after(a), limit=inputs.limit(a, **_LEGACY_LIMIT))

    def add_project_user(self, request: Request, project_id: str) -> Json:
        body = inputs.json_body(request, {
            "role": _MEMBER_ROLE,
            "user_id": Field(str, nullable=True),
            "email": Field(str, nullable=True),
        })
        given = [name for name in behaviour.CREATE_NEEDS_EXACTLY_ONE_OF if body[name] is not None]
        if len(given) != 1:
            first, second = behaviour.CREATE_NEEDS_EXACTLY_ONE_OF
            problem = "not both" if given else "none was given"
            raise ApiError(400, f"Exactly one of '{first}' or '{second}' must be provided ({problem}).", param=first)
        return self.store.add_project_user(project_id, role=body["role"], user_id=body["user_id"], email=body["email"])

    def get_project_user(self, request: Request, project_id: str, user_id: str) -> Json:
        return self.store.get_project_user(project_id, user_id)

    def update_project_user(self, request: Request, project_id: str, user_id: str) -> Json:
        body = inputs.json_body(request, {"role": _MEMBER_ROLE})
        return self.store.update_project_user(project_id, user_id, role=body["role"])

    def remove_project_user(self, request: Request, project_id: str, user_id: str) -> Json:
        return self.store.remove_project_user(project_id, user_id)

    # --- role assignments ------------------------------------------------------------------
    def list_assignments(self, request: Request, project_id: str, user_id: str) -> Json:
        a = request.args
        return self.store.list_assignments(
            project_id, user_id, after=inputs.after(a), limit=inputs.limit(a, **_RBAC_LIMIT), order=inputs.order(a)
        )

    def assign_role(self, request: Request, project_id: str, user_id: str) -> Json:
        body = inputs.json_body(request, {"role_id": Field(str, required=True)})
        return self.store.assign_role(project_id, user_id, role_id=body["role_id"])

    def get_assignment(self, request: Request, project_id: str, user_id: str, role_id: str) -> Json:
        return self.store.get_assignment(project_id, user_id, role_id)

    def unassign_role(self, request: Request, project_id: str, user_id: str, role_id: str) -> Json:
        return self.store.unassign_role(project_id, user_id, role_id)

    # --- organization users, roles, projects ---------------------------------------------
    def list_org_users(self, request: Request) -> Json:
        a = request.args
        return self.store.list_org_users(
            after=inputs.after(a), limit=inputs.limit(a, **_LEGACY_LIMIT), emails=inputs.string_list(a, "emails")
        )

    def get_org_user(self, request: Request, user_id: str) -> Json:
        return self.store.get_org_user(user_id)

    def list_org_roles(self, request: Request) -> Json:
        a = request.args
        return self.store.list_org_roles(after=inputs.after(a), limit=inputs.limit(a, **_RBAC_LIMIT), order=inputs.order(a))

    def list_project_roles(self, request: Request, project_id: str) -> Json:
        a = request.args
        return self.store.list_project_roles(
            project_id, after=inputs.after(a), limit=inputs.limit(a, **_RBAC_LIMIT), order=inputs.order(a)
        )

    def list_projects(self, request: Request) -> Json:
        a = request.args
        return self.store.list_projects(
            after=inputs.after(a), limit=inputs.limit(a, **_LEGACY_LIMIT),
            include_archived=inputs.flag(a, "include_archived"),
        )

    def get_project(self, request: Request, project_id: str) -> Json:
        return self.store.get_project(project_id)

    def handle(self, key: str, request: Request, path_args: dict[str, Any]) -> Json:
        return self.handlers[key](request, **path_args)
