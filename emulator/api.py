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
SERVICE_ACCOUNTS = "/v1/organization/projects/{project_id}/service_accounts"
SERVICE_ACCOUNT = "/v1/organization/projects/{project_id}/service_accounts/{service_account_id}"
SERVICE_ACCOUNT_KEYS = "/v1/organization/projects/{project_id}/service_accounts/{service_account_id}/api_keys"
PROJECT_API_KEYS = "/v1/organization/projects/{project_id}/api_keys"
PROJECT_API_KEY = "/v1/organization/projects/{project_id}/api_keys/{api_key_id}"
GROUPS = "/v1/organization/groups"
GROUP = "/v1/organization/groups/{group_id}"
GROUP_USERS = "/v1/organization/groups/{group_id}/users"
GROUP_USER = "/v1/organization/groups/{group_id}/users/{user_id}"
PROJECT_GROUPS = "/v1/organization/projects/{project_id}/groups"
PROJECT_GROUP = "/v1/organization/projects/{project_id}/groups/{group_id}"
GROUP_ROLES = "/v1/projects/{project_id}/groups/{group_id}/roles"
GROUP_ROLE = "/v1/projects/{project_id}/groups/{group_id}/roles/{role_id}"
PROJECTS = "/v1/organization/projects"
ORGANIZATION_USER = "/v1/organization/users/{user_id}"
INVITES = "/v1/organization/invites"
INVITE = "/v1/organization/invites/{invite_id}"
PROJECT = "/v1/organization/projects/{project_id}"
PROJECT_ROLES = "/v1/projects/{project_id}/roles"
PROJECT_ROLE = "/v1/projects/{project_id}/roles/{role_id}"
# A non-admin endpoint: it takes a project API key (a service account's), not the admin key.
MODELS = "/v1/models"

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
    ("GET", INVITES, "list_invites"),
    ("POST", INVITES, "create_invite"),
    ("GET", INVITE, "get_invite"),
    ("DELETE", INVITE, "delete_invite"),
    ("GET", "/v1/organization/users", "list_org_users"),
    ("GET", ORGANIZATION_USER, "get_org_user"),
    ("DELETE", ORGANIZATION_USER, "delete_org_user"),
    ("GET", "/v1/organization/roles", "list_org_roles"),
    ("GET", PROJECT_ROLES, "list_project_roles"),
    ("POST", PROJECT_ROLES, "create_project_role"),
    ("GET", PROJECT_ROLE, "get_project_role"),
    ("POST", PROJECT_ROLE, "update_project_role"),
    ("DELETE", PROJECT_ROLE, "delete_project_role"),
    ("GET", PROJECTS, "list_projects"),
    ("POST", PROJECTS, "create_project"),
    ("GET", PROJECT, "get_project"),
    ("POST", PROJECT, "update_project"),
    ("POST", PROJECT + "/archive", "archive_project"),
    ("GET", SERVICE_ACCOUNTS, "list_service_accounts"),
    ("POST", SERVICE_ACCOUNTS, "create_service_account"),
    ("GET", SERVICE_ACCOUNT, "get_service_account"),
    ("POST", SERVICE_ACCOUNT, "update_service_account"),
    ("DELETE", SERVICE_ACCOUNT, "delete_service_account"),
    ("POST", SERVICE_ACCOUNT_KEYS, "create_service_account_key"),
    ("GET", PROJECT_API_KEYS, "list_project_api_keys"),
    ("GET", PROJECT_API_KEY, "get_project_api_key"),
    ("POST", PROJECT_API_KEY, "update_project_api_key"),
    ("DELETE", PROJECT_API_KEY, "delete_project_api_key"),
    ("GET", GROUPS, "list_groups"),
    ("POST", GROUPS, "create_group"),
    ("GET", GROUP, "get_group"),
    ("POST", GROUP, "rename_group"),
    ("DELETE", GROUP, "delete_group"),
    ("GET", GROUP_USERS, "list_group_users"),
    ("POST", GROUP_USERS, "add_group_user"),
    ("GET", GROUP_USER, "get_group_user"),
    ("DELETE", GROUP_USER, "remove_group_user"),
    ("GET", PROJECT_GROUPS, "list_project_groups"),
    ("POST", PROJECT_GROUPS, "add_project_group"),
    ("GET", PROJECT_GROUP, "get_project_group"),
    ("DELETE", PROJECT_GROUP, "remove_project_group"),
    ("GET", GROUP_ROLES, "list_group_assignments"),
    ("POST", GROUP_ROLES, "assign_group_role"),
    ("GET", GROUP_ROLE, "get_group_assignment"),
    ("DELETE", GROUP_ROLE, "unassign_group_role"),
    ("GET", MODELS, "list_models"),
)
# The models GET /v1/models lists (a fixed, small set).
MODEL_IDS = ("gpt-4o-mini", "text-embedding-3-small")


def route_key(method: str, template: str) -> str:
    return f"{method} {template}"


# Routes authenticated by a project API key instead of the admin key.
PROJECT_KEY_ROUTES = frozenset({route_key("GET", MODELS)})


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
_GROUP_LIMIT = dict(low=behaviour.GROUP_PAGE_MIN, high=behaviour.GROUP_PAGE_MAX, default=behaviour.GROUP_PAGE_DEFAULT)
_PROJECT_GROUP_LIMIT = dict(low=behaviour.PROJECT_GROUP_PAGE_MIN, high=behaviour.PROJECT_GROUP_PAGE_MAX,
                            default=behaviour.PROJECT_GROUP_PAGE_DEFAULT)
_MEMBER_ROLE = Field(str, required=True, choices=behaviour.PROJECT_MEMBER_ROLES)
_EXPIRY = Field(int, nullable=True)


def _positive_seconds(value: int | None, name: str = "expires_in_seconds") -> int | None:
    if value is not None and value <= 0:
        raise ApiError(400, f"Invalid '{name}': expected a positive integer, but got {value}.", param=name)
    return value


def _group_name(request: Request) -> str:
    name = inputs.json_body(request, {"name": Field(str, required=True)})["name"]
    if not 1 <= len(name) <= behaviour.GROUP_NAME_MAX_LENGTH:
        raise ApiError(400, f"Invalid 'name': expected 1 to {behaviour.GROUP_NAME_MAX_LENGTH} characters, "
                            f"but got {len(name)}.", param="name")
    return name
def _project_name(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ApiError(400, "Invalid 'name': a project name cannot be empty.", param="name")
    if value is not None and len(value) > behaviour.PROJECT_NAME_MAX_LENGTH:
        raise ApiError(400, f"Invalid 'name': at most {behaviour.PROJECT_NAME_MAX_LENGTH} characters.", param="name")
    return value


def _role_name(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ApiError(400, "Invalid 'role_name': a role name cannot be empty.", param="role_name")
    return value


def _permissions(value: list[Any] | None) -> list[str] | None:
    if value is not None and (not value or not all(isinstance(p, str) and p for p in value)):
        raise ApiError(400, "Invalid 'permissions': expected a non-empty array of non-empty strings.",
                       param="permissions")
    return value


def _scopes(value: list[Any] | None) -> list[str] | None:
    if value is not None and not all(isinstance(scope, str) and scope for scope in value):
        raise ApiError(400, "Invalid 'scopes': expected an array of non-empty strings.", param="scopes")
    return value


def _invite_projects(value: list[Any]) -> list[tuple[str, str]]:
    """``[{id, role}]``, each role member or owner; a project named twice is refused."""
    projects: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        if (not isinstance(item, dict) or set(item) != {"id", "role"} or not isinstance(item["id"], str)
                or item["role"] not in behaviour.INVITE_PROJECT_ROLES):
            raise ApiError(400, f"Invalid 'projects[{index}]': expected {{\"id\": a project id, \"role\": one of "
                                f"{', '.join(behaviour.INVITE_PROJECT_ROLES)}}}.", param=f"projects[{index}]")
        if any(item["id"] == project_id for project_id, _ in projects):
            raise ApiError(400, f"Invalid 'projects[{index}]': project {item['id']} is named twice.",
                           param=f"projects[{index}]")
        projects.append((item["id"], item["role"]))
    return projects


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

    def delete_org_user(self, request: Request, user_id: str) -> Json:
        return self.store.delete_org_user(user_id)

    # --- invites ---------------------------------------------------------------------------
    def list_invites(self, request: Request) -> Json:
        a = request.args
        return self.store.list_invites(after=inputs.after(a), limit=inputs.limit(a, **_LEGACY_LIMIT))

    def create_invite(self, request: Request) -> Json:
        body = inputs.json_body(request, {
            "email": Field(str, required=True),
            "role": Field(str, required=True, choices=behaviour.ORGANIZATION_ROLES),
            "projects": Field(list, nullable=True),
        })
        if "@" not in body["email"]:
            raise ApiError(400, f"Invalid 'email': {body['email']!r} is not an email address.", param="email")
        return self.store.create_invite(email=body["email"], role=body["role"],
                                        projects=_invite_projects(body["projects"] or []))

    def get_invite(self, request: Request, invite_id: str) -> Json:
        return self.store.get_invite(invite_id)

    def delete_invite(self, request: Request, invite_id: str) -> Json:
        return self.store.delete_invite(invite_id)

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

    def create_project(self, request: Request) -> Json:
        body = inputs.json_body(request, {
            "name": Field(str, required=True),
            "residency": Field(str, nullable=True, choices=behaviour.PROJECT_RESIDENCIES),
            "external_key_id": Field(str, nullable=True),
        })
        return self.store.create_project(name=_project_name(body["name"]) or "", residency=body["residency"],
                                         external_key_id=body["external_key_id"])

    def update_project(self, request: Request, project_id: str) -> Json:
        body = inputs.json_body(request, {"name": Field(str, nullable=True), "external_key_id": Field(str, nullable=True)})
        return self.store.update_project(project_id, name=_project_name(body["name"]),
                                         external_key_id=body["external_key_id"])

    def archive_project(self, request: Request, project_id: str) -> Json:
        return self.store.archive_project(project_id)

    def create_project_role(self, request: Request, project_id: str) -> Json:
        body = inputs.json_body(request, {
            "role_name": Field(str, required=True), "permissions": Field(list, required=True),
            "description": Field(str, nullable=True),
        })
        return self.store.create_project_role(
            project_id, role_name=_role_name(body["role_name"]) or "", permissions=_permissions(body["permissions"]) or [],
            description=body["description"],
        )

    def get_project_role(self, request: Request, project_id: str, role_id: str) -> Json:
        return self.store.get_project_role(project_id, role_id)

    def update_project_role(self, request: Request, project_id: str, role_id: str) -> Json:
        body = inputs.json_body(request, {
            "role_name": Field(str, nullable=True), "permissions": Field(list, nullable=True),
            "description": Field(str, nullable=True),
        })
        return self.store.update_project_role(
            project_id, role_id, role_name=_role_name(body["role_name"]), permissions=_permissions(body["permissions"]),
            description=body["description"],
        )

    def delete_project_role(self, request: Request, project_id: str, role_id: str) -> Json:
        return self.store.delete_project_role(project_id, role_id)

    # --- service accounts and project API keys -------------------------------------------
    def list_service_accounts(self, request: Request, project_id: str) -> Json:
        a = request.args
        return self.store.list_service_accounts(project_id, after=inputs.after(a),
                                                limit=inputs.limit(a, **_LEGACY_LIMIT))

    def create_service_account(self, request: Request, project_id: str) -> Json:
        body = inputs.json_body(request, {
            "name": Field(str, required=True),
            "expires_in_seconds": _EXPIRY,
            "create_service_account_only": Field(bool, nullable=True),
        })
        return self.store.create_service_account(
            project_id, name=body["name"], expires_in_seconds=_positive_seconds(body["expires_in_seconds"]),
            account_only=bool(body["create_service_account_only"]),
        )

    def get_service_account(self, request: Request, project_id: str, service_account_id: str) -> Json:
        return self.store.get_service_account(project_id, service_account_id)

    def update_service_account(self, request: Request, project_id: str, service_account_id: str) -> Json:
        body = inputs.json_body(request, {
            "name": Field(str), "role": Field(str, choices=behaviour.SERVICE_ACCOUNT_ROLES),
        })
        return self.store.update_service_account(project_id, service_account_id, name=body["name"], role=body["role"])

    def delete_service_account(self, request: Request, project_id: str, service_account_id: str) -> Json:
        return self.store.delete_service_account(project_id, service_account_id)

    def create_service_account_key(self, request: Request, project_id: str, service_account_id: str) -> Json:
        body = inputs.json_body(request, {"name": Field(str), "expires_in_seconds": _EXPIRY, "scopes": Field(list)})
        return self.store.create_service_account_key(
            project_id, service_account_id, name=body["name"],
            expires_in_seconds=_positive_seconds(body["expires_in_seconds"]), scopes=_scopes(body["scopes"]),
        )

    def list_project_api_keys(self, request: Request, project_id: str) -> Json:
        a = request.args
        access = a.get("owner_project_access")
        if access is not None and access not in behaviour.API_KEY_OWNER_ACCESS_FILTERS:
            allowed = ", ".join(f"'{f}'" for f in behaviour.API_KEY_OWNER_ACCESS_FILTERS)
            raise ApiError(400, f"Invalid 'owner_project_access': expected one of {allowed}, but got {access!r}.",
                           param="owner_project_access")
        return self.store.list_project_api_keys(project_id, after=inputs.after(a),
                                                limit=inputs.limit(a, **_LEGACY_LIMIT), owner_project_access=access)

    def get_project_api_key(self, request: Request, project_id: str, api_key_id: str) -> Json:
        return self.store.get_project_api_key(project_id, api_key_id)

    def update_project_api_key(self, request: Request, project_id: str, api_key_id: str) -> Json:
        body = inputs.json_body(request, {"expires_in_seconds": Field(int), "scopes": Field(list)})
        return self.store.update_project_api_key(
            project_id, api_key_id, expires_in_seconds=_positive_seconds(body["expires_in_seconds"]),
            scopes=_scopes(body["scopes"]),
        )

    def delete_project_api_key(self, request: Request, project_id: str, api_key_id: str) -> Json:
        return self.store.delete_project_api_key(project_id, api_key_id)

    # --- groups, their users, project grants and their roles --------------------------------
    def list_groups(self, request: Request) -> Json:
        a = request.args
        return self.store.list_groups(after=inputs.after(a), limit=inputs.limit(a, **_GROUP_LIMIT), order=inputs.order(a))

    def create_group(self, request: Request) -> Json:
        return self.store.create_group(name=_group_name(request))

    def get_group(self, request: Request, group_id: str) -> Json:
        return self.store.get_group(group_id)

    def rename_group(self, request: Request, group_id: str) -> Json:
        return self.store.rename_group(group_id, name=_group_name(request))

    def delete_group(self, request: Request, group_id: str) -> Json:
        return self.store.delete_group(group_id)

    def list_group_users(self, request: Request, group_id: str) -> Json:
        a = request.args
        return self.store.list_group_users(
            group_id, after=inputs.after(a), limit=inputs.limit(a, **_GROUP_LIMIT),
            order=inputs.order(a, default=behaviour.GROUP_USERS_DEFAULT_ORDER),
        )

    def add_group_user(self, request: Request, group_id: str) -> Json:
        body = inputs.json_body(request, {"user_id": Field(str, required=True)})
        return self.store.add_group_user(group_id, user_id=body["user_id"])

    def get_group_user(self, request: Request, group_id: str, user_id: str) -> Json:
        return self.store.get_group_user(group_id, user_id)

    def remove_group_user(self, request: Request, group_id: str, user_id: str) -> Json:
        return self.store.remove_group_user(group_id, user_id)

    def list_project_groups(self, request: Request, project_id: str) -> Json:
        a = request.args
        return self.store.list_project_groups(
            project_id, after=inputs.after(a), limit=inputs.limit(a, **_PROJECT_GROUP_LIMIT), order=inputs.order(a)
        )

    def add_project_group(self, request: Request, project_id: str) -> Json:
        body = inputs.json_body(request, {"group_id": Field(str, required=True), "role": Field(str, required=True)})
        return self.store.add_project_group(project_id, group_id=body["group_id"], role_id=body["role"])

    def get_project_group(self, request: Request, project_id: str, group_id: str) -> Json:
        group_type = request.args.get("group_type", behaviour.GROUP_TYPES[0])
        if group_type not in behaviour.GROUP_TYPES:
            allowed = ", ".join(f"'{t}'" for t in behaviour.GROUP_TYPES)
            raise ApiError(400, f"Invalid 'group_type': expected one of {allowed}, but got {group_type!r}.",
                           param="group_type")
        return self.store.get_project_group(project_id, group_id)

    def remove_project_group(self, request: Request, project_id: str, group_id: str) -> Json:
        return self.store.remove_project_group(project_id, group_id)

    def list_group_assignments(self, request: Request, project_id: str, group_id: str) -> Json:
        a = request.args
        return self.store.list_group_assignments(
            project_id, group_id, after=inputs.after(a), limit=inputs.limit(a, **_RBAC_LIMIT), order=inputs.order(a)
        )

    def assign_group_role(self, request: Request, project_id: str, group_id: str) -> Json:
        body = inputs.json_body(request, {"role_id": Field(str, required=True)})
        return self.store.assign_group_role(project_id, group_id, role_id=body["role_id"])

    def get_group_assignment(self, request: Request, project_id: str, group_id: str, role_id: str) -> Json:
        return self.store.get_group_assignment(project_id, group_id, role_id)

    def unassign_group_role(self, request: Request, project_id: str, group_id: str, role_id: str) -> Json:
        return self.store.unassign_group_role(project_id, group_id, role_id)

    def list_models(self, request: Request) -> Json:
        data = [{"id": model, "object": "model", "created": 1700000000, "owned_by": "openai"} for model in MODEL_IDS]
        return {"object": "list", "data": data}

    def handle(self, key: str, request: Request, path_args: dict[str, Any]) -> Json:
        return self.handlers[key](request, **path_args)
