"""The Admin API's errors, one class per way a call fails, and nothing else.

Which class a response gets is decided in ``response_errors``. No error holds a request, a
response or a header: only scrubbed text and the fields below.
"""

from __future__ import annotations

from typing import Any


class AdminApiError(Exception):
    """An Admin API call failed. ``status`` is None when no HTTP response was received."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        # args holds the message only, so pickling an error (BaseException.__reduce__ sends
        # args + __dict__) round-trips, and nothing but scrubbed text is in it.
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.method = method
        self.path = path
        self.retry_after = retry_after  # the server's requested wait in seconds, if it sent one
        self.attempts = 1  # set by the transport when it gave up after retrying

    def __str__(self) -> str:
        where = " ".join(str(p) for p in (self.status, self.method, self.path) if p is not None)
        details = [where] if where else []
        if self.code:
            details.append(f"code={self.code}")
        if self.param:
            details.append(f"param={self.param}")
        if self.request_id:
            details.append(f"request_id={self.request_id}")
        if self.attempts > 1:
            details.append(f"after {self.attempts} attempts")
        return f"{self.message} ({', '.join(details)})" if details else self.message


class NotFoundError(AdminApiError):
    """404: unknown project, user or role, a non-member, or a role that is not assigned."""


class InvalidRequestError(AdminApiError):
    """400 (or 422) that no more specific class describes."""


class AlreadyMemberError(InvalidRequestError):
    """Adding a user who already exists in the project."""


class NotInOrganizationError(InvalidRequestError):
    """Adding a user (by id or email) who is not a member of the organization."""


class AssigneeNotMemberError(InvalidRequestError):
    """Assigning a project role to a user who is not a member of the project."""


class AlreadyAssignedError(InvalidRequestError):
    """Assigning a role that is already assigned."""


class ProjectArchivedError(InvalidRequestError):
    """Any user or role-assignment call on an archived project."""


class AlreadyInGroupError(InvalidRequestError):
    """Adding a user who is in the group already."""


class ScimManagedGroupError(InvalidRequestError):
    """Renaming or deleting a group the identity provider manages, or changing its users."""


class ApiKeyExpiredError(InvalidRequestError):
    """Updating an API key that has expired."""


class ProjectAlreadyArchivedError(InvalidRequestError):
    """Archiving (or renaming) a project that is archived already."""


class RoleNameTakenError(InvalidRequestError):
    """Creating or renaming a custom role to a name the project's roles already use."""


class RoleStillAssignedError(InvalidRequestError):
    """Deleting a custom role that someone in the project still holds."""


class InvitePendingError(InvalidRequestError):
    """The address has a pending invite already."""


class AlreadyInOrganizationError(InvalidRequestError):
    """The address is already an organization user: nobody to invite."""


class InviteAcceptedError(InvalidRequestError):
    """An accepted invite cannot be deleted."""


class AuthenticationError(AdminApiError):
    """401: missing, wrong or non-admin key."""


class PermissionDeniedError(AdminApiError):
    """403."""


class RateLimitedError(AdminApiError):
    """429. ``retry_after`` is the wait the server asked for (seconds), or None if it gave none."""


class ServerError(AdminApiError):
    """5xx. The request may or may not have been applied."""


class ApiConnectionError(AdminApiError):
    """No HTTP response: could not connect, timed out, or the connection dropped.

    ``request_sent`` is False only when the request certainly never reached the server
    (the connection was never established), so a non-idempotent call is safe to repeat.
    """

    def __init__(self, message: str, *, request_sent: bool = True, retryable: bool = True, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.request_sent = request_sent
        self.retryable = retryable


class PaginationError(AdminApiError):
    """A list response said there were more pages but gave no usable (advancing) cursor."""


class UnexpectedResponseError(AdminApiError):
    """A success response whose body is not the JSON shape the endpoint documents."""


class AmbiguousWriteError(AdminApiError):
    """A create whose outcome was unknown, read back, matches more than one new object: one
    may be ours, the others someone else's, and nothing tells them apart."""
