"""The benchmark's organization: N memberships over P projects, R extra roles per member.

Users are named ``bench-user-NNNNNN@example.com``; each is a member of two neighbouring
projects (one when P = 1), so there are about N/2 users, plus 10% who are in no project.
Even-numbered users are declared by email, odd-numbered ones by user id. Extra roles are the
predefined ``role-api-project-viewer`` then custom roles of the project.

The access spec has one team per project (everyone in it, role ``member`` plus the extra
roles); the "role change" step adds one ``leads`` team per project that grants ``owner`` to
10% of the memberships (the component merges it: owner wins).

Also here: the out-of-band drift applied to the emulator's state, and the requests each
lifecycle step truly needs (the minimum a provider could send), by endpoint.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pulumi_openai_access.emulator.api import PROJECT_USER, PROJECT_USERS, USER_ROLES
from pulumi_openai_access.providers.admin_api import behaviour

ORG_USERS = "/v1/organization/users"
VIEWER_ROLE = "role-api-project-viewer"


def key(method: str, route: str) -> str:
    """An endpoint as the emulator's counters name it."""
    return f"{method} {route}"


@dataclass(frozen=True)
class Grant:
    index: int  # j, 0..N-1
    project: int
    user: int


@dataclass(frozen=True)
class Org:
    memberships: int  # N
    projects: int  # P
    roles_per_member: int  # R

    def __post_init__(self) -> None:
        if self.memberships < 1 or self.projects < 1 or self.roles_per_member < 0:
            raise ValueError("need N >= 1 memberships, P >= 1 projects, R >= 0 roles")
        if self.projects > self.memberships:
            raise ValueError(f"{self.projects} projects cannot all have members with {self.memberships} memberships")

    # --- naming ---------------------------------------------------------------------------
    @staticmethod
    def project_id(p: int) -> str:
        return f"proj_Bench{p:05d}"

    @staticmethod
    def user_id(u: int) -> str:
        return f"user-Bench{u:07d}"

    @staticmethod
    def email(u: int) -> str:
        return f"bench-user-{u:07d}@example.com"

    @staticmethod
    def by_email(u: int) -> bool:
        return u % 2 == 0

    def role_ids(self, p: int) -> list[str]:
        custom = [f"role_BenchP{p:05d}R{k:02d}" for k in range(1, self.roles_per_member)]
        return ([VIEWER_ROLE] + custom)[: self.roles_per_member]

    # --- shape ----------------------------------------------------------------------------
    @cached_property
    def grants(self) -> list[Grant]:
        if self.projects == 1:
            return [Grant(j, 0, j) for j in range(self.memberships)]
        # j = 2u and 2u+1 land in projects (2u mod P) and (2u+1 mod P): distinct when P >= 2.
        return [Grant(j, j % self.projects, j // 2) for j in range(self.memberships)]

    @property
    def member_users(self) -> int:
        return max(g.user for g in self.grants) + 1

    @property
    def org_users(self) -> int:
        """Users in the organization: the members plus 10% (at least one) in no project."""
        return self.member_users + max(1, self.member_users // 10)

    def members_of(self, p: int) -> list[Grant]:
        return [g for g in self.grants if g.project == p]

    @property
    def assignments(self) -> int:
        return self.memberships * self.roles_per_member

    @property
    def resources(self) -> int:
        """One ``ProjectUser`` per membership; its extra roles are inside it."""
        return self.memberships

    def promoted(self) -> list[Grant]:
        """The 10% of memberships the role-change step makes owners."""
        return [g for g in self.grants if g.index % 10 == 0]

    # --- the emulator's seed and the stack's spec -----------------------------------------
    def seed(self) -> dict[str, Any]:
        roles = [
            {"id": role_id, "project_id": self.project_id(p), "name": f"bench role {role_id[-3:]} of project {p}",
             "permissions": ["api.organization.projects.api_keys.read"]}
            for p in range(self.projects) for role_id in self.role_ids(p) if role_id != VIEWER_ROLE
        ]
        return {
            "organization": {"id": "org-Bench0000000000000000001", "name": "Benchmark Org"},
            "users": [
                {"id": self.user_id(u), "email": self.email(u), "name": f"Bench User {u}", "role": "reader"}
                for u in range(self.org_users)
            ],
            "projects": [{"id": self.project_id(p), "name": f"Bench project {p}"} for p in range(self.projects)],
            "roles": roles,
        }

    def spec(self, *, role_change: bool = False, adopt: bool = False) -> dict[str, Any]:
        def member(u: int) -> str:
            return self.email(u) if self.by_email(u) else self.user_id(u)

        teams: dict[str, Any] = {}
        for p in range(self.projects):
            grant: dict[str, Any] = {"role": "member"}
            if self.roles_per_member:
                grant["roles"] = self.role_ids(p)
            teams[f"team-p{p}"] = {
                "members": [member(g.user) for g in self.members_of(p)],
                "grants": {self.project_id(p): grant},
            }
        if role_change:
            for p in range(self.projects):
                leads = [g for g in self.promoted() if g.project == p]
                if leads:
                    teams[f"leads-p{p}"] = {
                        "members": [member(g.user) for g in leads],
                        "grants": {self.project_id(p): "owner"},
                    }
        return {"teams": teams, "adopt": adopt}

    # --- out-of-band drift ----------------------------------------------------------------
    def drift(self, state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
        """The emulator ``state`` (seed format) with 2% of memberships removed (their roles
        go with them, as the API does), 2% changed to owner, and one extra role unassigned
        from 2% more. Returns the new state and what was changed."""
        removed = {(self.project_id(g.project), self.user_id(g.user)) for g in self.grants if g.index % 50 == 1}
        promoted = {(self.project_id(g.project), self.user_id(g.user)) for g in self.grants if g.index % 50 == 3}
        unassigned = {
            (self.project_id(g.project), self.user_id(g.user), self.role_ids(g.project)[0])
            for g in self.grants if g.index % 50 == 5 and self.roles_per_member
        }
        new = copy.deepcopy(state)
        new["memberships"] = [m for m in new["memberships"] if (m["project_id"], m["user_id"]) not in removed]
        for m in new["memberships"]:
            if (m["project_id"], m["user_id"]) in promoted:
                m["role"] = "owner"
        new["role_assignments"] = [
            a for a in new["role_assignments"]
            if (a["project_id"], a["user_id"]) not in removed
            and (a["project_id"], a["user_id"], a["role_id"]) not in unassigned
        ]
        return new, {"removed": len(removed), "promoted": len(promoted), "unassigned": len(unassigned)}

    # --- what each step truly needs -------------------------------------------------------
    def member_listing_pages(self) -> int:
        return sum(max(1, math.ceil(len(self.members_of(p)) / behaviour.LEGACY_PAGE_MAX))
                   for p in range(self.projects))

    def org_listing_pages(self) -> int:
        """Pages of the organization's users (the brownfield adopting up and audit read them to
        find the spec's emails)."""
        return max(1, math.ceil(self.org_users / behaviour.LEGACY_PAGE_MAX))

    def needed(self, step: str, drift: dict[str, int] | None = None) -> dict[str, int]:
        """The fewest requests, by endpoint, that ``step`` can be done with: every write
        once, and reads only as shared listings (a project's members, paged 100 at a time;
        one role listing per member that has extra roles).

        A membership manages its own extra roles: they are assigned with the user id the
        add answered (no organization listing, even for members named by email), and
        destroy removes memberships only (the API drops their roles with them)."""
        n, r = self.memberships, self.roles_per_member
        drift = drift or {}
        if step in ("preview", "noop_up"):
            return {}
        if step == "up":
            return _nonzero({key("POST", PROJECT_USERS): n, key("POST", USER_ROLES): n * r})
        if step in ("refresh", "refresh_drift"):
            # A member removed out of band is gone from its project's listing: no role listing.
            present = n - drift.get("removed", 0) if step == "refresh_drift" else n
            return _nonzero({key("GET", PROJECT_USERS): self.member_listing_pages(),
                             key("GET", USER_ROLES): present if r else 0})
        if step == "repair_up":
            readded = drift.get("removed", 0)
            return _nonzero({
                key("POST", PROJECT_USERS): readded,
                key("POST", PROJECT_USER): drift.get("promoted", 0),
                key("POST", USER_ROLES): readded * r + drift.get("unassigned", 0),
            })
        if step == "role_change":
            return {key("POST", PROJECT_USER): len(self.promoted())}
        if step == "destroy":
            return {key("DELETE", PROJECT_USER): n}
        raise ValueError(f"unknown step {step!r}")


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}
