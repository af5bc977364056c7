"""A service account's one managed API key: when a new one is due, and replacing it with no
moment without a valid key (the new key exists before the old one is deleted)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .access_gateway import AccessGateway
from .admin_api.errors import AdminApiError, NotFoundError, ProjectArchivedError
from .admin_api.models import NewApiKey

log = logging.getLogger(__name__)

# Inputs that describe the key: a change to any of them makes a new key.
KEY_INPUTS = ("key_expires_in_seconds", "key_scopes", "rotation")


@dataclass(frozen=True)
class KeyOptions:
    expires_in_seconds: int | None
    scopes: Sequence[str] | None

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> KeyOptions:
        expires = inputs.get("key_expires_in_seconds")
        scopes = inputs.get("key_scopes")
        return cls(None if expires is None else int(expires), None if scopes is None else list(scopes))


def renewal_reason(olds: Mapping[str, Any], news: Mapping[str, Any], now: float) -> str | None:
    """Why the key in ``olds`` (previous outputs) must be replaced for ``news``, or None.

    A changed key input; no key (never made, or deleted out of band and seen by refresh);
    an expired key; or one within ``key_renew_before_seconds`` of its expiry (automatic
    rotation, decided in ``diff`` like Terraform's ``early_renewal_hours``).
    """
    changed = [prop for prop in KEY_INPUTS if olds.get(prop) != news.get(prop)]
    if changed:
        return f"{', '.join(changed)} changed"
    if not olds.get("api_key_id") or not olds.get("api_key"):
        return "the key is gone"
    expires_at = olds.get("api_key_expires_at")
    if expires_at is None:
        return None
    if expires_at <= now:
        return "the key has expired"
    renew_before = news.get("key_renew_before_seconds")
    if renew_before is not None and expires_at - renew_before <= now:
        return f"the key expires within key_renew_before_seconds ({int(renew_before)}s)"
    return None


def new_key(access: AccessGateway, project_id: str, service_account_id: str, key_name: str,
            options: KeyOptions) -> NewApiKey:
    return access.create_service_account_key(
        project_id, service_account_id, name=key_name,
        expires_in_seconds=options.expires_in_seconds, scopes=options.scopes,
    )


def replace_key(access: AccessGateway, project_id: str, service_account_id: str, key_name: str,
                options: KeyOptions, old_key_ids: Sequence[str]) -> NewApiKey:
    """A new key, then the old ones deleted: whoever holds the old key keeps a valid one
    until the new one exists (and can be handed on by the same update).

    If an old key cannot be deleted, the operation fails and the state keeps the old key, so
    the new one (which nobody has seen) is deleted again rather than left unknown to the stack.
    """
    created = new_key(access, project_id, service_account_id, key_name, options)
    try:
        for old in old_key_ids:
            delete_key(access, project_id, old)
    except AdminApiError:
        try:
            delete_key(access, project_id, created.id)
        except AdminApiError as error:
            log.warning("key %s of service account %s could not be taken back after the old key's deletion "
                        "failed (%s): delete it by hand", created.id, service_account_id, error.message)
        raise
    return created


def delete_key(access: AccessGateway, project_id: str, api_key_id: str) -> None:
    try:
        access.delete_api_key(project_id, api_key_id)
    except (NotFoundError, ProjectArchivedError):
        log.info("key %s of project %s was already gone", api_key_id, project_id)
