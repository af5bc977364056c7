"""The providers' one gateway to the Admin API inside a provider process.

Reads are served from listings shared by all resources (one paged listing per project for
memberships, one per project user for role assignments, one of the organization for
emails, one per project for service accounts, one for API keys and one for its roles); every write invalidates
the listings it touches. One instance exists per set of
settings in a process and is shared by every resource and every engine thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

from .admin_api.client import AdminClient
from .admin_api.errors import AdminApiError, NotFoundError, ProjectArchivedError
from .admin_api.models import (
    AssignedRole,
    Invite,
    OrganizationUser,
    ProjectApiKey,
    ProjectUser,
    Role,
    RoleAssignment,
    ServiceAccount,
)
from .settings import ProviderSettings
from .shared_listings import SharedListings
from .user_reference import UserReference

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

# Long enough to serve a whole refresh from one listing per project; short enough that a
# long-lived process does not act on a stale picture for long. Writes invalidate at once.
LISTING_TTL_SECONDS = 300.0


class AccessGateway:
    def __init__(self, client: AdminClient, listing_ttl: float = LISTING_TTL_SECONDS) -> None:
        self.client = client
        self._members: SharedListings[str, dict[str, ProjectUser]] = SharedListings(listing_ttl)
        self._roles: SharedListings[tuple[str, str], list[AssignedRole]] = SharedListings(listing_ttl)
        self._organization: SharedListings[str, list[OrganizationUser]] = SharedListings(listing_ttl)
        self._users_by_email: SharedListings[str, dict[str, OrganizationUser]] = SharedListings(listing_ttl)
        self._service_accounts: SharedListings[str, dict[str, ServiceAccount]] = SharedListings(listing_ttl)
        self._api_keys: SharedListings[str, dict[str, ProjectApiKey]] = SharedListings(listing_ttl)
        self._invites: SharedListings[str, list[Invite]] = SharedListings(listing_ttl)
        self._project_roles: SharedListings[str, dict[str, Role]] = SharedListings(listing_ttl)

    # --- reads ------------------------------------------------------------------------------
    def find_member(self, project_id: str, user_id: str) -> ProjectUser | None:
        return self.members(project_id).get(user_id)

    def members(self, project_id: str) -> dict[str, ProjectUser]:
        """Every member of the project by user id, paged through to the end (a failed page
        raises; none if the project is gone or archived)."""
        return self._members.get(project_id, lambda: self._load_members(project_id))

    def _load_members(self, project_id: str) -> dict[str, ProjectUser]:
        return {member.id: member for member in _gone_is_empty(lambda: self.client.list_project_users(project_id))}

    def assigned_roles(self, project_id: str, user_id: str) -> list[AssignedRole]:
        key = (project_id, user_id)
        return self._roles.get(
            key, lambda: list(_gone_is_empty(lambda: self.client.list_project_user_roles(project_id, user_id)))
        )

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

    def find_member_by_reference(self, project_id: str, user: UserReference) -> ProjectUser | None:
        user_id = self.resolve_user_id(user)
        return self.find_member(project_id, user_id) if user_id else None

    def organization_users(self) -> list[OrganizationUser]:
        return self._organization.get("all", lambda: list(self.client.list_organization_users()))

    def _load_users_by_email(self) -> dict[str, OrganizationUser]:
        return {user.email.casefold(): user for user in self.organization_users() if user.email}

    def find_service_account(self, project_id: str, account_id: str) -> ServiceAccount | None:
        return self.service_accounts(project_id).get(account_id)

    def service_accounts(self, project_id: str) -> dict[str, ServiceAccount]:
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

    def invites(self) -> list[Invite]:
        """Every invite of the organization, paged through to the end."""
        return self._invites.get("all", lambda: list(self.client.list_invites()))

    def find_invite(self, invite_id: str) -> Invite | None:
        return next((invite for invite in self.invites() if invite.id == invite_id), None)

    def pending_invite(self, email: str, now: float) -> Invite | None:
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
    def invite(self, email: str, role: str, projects: list[tuple[str, str]]) -> Invite:
        with _invalidating(self._invites, "all"):
            return self.client.create_invite(email, role=role, projects=projects)

    def delete_invite(self, invite_id: str) -> bool:
        """False when there was nothing to delete (gone already)."""
        with _invalidating(self._invites, "all"):
            try:
                self.client.delete_invite(invite_id)
                return True
            except NotFoundError:
                return False

    def add_member(self, project_id: str, role: str, *, user_id: str | None = None, email: str | None = None) -> ProjectUser:
        with _invalidating(self._members, project_id):
            return self.client.add_project_user(project_id, role=role, user_id=user_id, email=email)

    def change_member_role(self, project_id: str, user_id: str, role: str) -> ProjectUser:
        with _invalidating(self._members, project_id):
            return self.client.update_project_user(project_id, user_id, role)

    def remove_member(self, project_id: str, user_id: str) -> bool:
        """False when there was nothing to remove (already gone, or the project archived)."""
        # The API drops a removed member's role assignments with the membership.
        with _invalidating(self._members, project_id), _invalidating(self._roles, (project_id, user_id)):
            try:
                self.client.remove_project_user(project_id, user_id)
                return True
            except (NotFoundError, ProjectArchivedError):
                return False

    def assign_role(self, project_id: str, user_id: str, role_id: str) -> RoleAssignment:
        with _invalidating(self._roles, (project_id, user_id)):
            return self.client.assign_project_user_role(project_id, user_id, role_id)

    def unassign_role(self, project_id: str, user_id: str, role_id: str) -> bool:
        with _invalidating(self._roles, (project_id, user_id)):
            try:
                self.client.unassign_project_user_role(project_id, user_id, role_id)
                return True
            except (NotFoundError, ProjectArchivedError):
                return False

    @contextmanager
    def changing_service_accounts(self, project_id: str) -> Iterator[None]:
        """Around writes to a project's service accounts or keys (made with ``client``): the
        project's listings of both are read anew afterwards."""
        with _invalidating(self._service_accounts, project_id), _invalidating(self._api_keys, project_id):
            yield

    @contextmanager
    def changing_project_roles(self, project_id: str) -> Iterator[None]:
        """Around writes to a project's custom roles: its role listing is read anew afterwards."""
        with _invalidating(self._project_roles, project_id):
            yield


@contextmanager
def _invalidating(listings: SharedListings[K, Any], key: K) -> Iterator[None]:
    """Forget a listing after a write, unless the API refused the write outright: a 4xx
    answer changed nothing, and keeping the listing spares a re-read per refused write."""
    try:
        yield
    except BaseException as error:
        refused = isinstance(error, AdminApiError) and error.status is not None and 400 <= error.status < 500
        if not refused:
            listings.invalidate(key)
        raise
    listings.invalidate(key)


def _gone_is_empty(listing: Callable[[], Iterable[T]]) -> Iterator[T]:
    """A project that no longer exists, or is archived, has no members and no roles."""
    try:
        yield from listing()
    except (NotFoundError, ProjectArchivedError):
        return


def _by_id(listing: Callable[[], Iterable[ServiceAccount | ProjectApiKey | Role]]) -> dict[str, Any]:
    return {item.id: item for item in _gone_is_empty(listing)}


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
                settings.admin_key, settings.base_url, requests_per_minute=settings.requests_per_minute
            )
            access = _sessions[key] = AccessGateway(client)
        return access


def forget_all_sessions() -> None:
    """Drop every gateway and its listings, as a new provider process would start."""
    with _sessions_lock:
        _sessions.clear()
