"""Running the ``openai-access`` command in the test process, against the emulator.

    def test_something(cli):
        run = cli("discover")
        assert run.code == 0 and "adopt: true" in run.stdout

``cli`` sets $OPENAI_ADMIN_KEY and $OPENAI_BASE_URL to the session's emulator (as a user
would) and runs ``main`` with its own stdout and stderr; ``env`` overrides variables for one
run (None removes one). ``live_access`` and ``spec_access`` put the emulator's organization
and a spec in one comparable shape: (project, user id) -> (role, extra roles).
``generated_seed()`` is a larger organization than the sample, for round trips.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import pytest
import yaml

from pulumi_openai_access.cli.main import main
from pulumi_openai_access.components import parse_access_spec
from pulumi_openai_access.components.grant_merge import merge_grants
from pulumi_openai_access.emulator.process import EmulatorProcess
from pulumi_openai_access.providers.admin_api.throttle import reset_throttles
from pulumi_openai_access.providers.role_ids import is_mirror_role

Access = dict[tuple[str, str], tuple[str, frozenset[str]]]


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("openai-access") and "error:" in line]


@pytest.fixture
def cli(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., CliRun]]:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", emulator.admin_key)
    monkeypatch.setenv("OPENAI_BASE_URL", emulator.base_url)
    monkeypatch.delenv("OPENAI_ADMIN_REQUESTS_PER_MINUTE", raising=False)
    reset_throttles()

    def run(*argv: str, env: Mapping[str, str | None] | None = None) -> CliRun:
        with monkeypatch.context() as scoped:
            for name, value in (env or {}).items():
                if value is None:
                    scoped.delenv(name, raising=False)
                else:
                    scoped.setenv(name, value)
            stdout, stderr = io.StringIO(), io.StringIO()
            code = main(list(argv), stdout=stdout, stderr=stderr)
        return CliRun(code, stdout.getvalue(), stderr.getvalue())

    yield run
    reset_throttles()


def live_access(state: Mapping[str, Any], projects: set[str] | None = None) -> Access:
    """The emulator's memberships with their extra roles (the mirror role left out)."""
    roles: dict[tuple[str, str], set[str]] = {}
    for assignment in state["role_assignments"]:
        roles.setdefault((assignment["project_id"], assignment["user_id"]), set()).add(assignment["role_id"])
    return {
        (m["project_id"], m["user_id"]): (
            m["role"],
            frozenset(r for r in roles.get((m["project_id"], m["user_id"]), ()) if not is_mirror_role(r, m["role"])),
        )
        for m in state["memberships"]
        if projects is None or m["project_id"] in projects
    }


def spec_access(spec_text: str, state: Mapping[str, Any]) -> Access:
    """What a spec declares, read as the stack program reads it, by user id."""
    id_by_email = {user["email"].casefold(): user["id"] for user in state["users"]}
    spec = parse_access_spec(yaml.safe_load(spec_text))

    def role_id(project_id: str, role: str) -> str:
        """A declared role's key as the id of the live role of that name (as the stack's up finds it)."""
        if role not in spec.project_roles.get(project_id, {}):
            return role
        name = spec.role_name(project_id, role)
        return next(r["id"] for r in state["roles"] if r["project_id"] == project_id and r["name"] == name)

    return {
        (grant.project_id, grant.member.user_id or id_by_email[grant.member.email or ""]): (
            grant.role, frozenset(role_id(grant.project_id, role) for role in grant.extra_roles),
        )
        for grant in merge_grants(spec)
    }


# A custom role of the generated organization.
CUSTOM = "role_01GENCUSTOM0000000000000A"


def generated_seed() -> dict:
    """Six projects, 40 people: owners, members, viewers, a custom role, overlapping teams,
    mixed-case emails, a project name with no latin letter, an empty project."""
    names = ["Web Storefront", "Data Platform", "Search & Ranking", "研究", "Billing", "Empty"]
    projects = [{"id": f"proj_Gen{p:05d}", "name": name} for p, name in enumerate(names)]
    users = [{"id": f"user-Gen{u:05d}", "email": f"Person.{u}@Example.com", "name": f"Person {u}", "role": "reader"}
             for u in range(40)]
    memberships, assignments = [], []
    for u in range(40):
        for p in ([u % 5, (u + 1) % 5] if u % 3 else [u % 5]):
            role = "owner" if u % 7 == 0 else "member"
            memberships.append({"project_id": projects[p]["id"], "user_id": users[u]["id"], "role": role})
            if u % 4 == 0:
                assignments.append({"project_id": projects[p]["id"], "user_id": users[u]["id"],
                                    "role_id": "role-api-project-viewer"})
            if u % 6 == 1 and p == 0:
                assignments.append({"project_id": projects[p]["id"], "user_id": users[u]["id"], "role_id": CUSTOM})
            if u == 14:  # an owner who also holds the role mirroring it
                assignments.append({"project_id": projects[p]["id"], "user_id": users[u]["id"],
                                    "role_id": "role-api-project-owner"})
    roles = [{"id": CUSTOM, "project_id": projects[0]["id"], "name": "Key\nManager (API)", "permissions": []}]
    return {"organization": {"id": "org-Gen0000000000000000001", "name": "Generated"}, "users": users,
            "projects": projects, "roles": roles, "memberships": memberships, "role_assignments": assignments}
