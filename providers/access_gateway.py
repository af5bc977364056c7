"""The providers' one gateway to the Admin API inside a provider process: every read and
every write of a resource goes through it.

Reads are served from listings shared by all resources (one paged listing per project for
memberships, one per project user for role assignments, one of the organization for
emails, one per project for service accounts, one for API keys and one for its roles; groups in
``groups``); every write invalidates the listings it touches. A read that decides a write is made afresh instead
(what exists just before creating a service account, a key, a project or a role, whose names
are not unique). One instance exists per set of settings in a process and is shared by every
resource and every engine thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

from .admin_api.client import AdminClient
from .admin_api.errors import NotFoundError, ProjectArchivedError
from .admin_api.models import (
    AssignedRole,
    InviteRecord,
    NewApiKey,
    NewServiceAccount,
    OrganizationUser,
    ProjectApiKey,
    ProjectMembership,
    ProjectRecord,
    Role,
    RoleAssignment,
    ServiceAccountRecord,
)
from .group_gateway import GroupGateway
from .settings import ProviderSettings
from .shared_listings import SharedListings, gone_is_empty, invalidating
from .user_reference import UserReference


# Long enough to serve a whole refresh from one listing per project; short enough that a
# long-lived process does not act on a stale picture for long. Writes invalidate at once.
LISTING_TTL_SECONDS = 300.0


class AccessGateway:
    def __init__(self, client: AdminClient, listing_ttl: float = LISTING_TTL_SECONDS) -> None:
        self.client = client
        self.groups = GroupGateway(client, listing_ttl)
        self._members: SharedListings[str, dict[str, ProjectMembership]] = SharedListings(listing_ttl)
        self._roles: SharedListings[tuple[str, str], list[AssignedRole]] = SharedListings(listing_ttl)
        self._organization: SharedListings[str, list[OrganizationUser]] = SharedListings(listing_ttl)
        self._users_by_email: SharedListings[str, dict[str, OrganizationUser]] = SharedListings(listing_ttl)
        self._service_accounts: SharedListings[str, dict[str, ServiceAccountRecord]] = SharedListings(listing_ttl)
        self._api_keys: SharedListings[str, dict[str, ProjectApiKey]] = SharedListings(listing_ttl)
        self._invites: SharedListings[str, list[InviteRecord]] = SharedListings(listing_ttl)
        self._project_roles: SharedListings[str, dict[str, Role]] = SharedListings(listing_ttl)

    # --- reads ------------------------------------------------------------------------------
    def find_member(self, project_id: str, user_id: str) -> ProjectMembership | None:
        return self.members(project_id).get(user_id)

    def members(self, project_id: str) -> dict[str, ProjectMembership]:
        """Every member of the project by user id, paged through to the end (a failed page
        raises; none if the project is gone or archived)."""
        return self._members.get(project_id, lambda: self._load_members(project_id))

    def _load_members(self, project_id: str) -> dict[str, ProjectMembership]:
        return {member.id: member for member in gone_is_empty(lambda: self.client.list_project_users(project_id))}

    def assigned_roles(self, project_id: str, user_id: str) -> list[AssignedRole]:
        """The user's own role assignments in the project. A listed role with assignment
        sources is held through something else (a group, behaviour.py): never the user's own."""
        key = (project_id, user_id)
        return self._roles.get(key, lambda: [
            role for role in gone_is_empty(lambda: self.client.list_project_user_roles(project_id, user_id))
            if not role.assignment_sources
        ])

    def find_user_by_email(self, email: str) -> OrganizationUser | None:
        """One listing of the organization serves every email; a miss asks once more by
        email, for a user who joined after the listing was taken."""
        wanted = email.casefold()
        found = self._users_by_email.get("all", self._load_users_by_email).get(wanted)
        if found is None:
            found = next(iter(self.client.list_organization_users(emails=[email])), None)
        return found

    def resolve_user_id(self, user: UserReference) -> str | None:
        if user.user_id:
            return user.user_id
        found = self.find_user_by_email(user.email or "")
        return found.id if found else None

    def find_member_by_reference(self, project_id: str, user: UserReference) -> ProjectMembership | None:
        user_id = self.resolve_user_id(user)
        return self.find_member(project_id, user_id) if user_id else None

    def organization_users(self) -> list[OrganizationUser]:
        return self._organization.get("all", lambda: list(self.client.list_organization_users()))

    def _load_users_by_email(self) -> dict[str, OrganizationUser]:
        return {user.email.casefold(): user for user in self.organization_users() if user.email}

    def find_service_account(self, project_id: str, account_id: str) -> ServiceAccountRecord | None:
        return self.service_accounts(project_id).get(account_id)

    def service_accounts(self, project_id: str) -> dict[str, ServiceAccountRecord]:
        """The project's service accounts by id (none if the project is gone or archived)."""
        return self._service_accounts.get(
            project_id, lambda: _by_id(lambda: self.client.list_service_accounts(project_id))
        )

    def find_api_key(self, project_id: str, api_key_id: str) -> ProjectApiKey | None:
        return self.api_keys(project_id).get(api_key_id)

    def api_keys(self, project_id: str) -> dict[str, ProjectApiKey]:
        """The project's API keys by id, every owner (none if the project is gone or archived)."""
        return self._api_keys.get(
            project_id, lambda: _by_id(lambda: self.client.list_project_api_keys(project_id))
        )

    def invites(self) -> list[InviteRecord]:
        """Every invite of the organization, paged through to the end."""
        return self._invites.get("all", lambda: list(self.client.list_invites()))

    def find_invite(self, invite_id: str) -> InviteRecord | None:
        return next((invite for invite in self.invites() if invite.id == invite_id), None)

    def pending_invite(self, email: str, now: float) -> InviteRecord | None:
        """The newest invite of this address still pending at ``now``, whoever sent it."""
        wanted = email.casefold()
        pending = [invite for invite in self.invites() if invite.email.casefold() == wanted and invite.pending_at(now)]
        return pending[-1] if pending else None
    def find_project_role(self, project_id: str, role_id: str) -> Role | None:
        return self.project_roles(project_id).get(role_id)

    def project_roles(self, project_id: str) -> dict[str, Role]:
        """The project's roles, predefined and custom, by id (none if the project is gone)."""
        return self._project_roles.get(
            project_id, lambda: _by_id(lambda: self.client.list_project_roles(project_id))
        )

    # --- writes -----------------------------------------------------------------------------
    def invite(self, email: str, role: str, projects: list[tuple[str, str]]) -> InviteRecord:
        with invalidating(self._invites, "all"):
            return self.client.create_invite(email, role=role, projects=projects)

    def remove_from_organization(self, user_id: str) -> bool:
        """False when they were gone already. Every listing that may hold them is read anew."""
        with invalidating(self._organization, "all"), invalidating(self._users_by_email, "all"):
            try:
                self.client.delete_organization_user(user_id)
            except NotFoundError:
                return False
        for listings in (self._members, self._roles):
            listings.invalidate_all()
        self.groups.forget_users()  # they left every group too
        return True

    def delete_invite(self, invite_id: str) -> bool:
        """False when there was nothing to delete (gone already)."""
        with invalidating(self._invites, "all"):
            try:
                self.client.delete_invite(invite_id)
                return True
            except NotFoundError:
                return False

    def add_member(self, project_id: str, role: str, *, user_id: str | None = None, email: str | None = None) -> ProjectMembership:
        with invalidating(self._members, project_id):
            return self.client.add_project_user(project_id, role=role, user_id=user_id, email=email)

    def change_member_role(self, project_id: str, user_id: str, role: str) -> ProjectMembership:
        with invalidating(self._members, project_id):
            return self.client.update_project_user(project_id, user_id, role)

    def remove_member(self, project_id: str, user_id: str) -> bool:
        """False when there was nothing to remove (already gone, or the project archived)."""
        # The API drops a removed member's role assignments with the membership.
        with invalidating(self._members, project_id), invalidating(self._roles, (project_id, user_id)):
            try:
                self.client.remove_project_user(project_id, user_id)
                return True
            except (NotFoundError, ProjectArchivedError):
                return False

    def assign_role(self, project_id: str, user_id: str, role_id: str) -> RoleAssignment:
        with invalidating(self._roles, (project_id, user_id)):
            return self.client.assign_project_user_role(project_id, user_id, role_id)

    def unassign_role(self, project_id: str, user_id: str, role_id: str) -> bool:
        with invalidating(self._roles, (project_id, user_id)):
            try:
                self.client.unassign_project_user_role(project_id, user_id, role_id)
                return True
            except (NotFoundError, ProjectArchivedError):
                return False

    # --- service accounts and their keys: each write forgets the project's listings of both ----
    def current_service_accounts(self, project_id: str) -> list[ServiceAccountRecord]:
        """The project's service accounts listed now, not the shared listing: a create decides by it."""
        return list(self.client.list_service_accounts(project_id))

    def service_account_keys(self, project_id: str, service_account_id: str) -> list[ProjectApiKey]:
        """The account's keys listed now (a create or a take-over decides by them)."""
        return self.client.service_account_keys(project_id, service_account_id)

    def create_service_account(self, project_id: str, name: str, *, expires_in_seconds: int | None,
                               known: Sequence[ServiceAccountRecord]) -> NewServiceAccount:
        with self._changing_service_accounts(project_id):
            return self.client.create_service_account(project_id, name, expires_in_seconds=expires_in_seconds,
                                                      known=known)

    def update_service_account(self, project_id: str, service_account_id: str, *, name: str | None = None,
                               role: str | None = None) -> ServiceAccountRecord:
        with self._changing_service_accounts(project_id):
            return self.client.update_service_account(project_id, service_account_id, name=name, role=role)

    def delete_service_account(self, project_id: str, service_account_id: str) -> None:
        """Its keys go with it."""
        with self._changing_service_accounts(project_id):
            self.client.delete_service_account(project_id, service_account_id)

    def create_service_account_key(self, project_id: str, service_account_id: str, *, name: str,
                                   expires_in_seconds: int | None, scopes: Sequence[str] | None) -> NewApiKey:
        with self._changing_service_accounts(project_id):
            return self.client.create_service_account_key(
                project_id, service_account_id, name=name, expires_in_seconds=expires_in_seconds, scopes=scopes)

    def restrict_api_key(self, project_id: str, api_key_id: str, scopes: Sequence[str]) -> ProjectApiKey:
        with self._changing_service_accounts(project_id):
            return self.client.update_project_api_key(project_id, api_key_id, scopes=scopes)

    def delete_api_key(self, project_id: str, api_key_id: str) -> None:
        with self._changing_service_accounts(project_id):
            self.client.delete_project_api_key(project_id, api_key_id)

    @contextmanager
    def _changing_service_accounts(self, project_id: str) -> Iterator[None]:
        with invalidating(self._service_accounts, project_id), invalidating(self._api_keys, project_id):
            yield

    # --- projects ----------------------------------------------------------------------------
    def current_projects(self) -> list[ProjectRecord]:
        """The active projects listed now: a create decides by them (names are not unique)."""
        return list(self.client.list_projects())

    def project(self, project_id: str) -> ProjectRecord:
        return self.client.get_project(project_id)

    def create_project(self, name: str, *, residency: str | None, external_key_id: str | None,
                       known: Sequence[ProjectRecord]) -> ProjectRecord:
        return self.client.create_project(name, residency=residency, external_key_id=external_key_id, known=known)

    def update_project(self, project_id: str, *, name: str | None = None,
                       external_key_id: str | None = None) -> ProjectRecord:
        return self.client.update_project(project_id, name=name, external_key_id=external_key_id)

    def archive_project(self, project_id: str) -> ProjectRecord:
        """An archived project counts as done."""
        return self.client.archive_project(project_id)

    # --- a project's custom roles: each write forgets the project's role listing --------------
    def current_project_roles(self, project_id: str) -> list[Role]:
        """The project's roles listed now: a create decides by them."""
        return list(self.client.list_project_roles(project_id))

    def create_project_role(self, project_id: str, role_name: str, permissions: Sequence[str],
                            description: str | None) -> Role:
        with invalidating(self._project_roles, project_id):
            return self.client.create_project_role(project_id, role_name, permissions, description)

    def update_project_role(self, project_id: str, role_id: str, *, role_name: str | None = None,
                            permissions: Sequence[str] | None = None, description: str | None = None) -> Role:
        with invalidating(self._project_roles, project_id):
            return self.client.update_project_role(project_id, role_id, role_name=role_name,
                                                   permissions=permissions, description=description)

    def delete_project_role(self, project_id: str, role_id: str) -> None:
        with invalidating(self._project_roles, project_id):
            self.client.delete_project_role(project_id, role_id)


def _by_id(listing: Callable[[], Iterable[ServiceAccountRecord | ProjectApiKey | Role]]) -> dict[str, Any]:
    return {item.id: item for item in gone_is_empty(listing)}


_sessions: dict[tuple, AccessGateway] = {}
_sessions_lock = threading.Lock()


def access_for(settings: ProviderSettings) -> AccessGateway:
    """The process-wide gateway for these settings, created on first use."""
    if settings.admin_key is None:
        raise ValueError(
            "no OpenAI admin key: set it with `pulumi config set --secret openai:adminKey sk-admin-...` "
            "or export OPENAI_ADMIN_KEY"
        )
    key = settings.identity()
    with _sessions_lock:
        access = _sessions.get(key)
        if access is None:
            client = AdminClient(
                settings.admin_key, settings.base_url, requests_per_minute=settings.requests_per_minute,
                rate_limit_window=settings.rate_limit_window,
            )
            access = _sessions[key] = AccessGateway(client)
        return access


def forget_all_sessions() -> None:
    """Drop every gateway and its listings, as a new provider process would start."""
    with _sessions_lock:
        _sessions.clear()
