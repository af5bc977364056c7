"""The store's service-account and project API key operations (a mixin of ``Store``).

Same rules as the rest of the store: one lock, whole operations, statuses and messages for
the unconfirmed cases from ``behaviour``. A key's value is made here, returned once in the
create's answer and kept only as a SHA-256 digest, against which ``key_status`` checks a
bearer key on the endpoints that take project keys.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids, shapes
from .errors import ApiError
from .model import ApiKey, Project, ServiceAccount, State
from .pagination import after_id_page
from .shapes import Json


def _now() -> int:
    return int(time.time())


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def redacted(value: str) -> str:
    return f"{value[:behaviour.REDACTED_PREFIX]}...{value[-behaviour.REDACTED_SUFFIX:]}"


class ServiceAccountOperations:
    # Provided by Store.
    _lock: threading.RLock
    _state: State
    _changed: Callable[[], None]
    _active_project: Callable[[str], Project]

    # --- lookups (callers hold the lock) -----------------------------------------------------
    def _service_account(self, project_id: str, service_account_id: str) -> ServiceAccount:
        self._active_project(project_id)
        sa = self._state.service_accounts.get(service_account_id)
        if sa is None or sa.project_id != project_id:
            raise ApiError(
                behaviour.UNKNOWN_SERVICE_ACCOUNT_STATUS,
                behaviour.UNKNOWN_SERVICE_ACCOUNT_MESSAGE.format(
                    service_account_id=service_account_id, project_id=project_id),
            )
        return sa

    def _api_key(self, project_id: str, api_key_id: str) -> ApiKey:
        self._active_project(project_id)
        key = self._state.api_keys.get(api_key_id)
        if key is None or key.project_id != project_id:
            raise ApiError(
                behaviour.UNKNOWN_API_KEY_STATUS,
                behaviour.UNKNOWN_API_KEY_MESSAGE.format(api_key_id=api_key_id, project_id=project_id),
            )
        return key

    def _new_key(self, sa: ServiceAccount, name: str, expires_in_seconds: int | None,
                 scopes: Sequence[str]) -> Json:
        value = ids.service_account_key_value()
        created_at = _now()
        key = ApiKey(
            id=ids.api_key_id(), project_id=sa.project_id, service_account_id=sa.id, name=name,
            value_sha256=digest(value), redacted_value=redacted(value), created_at=created_at,
            expires_at=None if expires_in_seconds is None else created_at + expires_in_seconds,
            scopes=tuple(scopes), seq=self._state.next_seq(),
        )
        self._state.api_keys[key.id] = key
        return shapes.new_api_key(key, value)

    def _render_key(self, key: ApiKey) -> Json:
        return shapes.project_api_key(key, self._state.service_accounts[key.service_account_id])

    # --- service accounts ----------------------------------------------------------------------
    def list_service_accounts(self, project_id: str, *, after: str | None, limit: int) -> Json:
        with self._lock:
            self._active_project(project_id)
            mine = [sa for sa in self._state.service_accounts.values() if sa.project_id == project_id]
            page, has_more = after_id_page(mine, after=after, limit=limit, id_of=lambda sa: sa.id,
                                           seq_of=lambda sa: sa.seq, former_seqs=self._state.removed_ids)
            return shapes.id_list([shapes.service_account(sa) for sa in page], has_more)

    def create_service_account(self, project_id: str, *, name: str, expires_in_seconds: int | None,
                               account_only: bool) -> Json:
        with self._lock:
            self._active_project(project_id)
            if account_only and expires_in_seconds is not None:
                raise ApiError(400, "'expires_in_seconds' cannot be set when 'create_service_account_only' is true.",
                               param="expires_in_seconds")
            role = behaviour.SERVICE_ACCOUNT_ROLE_WITHOUT_ACCESS if account_only else "member"
            sa = ServiceAccount(ids.service_account_id(), project_id, name, role, _now(), self._state.next_seq())
            self._state.service_accounts[sa.id] = sa
            first_key = None if account_only else self._new_key(
                sa, behaviour.SERVICE_ACCOUNT_FIRST_KEY_NAME, expires_in_seconds, ())
            self._changed()
            return shapes.service_account_created(sa, first_key)

    def get_service_account(self, project_id: str, service_account_id: str) -> Json:
        with self._lock:
            return shapes.service_account(self._service_account(project_id, service_account_id))

    def update_service_account(self, project_id: str, service_account_id: str, *, name: str | None,
                               role: str | None) -> Json:
        with self._lock:
            sa = self._service_account(project_id, service_account_id)
            sa = replace(sa, name=sa.name if name is None else name, role=sa.role if role is None else role)
            self._state.service_accounts[sa.id] = sa
            self._changed()
            return shapes.service_account(sa)

    def delete_service_account(self, project_id: str, service_account_id: str) -> Json:
        with self._lock:
            sa = self._service_account(project_id, service_account_id)
            for key in [k for k in self._state.api_keys.values() if k.service_account_id == sa.id]:
                self._forget_key(key)
            del self._state.service_accounts[sa.id]
            self._state.removed_ids[sa.id] = sa.seq
            self._changed()
            return shapes.service_account_deleted(sa.id)

    def create_service_account_key(self, project_id: str, service_account_id: str, *, name: str | None,
                                   expires_in_seconds: int | None, scopes: Sequence[str] | None) -> Json:
        with self._lock:
            sa = self._service_account(project_id, service_account_id)
            created = self._new_key(sa, name or behaviour.SERVICE_ACCOUNT_FIRST_KEY_NAME, expires_in_seconds,
                                    scopes or ())
            self._changed()
            return created

    # --- project API keys ----------------------------------------------------------------------
    def list_project_api_keys(self, project_id: str, *, after: str | None, limit: int,
                              owner_project_access: str | None) -> Json:
        with self._lock:
            self._active_project(project_id)
            # Without a filter, only keys whose owner has access (the "visibility rules").
            wanted = owner_project_access or "active"
            mine = [k for k in self._state.api_keys.values() if k.project_id == project_id and (
                wanted == "any" or shapes.owner_project_access(self._state.service_accounts[k.service_account_id])
                == wanted)]
            page, has_more = after_id_page(mine, after=after, limit=limit, id_of=lambda k: k.id,
                                           seq_of=lambda k: k.seq, former_seqs=self._state.removed_ids)
            return shapes.id_list([self._render_key(k) for k in page], has_more)

    def get_project_api_key(self, project_id: str, api_key_id: str) -> Json:
        with self._lock:
            return self._render_key(self._api_key(project_id, api_key_id))

    def update_project_api_key(self, project_id: str, api_key_id: str, *, expires_in_seconds: int | None,
                               scopes: Sequence[str] | None) -> Json:
        with self._lock:
            key = self._api_key(project_id, api_key_id)
            now = _now()
            if key.expired(now):
                raise ApiError(behaviour.KEY_EXPIRED_STATUS,
                               behaviour.KEY_EXPIRED_MESSAGE.format(api_key_id=api_key_id))
            if expires_in_seconds is not None:
                key = replace(key, expires_at=now + expires_in_seconds)
            if scopes is not None:
                key = replace(key, scopes=tuple(scopes))
            self._state.api_keys[key.id] = key
            self._changed()
            return self._render_key(key)

    def delete_project_api_key(self, project_id: str, api_key_id: str) -> Json:
        with self._lock:
            self._forget_key(self._api_key(project_id, api_key_id))
            self._changed()
            return shapes.api_key_deleted(api_key_id)

    def _forget_key(self, key: ApiKey) -> None:
        del self._state.api_keys[key.id]
        self._state.removed_ids[key.id] = key.seq

    # --- project keys as credentials --------------------------------------------------------
    def key_status(self, value: str) -> str:
        """``valid``, ``expired`` or ``unknown`` (never issued, or deleted) for a bearer key;
        a valid key's ``last_used_at`` is updated."""
        wanted = digest(value)
        with self._lock:
            key = next((k for k in self._state.api_keys.values() if k.value_sha256 == wanted), None)
            if key is None:
                return "unknown"
            now = _now()
            if key.expired(now):
                return "expired"
            self._state.api_keys[key.id] = replace(key, last_used_at=now)
            self._changed()
            return "valid"
