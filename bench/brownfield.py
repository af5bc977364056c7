"""Brownfield: an organization that already has its members comes under code.

    .venv/bin/python -m bench.brownfield                 # N = 1000 memberships, P = 10
    .venv/bin/python -m bench.brownfield --memberships 60 --projects 3 --out /tmp/bf

The emulator is seeded with N memberships over P projects (the benchmark's organization of
``bench/org.py``: every 10th membership an owner), a third of them with one extra role,
alternately the predefined viewer role and the project's custom role; none of it is in any
stack. Steps, each measured like the lifecycle benchmark (requests by endpoint, 429s apart,
wall time against the rate-limit bound) plus the time at the real API's ~10 requests per
minute per endpoint:

1. ``openai-access discover --stack brownfield`` (a subprocess, as a user runs it): writes
   the spec and points ``Pulumi.brownfield.yaml`` at it;
2. ``up`` of that stack through the Automation API runner, with the stack program itself
   (``provision_access``, reading ``openai-access:accessFile``): adopts, 0 writes;
3. a no-op ``up``: 0 requests;
4. ``openai-access audit --stack brownfield --json``: in sync (exit 0).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

REPO_ROOT = Path(__file__).resolve().parent.parent

import yaml
from pulumi import automation as auto

from bench.counters import counter_delta, request_counters
from bench.org import ORG_USERS, Org, key
from bench.report import endpoints_text
from pulumi_openai_access.components.stack_program import provision_access
from pulumi_openai_access.emulator.api import (
    GROUPS,
    INVITES,
    PROJECT_GROUPS,
    PROJECT_ROLES,
    PROJECT_USERS,
    SERVICE_ACCOUNTS,
    USER_ROLES,
)
from pulumi_openai_access.emulator.process import EmulatorProcess
from pulumi_openai_access.providers.admin_api import behaviour
from pulumi_openai_access.providers.admin_api.pace import DEFAULT_WINDOW_SECONDS
from pulumi_openai_access.providers.settings import (
    RATE_LIMIT_WINDOW_CONFIG,
    RATE_LIMIT_WINDOW_ENV,
    REQUESTS_PER_MINUTE_CONFIG,
    REQUESTS_PER_MINUTE_ENV,
)
from scripts.stack_runner import open_stack

STACK = "brownfield"
STEPS = ("discover", "adopting_up", "noop_up", "audit")
PROJECTS = "/v1/organization/projects"
# The real Admin API, as observed: about this many requests a minute on each endpoint.
REAL_API_PER_MINUTE = 10


@dataclass(frozen=True)
class Brownfield:
    org: Org  # N memberships over P projects; R = 2 so that each project has one custom role

    @classmethod
    def of(cls, memberships: int, projects: int) -> "Brownfield":
        return cls(Org(memberships, min(projects, memberships), 2))

    def extra_role(self, index: int, project: int) -> str | None:
        """A third of the memberships hold one extra role: predefined and custom in turn."""
        if index % 3:
            return None
        viewer, custom = self.org.role_ids(project)
        return viewer if (index // 3) % 2 == 0 else custom

    def seed(self) -> dict[str, Any]:
        seed = self.org.seed()
        seed["memberships"] = [
            {"project_id": Org.project_id(g.project), "user_id": Org.user_id(g.user),
             "role": "owner" if g.index % 10 == 0 else "member"}
            for g in self.org.grants
        ]
        seed["role_assignments"] = [
            {"project_id": Org.project_id(g.project), "user_id": Org.user_id(g.user), "role_id": role}
            for g in self.org.grants if (role := self.extra_role(g.index, g.project)) is not None
        ]
        return seed

    @property
    def with_extra_roles(self) -> int:
        return sum(1 for g in self.org.grants if self.extra_role(g.index, g.project) is not None)

    def needed(self, step: str) -> dict[str, int]:
        """The fewest requests of each step, by endpoint (none of them a write)."""
        member_pages = sum(max(1, math.ceil(len(self.org.members_of(p)) / behaviour.LEGACY_PAGE_MAX))
                           for p in range(self.org.projects))
        project_pages = max(1, math.ceil(self.org.projects / behaviour.LEGACY_PAGE_MAX))
        members, roles, users = key("GET", PROJECT_USERS), key("GET", USER_ROLES), key("GET", ORG_USERS)
        # One service-account listing per project (there are none here, so no key listing);
        accounts = {key("GET", SERVICE_ACCOUNTS): self.org.projects}
        # The groups, and one grant listing per project (this organization has no group).
        accounts.update({key("GET", GROUPS): 1, key("GET", PROJECT_GROUPS): self.org.projects})
        # Each project's custom role: listed by discover, which declares it; its ProjectRole's
        # create lists the project's roles once to take it over (no write).
        custom_roles = {key("GET", PROJECT_ROLES): self.org.projects}
        if step == "discover":  # emails come with the member listings: no organization listing
            # One page of invites, for the comment block of pending invites (there are none here).
            return {key("GET", PROJECTS): project_pages, members: member_pages, roles: self.org.memberships,
                    **accounts, **custom_roles, key("GET", INVITES): 1}
        if step == "adopting_up":  # members named by email: one organization listing
            return {members: member_pages, users: self.org.org_listing_pages(), roles: self.with_extra_roles,
                    **custom_roles}
        if step == "audit":  # the declared custom roles are compared too
            return {key("GET", PROJECTS): project_pages, members: member_pages, roles: self.org.memberships,
                    users: self.org.org_listing_pages(), **accounts, **custom_roles}
        return {}


def bound_seconds(requests: dict[str, int], limit: int, window: float) -> float:
    """The busiest endpoint's whole windows at ``limit`` requests per ``window`` seconds."""
    return max((math.ceil(n / limit) * window for n in requests.values()), default=0.0)


def real_api_minutes(requests: dict[str, int]) -> float:
    """The busiest endpoint's requests at the real API's pace (all endpoints in parallel)."""
    return max((n / REAL_API_PER_MINUTE for n in requests.values()), default=0.0)


@contextmanager
def _working_in(directory: Path) -> Iterator[None]:
    """The stack program reads its spec file relative to the project directory, as `pulumi`
    runs it; the Automation API runs the program in this process."""
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def run_brownfield(scenario: Brownfield, work_dir: Path, *, limit: int, window: float = 1.0,
                   latency_ms: int = 20, log=print, step_names: tuple[str, ...] = STEPS,
                   client_rate: bool = True) -> dict[str, Any]:
    """``client_rate``: the command and the providers are told the emulator's rate; False: the
    default settings, they learn it from the 429s."""
    rpm = 60.0 * limit / window
    seed_file = work_dir / "seed.json"
    work_dir.mkdir(parents=True, exist_ok=True)
    seed_file.write_text(json.dumps(scenario.seed()))
    args = ["--quiet", "--seed", str(seed_file), "--latency-ms", str(latency_ms),
            "--rate-limit", str(limit), "--rate-limit-window", str(window)]
    steps = []
    with EmulatorProcess.start(*args) as emu, _working_in(work_dir):
        (work_dir / "Pulumi.yaml").write_text("name: openai-access\nruntime: python\n")
        cli_env = {**os.environ, "OPENAI_ADMIN_KEY": emu.admin_key, "OPENAI_BASE_URL": emu.base_url}
        cli_env.pop(REQUESTS_PER_MINUTE_ENV, None)
        if client_rate:
            cli_env[REQUESTS_PER_MINUTE_ENV] = f"{rpm:g}"
        if window != DEFAULT_WINDOW_SECONDS:  # the refill period the learned pace assumes
            cli_env[RATE_LIMIT_WINDOW_ENV] = f"{window:g}"
        env = {"PULUMI_SKIP_CHECKPOINTS": "true"}
        stack: auto.Stack | None = None

        def cli(*argv: str) -> dict[str, Any]:
            done = subprocess.run([sys.executable, "-m", "pulumi_openai_access", *argv], env=cli_env,
                                  capture_output=True, text=True, check=False)
            return {"exit_status": done.returncode, "stderr_tail": done.stderr.splitlines()[-1:],
                    "stdout": done.stdout}

        def engine_up() -> dict[str, Any]:
            nonlocal stack
            if stack is None:  # after discover: Pulumi.brownfield.yaml exists by then
                stack = open_stack(STACK, provision_access, work_dir=work_dir, state_dir=work_dir / "state",
                                   passphrase="bench", env=env)
                stack.set_config("openai:adminKey", auto.ConfigValue(emu.admin_key, secret=True))
                stack.set_config("openai:baseUrl", auto.ConfigValue(emu.base_url))
                if client_rate:
                    stack.set_config(REQUESTS_PER_MINUTE_CONFIG, auto.ConfigValue(f"{rpm:g}"))
                if window != DEFAULT_WINDOW_SECONDS:
                    stack.set_config(RATE_LIMIT_WINDOW_CONFIG, auto.ConfigValue(f"{window:g}"))
            result = stack.up()
            return {"changes": dict(result.summary.resource_changes or {})}

        actions = {
            "discover": lambda: cli("discover", "--stack", STACK, "--output", "access.yaml"),
            "adopting_up": engine_up,
            "noop_up": engine_up,
            "audit": lambda: cli("audit", "--stack", STACK, "--json"),
        }
        for step in step_names:
            before = request_counters(emu)
            started = time.monotonic()
            outcome = actions[step]()
            wall = time.monotonic() - started
            handled, limited = counter_delta(request_counters(emu), before)
            needed = scenario.needed(step)
            bound = bound_seconds(needed, limit, window)
            if step == "audit":
                outcome["in_sync"] = json.loads(outcome.pop("stdout") or "{}").get("in_sync")
            outcome.pop("stdout", None)
            writes = {k: v for k, v in handled.items() if not k.startswith("GET ")}
            steps.append({
                "step": step, "requests": sum(handled.values()), "by_endpoint": handled,
                "writes": sum(writes.values()), "rate_limited": sum(limited.values()),
                "needed": sum(needed.values()), "needed_by_endpoint": needed,
                "wall_s": round(wall, 2), "bound_s": round(bound, 2),
                "ratio": round(wall / bound, 2) if bound else None,
                "real_api_minutes": round(real_api_minutes(handled), 1), **outcome,
            })
            log(f"  {step:<12} {steps[-1]['requests']:>5} req (needed {steps[-1]['needed']:>5}, writes "
                f"{steps[-1]['writes']}, 429s {steps[-1]['rate_limited']}) {wall:6.1f}s bound {bound:5.1f}s "
                f"real API ~{steps[-1]['real_api_minutes']:.0f} min {json.dumps(outcome)}")
        if stack is not None:
            stack.workspace.remove_stack(STACK, force=True)
    return {"memberships": scenario.org.memberships, "projects": scenario.org.projects,
            "with_extra_roles": scenario.with_extra_roles, "org_users": scenario.org.org_users,
            "limit_per_window": limit, "window_s": window, "latency_ms": latency_ms,
            "teams": _teams(work_dir / "access.yaml"), "steps": steps}


def _teams(spec_file: Path) -> int | None:
    return len(yaml.safe_load(spec_file.read_text())["teams"]) if spec_file.is_file() else None


def targets_met(result: dict[str, Any]) -> dict[str, bool]:
    by_step = {s["step"]: s for s in result["steps"]}
    return {
        "discover at the fewest requests": by_step["discover"]["by_endpoint"] == by_step["discover"]["needed_by_endpoint"],
        "adopting up: 0 writes": by_step["adopting_up"]["writes"] == 0,
        "no-op up: 0 requests": by_step["noop_up"]["requests"] == 0,
        "audit in sync": by_step["audit"]["exit_status"] == 0 and by_step["audit"]["in_sync"] is True,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"N = {result['memberships']} memberships over P = {result['projects']} projects, "
        f"{result['with_extra_roles']} with an extra role, {result['org_users']} organization users; "
        f"discovered as {result['teams']} teams. Emulator limit {result['limit_per_window']} requests per "
        f"{result['window_s']:g} s per endpoint, latency {result['latency_ms']} ms.",
        "",
        "| step | requests | needed | writes | 429s | by endpoint | wall s | bound s | wall/bound | real API |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for s in result["steps"]:
        ratio = "—" if s["ratio"] is None else f"{s['ratio']:.2f}"
        lines.append(f"| {s['step']} | {s['requests']} | {s['needed']} | {s['writes']} | {s['rate_limited']} "
                     f"| {endpoints_text(s['by_endpoint'])} | {s['wall_s']:.1f} | {s['bound_s']:.0f} | {ratio} "
                     f"| {s['real_api_minutes']:.0f} min |")
    lines += ["", "Targets: " + ", ".join(f"{name}: {'met' if ok else '**NOT MET**'}"
                                         for name, ok in targets_met(result).items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.brownfield", description=__doc__.split("\n\n")[0])
    parser.add_argument("--memberships", type=int, default=1000, help="N (1000)")
    parser.add_argument("--projects", type=int, default=10, help="P (10)")
    parser.add_argument("--target-bound", type=float, default=20.0,
                        help="the emulator's limit makes discover's bound about this many seconds (20)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "brownfield")
    args = parser.parse_args(argv)
    scenario = Brownfield.of(args.memberships, args.projects)
    limit = max(1, math.ceil(args.memberships / args.target_bound))
    print(f"brownfield: N={args.memberships} P={scenario.org.projects}, {limit} requests/s per endpoint", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-brownfield-") as tmp:
        result = run_brownfield(scenario, Path(tmp), limit=limit, log=lambda line: print(line, flush=True))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "results.md").write_text(markdown(result))
    print(markdown(result))
    return 0 if all(targets_met(result).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
