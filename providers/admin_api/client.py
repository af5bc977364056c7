"""``AdminClient``: one method per Admin API endpoint the providers use.

Each method describes its request (route, idempotency, how to reconcile an unknown outcome)
and parses the answer; the transport does the HTTP, retries and throttling.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Iterator, NoReturn, Sequence

from .base_url import resolve_base_url
from .credentials import AdminKey, resolve_admin_key
from .errors import (
    AlreadyAssignedError,
    AlreadyMemberError,
    InvitePendingError,
    NotFoundError,
    ProjectAlreadyArchivedError,
    RoleNameTakenError,
)
from .group_endpoints import GroupEndpoints
from .models import (
    M,
    AssignedRole,
    InviteRecord,
    NewApiKey,
    NewServiceAccount,
    OrganizationUser,
    ProjectRecord,
    ProjectApiKey,
    ProjectMembership,
    Role,
    RoleAssignment,
    ServiceAccountRecord,
    parse,
)
from .pace import DEFAULT_WINDOW_SECONDS
from .pagination import LEGACY, NEXT_CURSOR, PageStyle, paginate
from .retry import RetryPolicy
from .transport import ApiRequest, Reconciliation, Transport, the_one_new

# Route templates (below the base URL). The throttle and the logs key on these.
PROJECTS = "/organization/projects"
PROJECT = "/organization/projects/{project_id}"
PROJECT_USERS = "/organization/projects/{project_id}/users"
PROJECT_USER = "/organization/projects/{project_id}/users/{user_id}"
PROJECT_USER_ROLES = "/projects/{project_id}/users/{user_id}/roles"
PROJECT_USER_ROLE = "/projects/{project_id}/users/{user_id}/roles/{role_id}"
PROJECT_ARCHIVE = "/organization/projects/{project_id}/archive"
PROJECT_ROLES = "/projects/{project_id}/roles"
PROJECT_ROLE = "/projects/{project_id}/roles/{role_id}"
ORGANIZATION_USERS = "/organization/users"
INVITES = "/organization/invites"
INVITE = "/organization/invites/{invite_id}"
ORGANIZATION_USER = "/organization/users/{user_id}"
ORGANIZATION_ROLES = "/organization/roles"
SERVICE_ACCOUNTS = "/organization/projects/{project_id}/service_accounts"
SERVICE_ACCOUNT = "/organization/projects/{project_id}/service_accounts/{service_account_id}"
SERVICE_ACCOUNT_KEYS = "/organization/projects/{project_id}/service_accounts/{service_account_id}/api_keys"
PROJECT_API_KEYS = "/organization/projects/{project_id}/api_keys"
PROJECT_API_KEY = "/organization/projects/{project_id}/api_keys/{api_key_id}"

log = logging.getLogger(__name__)


class AdminClient(GroupEndpoints):
    """A thread-safe client for the OpenAI Admin API endpoints behind project access.

    The key comes from ``admin_key`` or $OPENAI_ADMIN_KEY; the base URL from ``base_url``,
    $OPENAI_BASE_URL or the public API. Every endpoint is paced at what it admits, learned from
    its 429s by a throttle shared by every client and thread in the process (throttle.py);
    ``rate_limit_window`` is the API's refill period it assumes, and ``requests_per_minute``
    an upper bound on any endpoint's rate (None: none). The client cannot
    be pickled: build it lazily where it is used.
    """

    def __init__(
        self,
        admin_key: str | AdminKey | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_minute: float | None = None,
        rate_limit_window: float = DEFAULT_WINDOW_SECONDS,
    ) -> None:
        self._transport = Transport(
            resolve_base_url(base_url),
            resolve_admin_key(admin_key),
            timeout=timeout,
            retry=retry or RetryPolicy(),
            requests_per_minute=requests_per_minute,
            rate_limit_window=rate_limit_window,
        )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def __repr__(self) -> str:
        return f"AdminClient(base_url={self.base_url!r})"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("AdminClient cannot be pickled (it holds the admin key and sessions); "
                        "create it lazily where it is used")

    def __reduce__(self) -> NoReturn:
        self.__reduce_ex__(2)

    def __getstate__(self) -> NoReturn:
        self.__reduce_ex__(2)

    def close(self) -> None:
        """Close the HTTP sessions (the client stays usable; new sessions are made on demand)."""
        self._transport.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- project users (legacy membership) -----------------------------------------------
    def list_project_users(self, project_id: str) -> Iterator[ProjectMembership]:
        return self._list(PROJECT_USERS, {"project_id": project_id}, LEGACY, ProjectMembership)

    def add_project_user(
        self, project_id: str, *, role: str, user_id: str | None = None, email: str | None = None
    ) -> ProjectMembership:
        """Add a member by ``user_id`` or ``email`` (exactly one).

        Never adds twice: if an attempt's outcome is unknown (5xx, dropped connection), the
        membership is read back before retrying, and an existing membership is returned as
        it is, even with another role: the caller decides what to do about that.
        """
        if (user_id is None) == (email is None):
            raise ValueError("give exactly one of user_id and email")
        body: dict[str, Any] = {"role": role}
        body.update({"user_id": user_id} if user_id is not None else {"email": email})

        def read_back() -> Any | None:
            uid = user_id if user_id is not None else self._user_id_for_email(email or "")
            if uid is None:
                return None  # not in the organization: the POST cannot have applied
            return self._get_or_none(PROJECT_USER, {"project_id": project_id, "user_id": uid})

        raw = self._call(ApiRequest(
            "POST", PROJECT_USERS, {"project_id": project_id}, body=body, idempotent=False,
            reconcile=Reconciliation(read_back=read_back, done_errors=(AlreadyMemberError,)),
        ))
        return self._parse(ProjectMembership, raw, "POST", PROJECT_USERS)

    def get_project_user(self, project_id: str, user_id: str) -> ProjectMembership:
        return self._get(ProjectMembership, PROJECT_USER, {"project_id": project_id, "user_id": user_id})

    def update_project_user(self, project_id: str, user_id: str, role: str) -> ProjectMembership:
        # Setting a role is idempotent (same body, same result), so it is simply retried.
        raw = self._call(ApiRequest(
            "POST", PROJECT_USER, {"project_id": project_id, "user_id": user_id}, body={"role": role},
        ))
        return self._parse(ProjectMembership, raw, "POST", PROJECT_USER)

    def remove_project_user(self, project_id: str, user_id: str) -> None:
        self._delete(PROJECT_USER, {"project_id": project_id, "user_id": user_id})

    # --- project user role assignments (RBAC) --------------------------------------------
    def list_project_user_roles(self, project_id: str, user_id: str) -> Iterator[AssignedRole]:
        return self._list(PROJECT_USER_ROLES, {"project_id": project_id, "user_id": user_id},
                          NEXT_CURSOR, AssignedRole)

    def assign_project_user_role(self, project_id: str, user_id: str, role_id: str) -> RoleAssignment:
        """Assign a role; never twice (see ``add_project_user`` for unknown outcomes)."""
        ids = {"project_id": project_id, "user_id": user_id, "role_id": role_id}

        def read_back() -> Any | None:
            role = self._get_or_none(PROJECT_USER_ROLE, ids)
            if role is None:
                return None
            # Rebuild the POST's answer: the organization user plus the role.
            user = self._call(ApiRequest("GET", ORGANIZATION_USER, {"user_id": user_id}))
            return {"object": "user.role", "user": user, "role": {"object": "role", **role}}

        raw = self._call(ApiRequest(
            "POST", PROJECT_USER_ROLES, {"project_id": project_id, "user_id": user_id},
            body={"role_id": role_id}, idempotent=False,
            reconcile=Reconciliation(read_back=read_back, done_errors=(AlreadyAssignedError,)),
        ))
        return self._parse(RoleAssignment, raw, "POST", PROJECT_USER_ROLES)

    def get_project_user_role(self, project_id: str, user_id: str, role_id: str) -> AssignedRole:
        return self._get(AssignedRole, PROJECT_USER_ROLE,
                         {"project_id": project_id, "user_id": user_id, "role_id": role_id})

    def unassign_project_user_role(self, project_id: str, user_id: str, role_id: str) -> None:
        self._delete(PROJECT_USER_ROLE, {"project_id": project_id, "user_id": user_id, "role_id": role_id})

    # --- service accounts -----------------------------------------------------------------
    def list_service_accounts(self, project_id: str) -> Iterator[ServiceAccountRecord]:
        return self._list(SERVICE_ACCOUNTS, {"project_id": project_id}, LEGACY, ServiceAccountRecord)

    def create_service_account(
        self, project_id: str, name: str, *, expires_in_seconds: int | None = None,
        create_service_account_only: bool = False, known: Sequence[ServiceAccountRecord] | None = None,
    ) -> NewServiceAccount:
        """Create an account (role ``member``) with its first key, whose value only this answer holds.

        Never creates two: names are not unique and the API takes no client token, so the
        ids of the accounts with this name are listed first (or taken from ``known``, the
        caller's own listing of the project made just before); if an attempt's outcome is
        unknown, an account with this name and an id not in that list is ours (returned
        with ``api_key`` None: its key's value is lost with the answer). More than one such
        account is an ``AmbiguousWriteError``: someone else created one meanwhile.
        """
        ids = {"project_id": project_id}
        listed = self.list_service_accounts(project_id) if known is None else known
        before = {account.id for account in listed if account.name == name}

        def read_back() -> Any | None:
            new = [a for a in self.list_service_accounts(project_id) if a.name == name and a.id not in before]
            found = the_one_new(new, f"service account named {name!r} in project {project_id}",
                                 "POST", SERVICE_ACCOUNTS)
            return None if found is None else found.model_dump()

        body: dict[str, Any] = {"name": name}
        if expires_in_seconds is not None:
            body["expires_in_seconds"] = expires_in_seconds
        if create_service_account_only:
            body["create_service_account_only"] = True
        raw = self._call(ApiRequest("POST", SERVICE_ACCOUNTS, ids, body=body, idempotent=False,
                                    reconcile=Reconciliation(read_back=read_back)))
        return self._parse(NewServiceAccount, raw, "POST", SERVICE_ACCOUNTS)

    def get_service_account(self, project_id: str, service_account_id: str) -> ServiceAccountRecord:
        return self._get(ServiceAccountRecord, SERVICE_ACCOUNT,
                         {"project_id": project_id, "service_account_id": service_account_id})

    def update_service_account(
        self, project_id: str, service_account_id: str, *, name: str | None = None, role: str | None = None
    ) -> ServiceAccountRecord:
        # Setting a name or role is idempotent: simply retried.
        body = {k: v for k, v in (("name", name), ("role", role)) if v is not None}
        raw = self._call(ApiRequest("POST", SERVICE_ACCOUNT,
                                    {"project_id": project_id, "service_account_id": service_account_id}, body=body))
        return self._parse(ServiceAccountRecord, raw, "POST", SERVICE_ACCOUNT)

    def delete_service_account(self, project_id: str, service_account_id: str) -> None:
        """Delete an account and, with it, its keys."""
        self._delete(SERVICE_ACCOUNT, {"project_id": project_id, "service_account_id": service_account_id})

    def create_service_account_key(
        self, project_id: str, service_account_id: str, *, name: str | None = None,
        expires_in_seconds: int | None = None, scopes: Sequence[str] | None = None,
    ) -> NewApiKey:
        """A further key for an account; its value is in this answer only.

        Never leaves a stray key: if an attempt's outcome is unknown, a key of this account
        that was not there before (listed first) is ours, but its value is lost, so it is
        deleted before the create is sent again.
        """
        ids = {"project_id": project_id, "service_account_id": service_account_id}
        before = {key.id for key in self.service_account_keys(project_id, service_account_id)}

        def read_back() -> None:
            new = [k for k in self.service_account_keys(project_id, service_account_id) if k.id not in before]
            lost = the_one_new(new, f"key of service account {service_account_id}", "POST", SERVICE_ACCOUNT_KEYS)
            if lost is not None:
                log.info("POST %s: an earlier attempt created key %s, whose value was lost with its answer; "
                         "deleting it before creating another", SERVICE_ACCOUNT_KEYS, lost.id)
                self.delete_project_api_key(project_id, lost.id)
            return None  # not (or no longer) applied: send it again

        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if expires_in_seconds is not None:
            body["expires_in_seconds"] = expires_in_seconds
        if scopes is not None:
            body["scopes"] = list(scopes)
        raw = self._call(ApiRequest("POST", SERVICE_ACCOUNT_KEYS, ids, body=body, idempotent=False,
                                    reconcile=Reconciliation(read_back=read_back)))
        return self._parse(NewApiKey, raw, "POST", SERVICE_ACCOUNT_KEYS)

    # --- project API keys ------------------------------------------------------------------
    def list_project_api_keys(self, project_id: str, *, owner_project_access: str = "any") -> Iterator[ProjectApiKey]:
        """Every enabled key of the project (``any``: the API's default filter may hide some)."""
        return self._list(PROJECT_API_KEYS, {"project_id": project_id}, LEGACY, ProjectApiKey,
                          query={"owner_project_access": owner_project_access})

    def service_account_keys(self, project_id: str, service_account_id: str) -> list[ProjectApiKey]:
        return [key for key in self.list_project_api_keys(project_id)
                if key.owner.service_account_id == service_account_id]

    def get_project_api_key(self, project_id: str, api_key_id: str) -> ProjectApiKey:
        return self._get(ProjectApiKey, PROJECT_API_KEY, {"project_id": project_id, "api_key_id": api_key_id})

    def update_project_api_key(
        self, project_id: str, api_key_id: str, *, expires_in_seconds: int | None = None,
        scopes: Sequence[str] | None = None,
    ) -> ProjectApiKey:
        # Not idempotent in the strict sense (the expiry restarts from each request), but a
        # repeat only moves the expiry by the retry delay: simply retried.
        body: dict[str, Any] = {}
        if expires_in_seconds is not None:
            body["expires_in_seconds"] = expires_in_seconds
        if scopes is not None:
            body["scopes"] = list(scopes)
        raw = self._call(ApiRequest("POST", PROJECT_API_KEY, {"project_id": project_id, "api_key_id": api_key_id},
                                    body=body))
        return self._parse(ProjectApiKey, raw, "POST", PROJECT_API_KEY)

    def delete_project_api_key(self, project_id: str, api_key_id: str) -> None:
        self._delete(PROJECT_API_KEY, {"project_id": project_id, "api_key_id": api_key_id})

    # --- organization users, roles, projects ---------------------------------------------
    def list_organization_users(self, *, emails: Sequence[str] | None = None) -> Iterator[OrganizationUser]:
        if isinstance(emails, str):
            raise TypeError("emails must be a sequence of strings, not one string")
        if emails is not None and not emails:
            return iter(())  # filtering by no email matches nobody (not everybody)
        # The SDK's wire format (array_format="brackets"): emails[]=a&emails[]=b
        query = {"emails[]": list(emails)} if emails else None
        return self._list(ORGANIZATION_USERS, {}, LEGACY, OrganizationUser, query=query)

    # --- invites --------------------------------------------------------------------------
    def list_invites(self) -> Iterator[InviteRecord]:
        return self._list(INVITES, {}, LEGACY, InviteRecord)

    def create_invite(self, email: str, *, role: str, projects: Sequence[tuple[str, str]]) -> InviteRecord:
        """Invite ``email`` to the organization with ``role``, and to ``projects`` ((id, role)).

        Never sends two: if an attempt's outcome is unknown (5xx, dropped connection), the
        invites are read back before it is sent again, and a pending invite for this address
        is the one that attempt made ("already has a pending invite" then means the same)."""
        wanted = email.casefold()

        def read_back() -> Any | None:
            now = time.time()
            found = [i for i in self.list_invites() if i.email.casefold() == wanted and i.pending_at(now)]
            return found[-1].model_dump() if found else None

        body = {"email": email, "role": role, "projects": [{"id": pid, "role": r} for pid, r in projects]}
        raw = self._call(ApiRequest("POST", INVITES, {}, body=body, idempotent=False,
                                    reconcile=Reconciliation(read_back=read_back, done_errors=(InvitePendingError,))))
        return self._parse(InviteRecord, raw, "POST", INVITES)

    def get_invite(self, invite_id: str) -> InviteRecord:
        return self._get(InviteRecord, INVITE, {"invite_id": invite_id})

    def delete_invite(self, invite_id: str) -> None:
        self._delete(INVITE, {"invite_id": invite_id})

    def get_organization_user(self, user_id: str) -> OrganizationUser:
        return self._get(OrganizationUser, ORGANIZATION_USER, {"user_id": user_id})

    def delete_organization_user(self, user_id: str) -> None:
        """Remove a user from the organization (their memberships and roles go with them)."""
        self._delete(ORGANIZATION_USER, {"user_id": user_id})

    def list_project_roles(self, project_id: str) -> Iterator[Role]:
        return self._list(PROJECT_ROLES, {"project_id": project_id}, NEXT_CURSOR, Role)

    def list_organization_roles(self) -> Iterator[Role]:
        return self._list(ORGANIZATION_ROLES, {}, NEXT_CURSOR, Role)

    def list_projects(self, *, include_archived: bool = False) -> Iterator[ProjectRecord]:
        """The active projects (the API leaves archived ones out unless asked)."""
        query = {"include_archived": "true"} if include_archived else None
        return self._list(PROJECTS, {}, LEGACY, ProjectRecord, query=query)

    def get_project(self, project_id: str) -> ProjectRecord:
        return self._get(ProjectRecord, PROJECT, {"project_id": project_id})

    def create_project(
        self, name: str, *, residency: str | None = None, external_key_id: str | None = None,
        known: Sequence[ProjectRecord] | None = None,
    ) -> ProjectRecord:
        """Create a project. Never two: names are not unique, so the ids of the active projects
        with this name are listed first (or taken from ``known``, the caller's listing made just
        before); if an attempt's outcome is unknown, a project with this name and an id not in
        that list is ours."""
        listed = self.list_projects() if known is None else known
        before = {project.id for project in listed if project.name == name}

        def read_back() -> Any | None:
            new = [p for p in self.list_projects() if p.name == name and p.id not in before]
            found = the_one_new(new, f"project named {name!r}", "POST", PROJECTS)
            return None if found is None else found.model_dump()

        body = {k: v for k, v in (("name", name), ("residency", residency), ("external_key_id", external_key_id))
                if v is not None}
        raw = self._call(ApiRequest("POST", PROJECTS, {}, body=body, idempotent=False,
                                    reconcile=Reconciliation(read_back=read_back)))
        return self._parse(ProjectRecord, raw, "POST", PROJECTS)

    def update_project(self, project_id: str, *, name: str | None = None,
                       external_key_id: str | None = None) -> ProjectRecord:
        # Setting a name is idempotent: simply retried.
        body = {k: v for k, v in (("name", name), ("external_key_id", external_key_id)) if v is not None}
        raw = self._call(ApiRequest("POST", PROJECT, {"project_id": project_id}, body=body))
        return self._parse(ProjectRecord, raw, "POST", PROJECT)

    def archive_project(self, project_id: str) -> ProjectRecord:
        """Archive a project (the API cannot delete one). Archiving an archived project is
        reported as done: the project as it is."""
        ids = {"project_id": project_id}
        try:
            raw = self._call(ApiRequest(
                "POST", PROJECT_ARCHIVE, ids, idempotent=False,
                reconcile=Reconciliation(read_back=lambda: self._archived_or_none(project_id),
                                         done_errors=(ProjectAlreadyArchivedError,)),
            ))
        except ProjectAlreadyArchivedError:
            return self.get_project(project_id)
        return self._parse(ProjectRecord, raw, "POST", PROJECT_ARCHIVE)

    def _archived_or_none(self, project_id: str) -> Any | None:
        project = self.get_project(project_id)
        return project.model_dump() if project.is_archived else None

    # --- custom project roles ----------------------------------------------------------------
    def get_project_role(self, project_id: str, role_id: str) -> Role:
        return self._get(Role, PROJECT_ROLE, {"project_id": project_id, "role_id": role_id})

    def create_project_role(self, project_id: str, role_name: str, permissions: Sequence[str],
                            description: str | None = None) -> Role:
        """Create a custom role. Never two: names are unique in a project, so after an attempt
        whose outcome is unknown the role with this name is ours."""

        def read_back() -> Any | None:
            found = [r for r in self.list_project_roles(project_id) if r.name == role_name and not r.predefined_role]
            return found[0].model_dump() if found else None

        body: dict[str, Any] = {"role_name": role_name, "permissions": list(permissions)}
        if description is not None:
            body["description"] = description
        raw = self._call(ApiRequest("POST", PROJECT_ROLES, {"project_id": project_id}, body=body, idempotent=False,
                                    reconcile=Reconciliation(read_back=read_back, done_errors=(RoleNameTakenError,))))
        return self._parse(Role, raw, "POST", PROJECT_ROLES)

    def update_project_role(self, project_id: str, role_id: str, *, role_name: str | None = None,
                            permissions: Sequence[str] | None = None, description: str | None = None) -> Role:
        # Setting fields is idempotent: simply retried.
        body: dict[str, Any] = {"role_name": role_name, "description": description,
                                "permissions": None if permissions is None else list(permissions)}
        raw = self._call(ApiRequest("POST", PROJECT_ROLE, {"project_id": project_id, "role_id": role_id},
                                    body={k: v for k, v in body.items() if v is not None}))
        return self._parse(Role, raw, "POST", PROJECT_ROLE)

    def delete_project_role(self, project_id: str, role_id: str) -> None:
        self._delete(PROJECT_ROLE, {"project_id": project_id, "role_id": role_id})

    # --- shared plumbing -----------------------------------------------------------------
    def _call(self, request: ApiRequest) -> Any:
        return self._transport.call(request)

    def _parse(self, model: type[M], raw: Any, method: str, route: str) -> M:
        return parse(model, raw, method, route)

    def _get(self, model: type[M], route: str, ids: dict[str, str]) -> M:
        return self._parse(model, self._call(ApiRequest("GET", route, ids)), "GET", route)

    def _get_or_none(self, route: str, ids: dict[str, str]) -> Any | None:
        try:
            return self._call(ApiRequest("GET", route, ids))
        except NotFoundError:
            return None

    def _delete(self, route: str, ids: dict[str, str]) -> None:
        # A 404 on a retry after an attempt with unknown outcome means that attempt deleted it.
        self._call(ApiRequest("DELETE", route, ids,
                              reconcile=Reconciliation(done_errors=(NotFoundError,))))

    def _list(
        self, route: str, ids: dict[str, str], style: PageStyle, model: type[M],
        query: dict[str, Any] | None = None,
    ) -> Iterator[M]:
        return paginate(self._call, ApiRequest("GET", route, ids, query=query), style, model)

    def _user_id_for_email(self, email: str) -> str | None:
        wanted = email.casefold()  # the API matches emails case-insensitively (behaviour.py)
        for user in self.list_organization_users(emails=[email]):
            if (user.email or "").casefold() == wanted:
                return user.id
        return None

