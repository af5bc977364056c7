"""Reading the live service accounts of some projects, through the providers' gateway.

Requests: one service-account listing per project (its pages), and, only when key counts are
asked for (discover), one listing of the project's API keys for each project that has a
service account: a project without one costs nothing more, so a people-only organization
pays one request per project. Audit needs no key counts and skips that listing.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Mapping

from ..providers.access_gateway import AccessGateway
from ..providers.admin_api.models import ServiceAccountRecord
from .progress import Reporter


@dataclass(frozen=True)
class LiveServiceAccount:
    project_id: str
    id: str
    name: str
    role: str  # member | owner (| none, as the API may list it)
    keys: int | None = None  # its API keys, when counted


def read_service_accounts(
    gateway: AccessGateway, listings: Mapping[str, Future[dict[str, ServiceAccountRecord]]], reporter: Reporter, *,
    count_keys: bool,
) -> tuple[LiveServiceAccount, ...]:
    """The service accounts of the projects whose listings (``gateway.service_accounts``,
    started by the caller alongside its other reads) are given, sorted by project, name, id
    (deterministic)."""
    ids = sorted(listings)
    reporter.step("listing service accounts", len(ids))
    listed: dict[str, list[ServiceAccountRecord]] = {}
    for project_id in ids:
        listed[project_id] = list(listings[project_id].result().values())
        reporter.advance()
    with_accounts = [project_id for project_id in ids if listed[project_id]]
    keys: dict[str, Counter[str]] = {}
    if count_keys and with_accounts:
        reporter.step("counting service account keys", len(with_accounts))
        for project_id in with_accounts:
            keys[project_id] = Counter(key.owner.service_account_id for key in gateway.api_keys(project_id).values())
            reporter.advance()
    accounts = [
        LiveServiceAccount(project_id, account.id, account.name, account.role,
                           keys[project_id][account.id] if count_keys else None)
        for project_id in with_accounts for account in listed[project_id]
    ]
    return tuple(sorted(accounts, key=lambda a: (a.project_id, a.name, a.id)))
