"""The admin API client: typed requests, retries, throttling and pagination."""

from .base_url import DEFAULT_BASE_URL, InsecureBaseUrlError
from .client import AdminClient
from .credentials import AdminKey
from .errors import (
    AdminApiError,
    AlreadyAssignedError,
    AlreadyMemberError,
    ApiConnectionError,
    AssigneeNotMemberError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    NotInOrganizationError,
    PaginationError,
    PermissionDeniedError,
    ProjectArchivedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
)
from .models import AssignedRole, OrganizationUser, Project, ProjectUser, Role, RoleAssignment
from .retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "AdminApiError",
    "AdminClient",
    "AdminKey",
    "AlreadyAssignedError",
    "AlreadyMemberError",
    "ApiConnectionError",
    "AssignedRole",
    "AssigneeNotMemberError",
    "AuthenticationError",
    "InsecureBaseUrlError",
    "InvalidRequestError",
    "NotFoundError",
    "NotInOrganizationError",
    "OrganizationUser",
    "PaginationError",
    "PermissionDeniedError",
    "Project",
    "ProjectArchivedError",
    "ProjectUser",
    "RateLimitedError",
    "RetryPolicy",
    "Role",
    "RoleAssignment",
    "ServerError",
    "UnexpectedResponseError",
]
