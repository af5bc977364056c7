"""Response models. Tolerant: fields the API adds later are kept (``extra="allow"``), and
only the fields a caller cannot do without are required."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from .errors import UnexpectedResponseError

M = TypeVar("M", bound=BaseModel)


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class ProjectMembership(ApiModel):
    """A legacy project membership (``organization.project.user``)."""

    object: str = "organization.project.user"
    id: str
    name: str | None = None
    email: str | None = None
    role: str
    added_at: int | None = None


class OrganizationUser(ApiModel):
    """An organization user (``organization.user``)."""

    object: str = "organization.user"
    id: str
    name: str | None = None
    email: str | None = None
    role: str | None = None
    added_at: int | None = None
    is_service_account: bool = False
    is_scim_managed: bool = False  # the identity provider manages this user


class InvitedProject(ApiModel):
    id: str
    role: str  # member | owner


class InviteRecord(ApiModel):
    """An invitation to the organization (``organization.invite``)."""

    object: str = "organization.invite"
    id: str
    email: str
    role: str  # owner | reader
    status: str  # pending | accepted | expired
    created_at: int | None = None
    expires_at: int | None = None
    accepted_at: int | None = None
    projects: list[InvitedProject] = []

    def pending_at(self, now: float) -> bool:
        """Pending, and not past its expiry (a listing taken a while ago may say pending)."""
        return self.status == "pending" and (self.expires_at is None or self.expires_at > now)


class Role(ApiModel):
    """A predefined or custom role (``role``)."""

    object: str = "role"
    id: str
    name: str | None = None
    description: str | None = None
    permissions: list[str] = []
    resource_type: str | None = None
    predefined_role: bool = False


class AssignmentSource(ApiModel):
    principal_id: str | None = None
    principal_type: str | None = None


class AssignedRole(ApiModel):
    """A role as assigned to a principal (``AssignedRoleDetails``; it has no ``object``)."""

    id: str
    name: str | None = None
    permissions: list[str] = []
    resource_type: str | None = None
    predefined_role: bool = False
    description: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    created_by: str | None = None
    created_by_user_obj: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    # Non-empty when the role comes through something else (e.g. a group), not directly.
    assignment_sources: list[AssignmentSource] | None = None


class RoleAssignment(ApiModel):
    """The answer to assigning a role to a user (``user.role``)."""

    object: str = "user.role"
    user: OrganizationUser
    role: Role


class GroupRecord(ApiModel):
    """An organization group. ``is_scim_managed``: its name and users belong to the identity
    provider. A rename answers without ``group_type``."""

    object: str = "group"
    id: str
    name: str
    created_at: int | None = None
    is_scim_managed: bool = False
    group_type: str | None = None


class GroupUserRecord(ApiModel):
    """A user as a group's users list shows them."""

    id: str
    name: str | None = None
    email: str | None = None


class ProjectGroupRecord(ApiModel):
    """A group's access to a project (``project.group``). It carries no role: the group's
    roles in the project are its role assignments there (behaviour.py)."""

    object: str = "project.group"
    project_id: str
    group_id: str
    group_name: str | None = None
    group_type: str | None = None
    created_at: int | None = None


class ProjectRecord(ApiModel):
    """A project (``organization.project``)."""

    object: str = "organization.project"
    id: str
    name: str | None = None
    created_at: int | None = None
    archived_at: int | None = None
    status: str | None = None
    external_key_id: str | None = None
    residency: str | None = None

    @property
    def is_archived(self) -> bool:
        return self.status == "archived" or self.archived_at is not None


class ServiceAccountRecord(ApiModel):
    """A project's service account (``organization.project.service_account``)."""

    object: str = "organization.project.service_account"
    id: str
    name: str
    role: str  # member | owner | none
    created_at: int | None = None


class NewApiKey(ApiModel):
    """A service account's API key as created: the only answer that holds its value.

    ``value`` is a ``SecretStr``: repr, str and logs show ``**********``; read it with
    ``value.get_secret_value()`` where it is handed on.
    """

    object: str = "organization.project.service_account.api_key"
    id: str
    name: str | None = None
    value: SecretStr
    created_at: int | None = None
    expires_at: int | None = None


class NewServiceAccount(ServiceAccountRecord):
    """The answer to creating a service account. ``api_key`` is None when it was created
    without one, or when the create's answer was lost and the account was read back (the
    key's value then is lost too)."""

    api_key: NewApiKey | None = None


class ApiKeyOwner(ApiModel):
    type: str | None = None  # user | service_account
    user: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None

    @property
    def service_account_id(self) -> str | None:
        return (self.service_account or {}).get("id") if self.type == "service_account" else None


class ProjectApiKey(ApiModel):
    """A project's API key as listed or retrieved (``organization.project.api_key``): no value."""

    object: str = "organization.project.api_key"
    id: str
    name: str | None = None
    redacted_value: str | None = None
    created_at: int | None = None
    expires_at: int | None = None
    last_used_at: int | None = None
    owner: ApiKeyOwner = ApiKeyOwner()

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def parse(model: type[M], raw: Any, method: str, path: str) -> M:
    """``raw`` as ``model``, or an ``UnexpectedResponseError`` naming the endpoint."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "top level"
        problem = f"{exc.error_count()} problem(s), first: {first['msg']} at {where}"
    # raised outside the except block: pydantic's error text would repeat the whole input
    raise UnexpectedResponseError(
        f"the answer is not a valid {model.__name__}: {problem}", method=method, path=path
    )
