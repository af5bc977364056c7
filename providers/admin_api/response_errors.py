"""An HTTP error response turned into the typed error it means (``errors``).

Statuses and message fragments come from ``behaviour.py``; matching is on fragments, never on
whole messages. Every server-supplied string is scrubbed of key-like text before it reaches an
error.
"""

from __future__ import annotations

import json
from typing import Callable

from . import behaviour, errors
from .errors import AdminApiError

# Fragment → class for 400s; the first match wins. Order matters only if fragments overlapped.
_INVALID_REQUEST_FRAGMENTS: tuple[tuple[str, type[AdminApiError]], ...] = (
    (behaviour.ALREADY_MEMBER_FRAGMENT, errors.AlreadyMemberError),
    (behaviour.NOT_IN_ORGANIZATION_FRAGMENT, errors.NotInOrganizationError),
    (behaviour.ASSIGNEE_NOT_MEMBER_FRAGMENT, errors.AssigneeNotMemberError),
    (behaviour.ALREADY_ASSIGNED_FRAGMENT, errors.AlreadyAssignedError),
    (behaviour.ALREADY_ARCHIVED_FRAGMENT, errors.ProjectAlreadyArchivedError),
    (behaviour.ARCHIVED_PROJECT_FRAGMENT, errors.ProjectArchivedError),
    (behaviour.ROLE_NAME_TAKEN_FRAGMENT, errors.RoleNameTakenError),
    (behaviour.ROLE_STILL_ASSIGNED_FRAGMENT, errors.RoleStillAssignedError),
    (behaviour.KEY_EXPIRED_FRAGMENT, errors.ApiKeyExpiredError),
    (behaviour.ALREADY_IN_GROUP_FRAGMENT, errors.AlreadyInGroupError),
    (behaviour.SCIM_MANAGED_FRAGMENT, errors.ScimManagedGroupError),
    (behaviour.INVITE_PENDING_FRAGMENT, errors.InvitePendingError),
    (behaviour.ALREADY_IN_ORGANIZATION_FRAGMENT, errors.AlreadyInOrganizationError),
    (behaviour.INVITE_ACCEPTED_FRAGMENT, errors.InviteAcceptedError),
)


def classify(status: int, message: str) -> type[AdminApiError]:
    """The error class for an HTTP error status and its (server) message."""
    lowered = message.lower()
    # The "not a member of <project>" status is unconfirmed (400 or 404): it means "not found"
    # either way, so the fragment decides, not the status.
    if status in (400, 404) and behaviour.NOT_PROJECT_MEMBER_FRAGMENT in lowered:
        return errors.NotFoundError
    if status == 404:
        return errors.NotFoundError
    if status in (400, 422):
        for fragment, cls in _INVALID_REQUEST_FRAGMENTS:
            if fragment.lower() in lowered:
                return cls
        return errors.InvalidRequestError
    if status == 401:
        return errors.AuthenticationError
    if status == 403:
        return errors.PermissionDeniedError
    if status == 429:
        return errors.RateLimitedError
    if status >= 500:
        return errors.ServerError
    return AdminApiError


def error_from_response(
    *,
    status: int,
    reason: str,
    body: bytes,
    method: str,
    path: str,
    request_id: str | None,
    retry_after: float | None,
    scrub: Callable[[str], str],
) -> AdminApiError:
    """A typed error for a non-2xx response; a body that is not the JSON error shape still
    gives a typed error whose message says what came back. ``scrub`` removes secrets from
    every server-supplied string (a server may echo a key, even partly masked)."""
    fields = {k: scrub(v) for k, v in _error_fields(body).items()}
    message = fields.get("message") or scrub(_fallback_message(status, reason, body))
    cls = classify(status, message)
    return cls(
        message,
        status=status,
        error_type=fields.get("type"),
        code=fields.get("code"),
        param=fields.get("param"),
        request_id=request_id,
        method=method,
        path=path,
        retry_after=retry_after,
    )


def _error_fields(body: bytes) -> dict[str, str]:
    try:
        payload = json.loads(body)
    except ValueError:
        return {}
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, str):  # some gateways answer {"error": "text"}
        return {"message": error}
    if not isinstance(error, dict):
        return {}
    return {k: str(error[k]) for k in ("message", "type", "code", "param") if error.get(k) is not None}


def _fallback_message(status: int, reason: str, body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())  # collapse HTML/whitespace
    if len(text) > 200:
        text = text[:200] + "…"
    head = f"HTTP {status} {reason}".strip()
    return f"{head}: {text}" if text else f"{head} (empty response body)"
