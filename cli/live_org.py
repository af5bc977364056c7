"""Reading the live organization into a model: projects, members, their project roles, the
projects' service accounts (``live_service_accounts``) and the groups granted them (``live_groups``).

Every read goes through the providers' ``AccessGateway`` (the project's client: its retries,
throttle and shared listings). The fewest requests: the projects' pages (or one GET per
project asked for), each project's member pages, and one role listing per membership, read
on a few threads so that the throttle, not the latency, sets the pace. Emails come with the
member listings; the organization's users are listed only for members shown without one.

Each endpoint has its own rate limit, so the listings of different endpoints go side by
side: a project's role listings start as soon as its members are listed (not after every
project's), and the service accounts (and project roles) are listed meanwhile. At a few
requests a minute, each endpoint's listings then take only their own windows, not one after
another's.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ..providers.access_gateway import AccessGateway
from ..providers.admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS
from ..providers.admin_api.models import AssignedRole, ProjectMembership, ProjectRecord, Role
from ..providers.role_ids import is_mirror_role, normalized_role_id
from .live_groups import LiveGroup, read_groups
from .live_service_accounts import LiveServiceAccount, read_service_accounts
from .progress import Reporter

# Role listings in flight at once: enough to keep a throttled endpoint busy.
READ_THREADS = 8
# Member and service-account listings in flight at once (each paged, one endpoint each).
LISTING_THREADS = 2


class ProjectNotUsable(ValueError):
    """A project asked for by id is archived."""


@dataclass(frozen=True)
class LiveMembership:
    """One membership as it exists: the member's role and every project role assigned."""

    project_id: str
    user_id: str
    email: str | None
    role: str
    roles: tuple[str, ...] = ()  # short ids, sorted; includes a mirror role if assigned

    @property
    def extra_roles(self) -> tuple[str, ...]:
        """The roles a spec declares: all but the one that mirrors the member's role."""
        return tuple(role for role in self.roles if not is_mirror_role(role, self.role))

    @property
    def name(self) -> str:
        """How a spec names this person: by email when there is one."""
        return self.email.casefold() if self.email else self.user_id


@dataclass(frozen=True)
class LiveOrganization:
    projects: Mapping[str, str]  # id -> name, the projects read
    members: tuple[LiveMembership, ...]  # sorted by project, then user id
    role_names: Mapping[str, str] = field(default_factory=dict)  # custom role id -> its name
    service_accounts: tuple[LiveServiceAccount, ...] = ()  # sorted by project, name, id
    groups: tuple[LiveGroup, ...] = ()  # those granted any of the projects read, by name then id
    # project id -> its own custom roles (short ids), sorted by name then id
    project_roles: Mapping[str, tuple[Role, ...]] = field(default_factory=dict)

    def service_accounts_of(self, project_id: str) -> list[LiveServiceAccount]:
        return [account for account in self.service_accounts if account.project_id == project_id]

    def members_of(self, project_id: str) -> list[LiveMembership]:
        return [member for member in self.members if member.project_id == project_id]


def active_projects(gateway: AccessGateway, reporter: Reporter) -> dict[str, str]:
    """Every active project, id -> name."""
    reporter.step("listing projects")
    projects = {}
    for project in gateway.current_projects():
        projects[project.id] = _project_name(project)
        reporter.advance()
    return projects


def chosen_projects(gateway: AccessGateway, project_ids: Iterable[str], reporter: Reporter) -> dict[str, str]:
    """The projects asked for, id -> name; an unknown one raises the API's NotFoundError."""
    ids = sorted(set(project_ids))
    reporter.step("reading projects", len(ids))
    projects = {}
    for project_id in ids:
        project = gateway.project(project_id)
        if project.is_archived:
            raise ProjectNotUsable(f"project {project_id} is archived: an archived project has no members")
        projects[project.id] = _project_name(project)
        reporter.advance()
    return projects


def read_organization(
    gateway: AccessGateway, projects: Mapping[str, str], reporter: Reporter, *, count_keys: bool = False,
    custom_roles: bool = False,
) -> LiveOrganization:
    """The members of ``projects`` (id -> name) with their project roles, and the projects'
    service accounts (with their number of keys if ``count_keys``), and their own custom roles
    if ``custom_roles`` (one role listing per project: discover declares them)."""
    ids = sorted(projects)
    with _threads(LISTING_THREADS) as member_pool, _threads(LISTING_THREADS) as account_pool, \
            _threads(LISTING_THREADS) as project_role_pool, _threads(READ_THREADS) as role_pool:
        member_listings = {project_id: member_pool.submit(gateway.members, project_id) for project_id in ids}
        account_listings = {project_id: account_pool.submit(gateway.service_accounts, project_id)
                            for project_id in ids}
        project_role_listings = {project_id: project_role_pool.submit(gateway.project_roles, project_id)
                                 for project_id in ids} if custom_roles else {}
        reporter.step("listing members", len(projects))
        listed: list[tuple[str, ProjectMembership]] = []
        role_listings = []
        for project_id in ids:
            users = sorted(member_listings[project_id].result().values(), key=lambda u: u.id)
            listed += [(project_id, user) for user in users]
            role_listings += [role_pool.submit(gateway.assigned_roles, project_id, user.id) for user in users]
            reporter.advance()

        reporter.step("reading role assignments", len(listed))
        assigned: list[list[AssignedRole]] = []
        for listing in role_listings:
            assigned.append(listing.result())
            reporter.advance()

        emails = _missing_emails(gateway, [user for _, user in listed], reporter)
        service_accounts = read_service_accounts(gateway, account_listings, reporter, count_keys=count_keys)
        project_roles = _custom_roles(project_role_listings, reporter) if custom_roles else {}
    groups = read_groups(gateway, projects, reporter)
    members: list[LiveMembership] = []
    role_names: dict[str, str] = {}
    for (project_id, user), roles in zip(listed, assigned):
        direct = [role for role in roles if not role.assignment_sources]  # not through a group
        for role in direct:
            role_id = normalized_role_id(role.id)
            if role_id not in PREDEFINED_PROJECT_ROLE_IDS and role.name:
                role_names[role_id] = role.name
        members.append(LiveMembership(
            project_id, user.id, user.email or emails.get(user.id), user.role,
            tuple(sorted({normalized_role_id(role.id) for role in direct})),
        ))
    return LiveOrganization(dict(projects), tuple(members), dict(sorted(role_names.items())), service_accounts,
                            groups=groups, project_roles=project_roles)


def _custom_roles(listings: Mapping[str, Future[dict[str, Role]]], reporter: Reporter) -> dict[str, tuple[Role, ...]]:
    """Each project's own custom roles, from its role listing (``gateway.project_roles``,
    started alongside the other reads), ids in their short form."""
    reporter.step("listing project roles", len(listings))
    found = {}
    for project_id in sorted(listings):
        own = [role.model_copy(update={"id": normalized_role_id(role.id)})
               for role in listings[project_id].result().values()
               if not role.predefined_role and role.resource_type in (None, "api.project")]
        if own:
            found[project_id] = tuple(sorted(own, key=lambda role: (role.name or "", role.id)))
        reporter.advance()
    return found


@contextmanager
def _threads(count: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that, when the reading fails, drops the reads not started yet (at a few
    requests a minute they would take long and serve nothing)."""
    pool = ThreadPoolExecutor(count, thread_name_prefix="read-org")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _missing_emails(gateway: AccessGateway, users: Sequence[ProjectMembership], reporter: Reporter) -> dict[str, str]:
    """Emails of members whose listing showed none, from the organization's users (only
    listed when some are missing)."""
    if all(user.email for user in users):
        return {}
    reporter.step("listing organization users")
    return {user.id: user.email for user in gateway.organization_users() if user.email}


def _project_name(project: ProjectRecord) -> str:
    return project.name or project.id
