"""The emulated organization's records: plain, immutable values kept by the store.

Every record carries ``seq``, its position in creation order. Lists are ordered by it and
the opaque ``next`` cursors point at it, so a list keeps paging correctly even when the
item a cursor points at is deleted between pages (as keyset pagination does on a real
database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from pulumi_openai_access.providers.admin_api import behaviour

PROJECT_RESOURCE = "api.project"
ORGANIZATION_RESOURCE = "api.organization"


@dataclass(frozen=True)
class Organization:
    id: str
    name: str


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    role: str  # organization role: owner | reader
    added_at: int
    seq: int = field(default=0, compare=False)
    is_service_account: bool = False  # a service account's user (listed among the users)
    is_scim_managed: bool = False  # managed by the identity provider (SCIM)


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    status: str  # active | archived
    created_at: int
    archived_at: int | None
    seq: int = field(default=0, compare=False)
    external_key_id: str | None = None
    residency: str | None = None

    @property
    def archived(self) -> bool:
        return self.status == "archived"


@dataclass(frozen=True)
class Role:
    id: str
    project_id: str | None  # None: an organization role
    name: str
    permissions: tuple[str, ...]
    description: str | None
    predefined: bool
    created_at: int | None
    updated_at: int | None
    seq: int = field(default=0, compare=False)

    @property
    def resource_type(self) -> str:
        if self.predefined or self.project_id is not None:
            return PROJECT_RESOURCE
        return ORGANIZATION_RESOURCE

    def assignable_in(self, project_id: str) -> bool:
        """Predefined project roles, the project's own roles and organization roles are;
        another project's roles are not (they do not exist there)."""
        return self.project_id in (None, project_id)


@dataclass(frozen=True)
class Membership:
    project_id: str
    user_id: str
    role: str  # legacy project role: owner | member
    added_at: int
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Assignment:
    project_id: str
    user_id: str
    role_id: str
    created_at: int
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    is_scim_managed: bool
    created_at: int
    group_type: str = "group"
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class GroupUser:
    group_id: str
    user_id: str
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ProjectGroup:
    """A group's access to a project; its role is its first ``GroupAssignment`` there."""

    project_id: str
    group_id: str
    created_at: int
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class GroupAssignment:
    project_id: str
    group_id: str
    role_id: str
    created_at: int
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ServiceAccount:
    id: str
    project_id: str
    name: str
    role: str  # member | owner | none
    created_at: int
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ApiKey:
    """A service account's key. Only a digest of the value is kept, as a real service would:
    the value is in the create's answer and nowhere else (not in dumps or --state files)."""

    id: str
    project_id: str
    service_account_id: str
    name: str
    value_sha256: str
    redacted_value: str
    created_at: int
    expires_at: int | None
    scopes: tuple[str, ...] = ()
    last_used_at: int | None = None
    seq: int = field(default=0, compare=False)

    def expired(self, now: int) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class Invite:
    """An invitation to the organization. Its status is ``pending`` until accepted, or
    ``expired`` once ``expires_at`` has passed (a pending invite is not rewritten then)."""

    id: str
    email: str
    role: str  # organization role: owner | reader
    projects: tuple[tuple[str, str], ...]  # (project id, member | owner)
    created_at: int
    expires_at: int | None
    accepted_at: int | None = None
    seq: int = field(default=0, compare=False)

    def status(self, now: int) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "pending"


_READ = [
    "api.organization.projects.read",
    "api.organization.projects.users.read",
    "api.organization.projects.api_keys.read",
    "api.organization.projects.service_accounts.read",
]
_USE = ["api.model.request", "api.files.read", "api.files.write"]
_MANAGE = [
    "api.organization.projects.users.write",
    "api.organization.projects.api_keys.write",
    "api.organization.projects.service_accounts.write",
    "api.organization.projects.rate_limits.write",
]
# Built in to every project; the ids are the ones the official Terraform provider documents.
PREDEFINED_PROJECT_ROLES: tuple[Role, ...] = tuple(
    Role(
        id=role_id,
        project_id=None,
        name=name,
        permissions=tuple(permissions),
        description=description,
        predefined=True,
        created_at=None,
        updated_at=None,
        seq=seq,
    )
    for seq, (role_id, name, permissions, description) in enumerate(
        [
            ("role-api-project-owner", "Owner", _READ + _USE + _MANAGE,
             "Full control over the project, its members and its keys."),
            ("role-api-project-member", "Member", _READ + _USE,
             "Can use the project's models and manage their own API keys."),
            ("role-api-project-viewer", "Viewer", _READ,
             "Read-only access to the project."),
        ]
    )
)
assert tuple(r.id for r in PREDEFINED_PROJECT_ROLES) == behaviour.PREDEFINED_PROJECT_ROLE_IDS
PREDEFINED_BY_ID = {r.id: r for r in PREDEFINED_PROJECT_ROLES}


@dataclass
class State:
    """Everything the emulator knows. Mutated only by the store, under its lock."""

    organization: Organization
    users: dict[str, User] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)  # custom roles only
    memberships: dict[tuple[str, str], Membership] = field(default_factory=dict)
    assignments: dict[tuple[str, str, str], Assignment] = field(default_factory=dict)
    # Positions of removed users, memberships, so `after=<removed user id>` still resumes there.
    removed_memberships: dict[tuple[str, str], int] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    # Positions of deleted service accounts, keys and invites (ids are unique), for `after=<id>`.
    removed_ids: dict[str, int] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    group_users: dict[tuple[str, str], GroupUser] = field(default_factory=dict)  # (group, user)
    project_groups: dict[tuple[str, str], ProjectGroup] = field(default_factory=dict)  # (project, group)
    group_assignments: dict[tuple[str, str, str], GroupAssignment] = field(default_factory=dict)
    _seq: count = field(default_factory=lambda: count(len(PREDEFINED_PROJECT_ROLES)))

    def next_seq(self) -> int:
        return next(self._seq)

    def role(self, role_id: str) -> Role | None:
        """A predefined or custom role by id."""
        return PREDEFINED_BY_ID.get(role_id) or self.roles.get(role_id)
