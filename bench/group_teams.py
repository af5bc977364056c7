"""Teams as groups against per-person teams: the same people and projects, declared both ways,
through the real engine against the rate-limited emulator.

One team of ``people`` (named by email) granted ``projects`` projects as ``member`` with one
extra role (``role-api-project-viewer``). Per person, that is a ``ProjectUser`` per person
and project; as a group (``group:``), one ``Group``, a ``GroupUser`` per person and a
``ProjectGroup`` per project. For each (preview, up, no-op up, refresh, destroy): the requests
by endpoint against the fewest the step needs, wall time against the rate-limit bound of
those requests, and after ``up`` the checkpoint's bytes.

    python -m bench.group_teams --people 50 --projects 5 --people 200 --projects 5
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pulumi import automation as auto

from bench.counters import counter_delta, request_counters
from bench.org import ORG_USERS, key
from pulumi_openai_access.components.access_component import OrganizationAccess
from pulumi_openai_access.emulator.api import (
    GROUP,
    GROUP_ROLES,
    GROUP_USER,
    GROUP_USERS,
    GROUPS,
    PROJECT_GROUP,
    PROJECT_GROUPS,
    PROJECT_USER,
    PROJECT_USERS,
    USER_ROLES,
)
from pulumi_openai_access.emulator.process import EmulatorProcess
from pulumi_openai_access.providers.admin_api import behaviour
from scripts.stack_runner import REPO_ROOT, open_stack

STEPS = ("preview", "up", "noop_up", "refresh", "destroy")
EXTRA_ROLE = "role-api-project-viewer"


@dataclass(frozen=True)
class Scenario:
    people: int
    projects: int
    as_group: bool

    @property
    def memberships(self) -> int:
        return self.people * self.projects

    @property
    def label(self) -> str:
        return f"{'group-team' if self.as_group else 'per-person'} {self.people} people x {self.projects} projects"

    def seed(self) -> dict[str, Any]:
        return {
            "users": [{"id": f"user-b{u:05d}", "email": f"b{u:05d}@example.com", "name": f"B {u}", "role": "reader"}
                      for u in range(self.people)],
            "projects": [{"id": f"proj_b{p:03d}", "name": f"Project {p}"} for p in range(self.projects)],
        }

    def spec(self) -> dict[str, Any]:
        team: dict[str, Any] = {
            "members": [f"b{u:05d}@example.com" for u in range(self.people)],
            "grants": {f"proj_b{p:03d}": {"role": "member", "roles": [EXTRA_ROLE]} for p in range(self.projects)},
        }
        if self.as_group:
            team["group"] = "bench-team"
        return {"teams": {"bench": team}}

    def needed(self, step: str) -> dict[str, int]:
        """The fewest requests of each step, by endpoint."""
        if step in ("preview", "noop_up"):
            return {}
        p, k = self.people, self.projects
        if not self.as_group:
            member_pages = k * max(1, math.ceil(p / behaviour.LEGACY_PAGE_MAX))
            return {
                "up": {key("POST", PROJECT_USERS): p * k, key("POST", USER_ROLES): p * k},
                "refresh": {key("GET", PROJECT_USERS): member_pages, key("GET", USER_ROLES): p * k},
                "destroy": {key("DELETE", PROJECT_USER): p * k},
            }[step]
        user_pages = max(1, math.ceil(p / behaviour.GROUP_PAGE_MAX))
        return {
            # the groups (is the name taken?), the people's ids by email, each project's grants
            "up": {key("GET", GROUPS): 1, key("POST", GROUPS): 1,
                   key("GET", ORG_USERS): max(1, math.ceil(p / behaviour.LEGACY_PAGE_MAX)),
                   key("GET", GROUP_USERS): 1, key("POST", GROUP_USERS): p,
                   key("GET", PROJECT_GROUPS): k, key("POST", PROJECT_GROUPS): k, key("POST", GROUP_ROLES): k},
            "refresh": {key("GET", GROUPS): 1, key("GET", GROUP_USERS): user_pages,
                        key("GET", PROJECT_GROUPS): k, key("GET", GROUP_ROLES): k},
            # one write per resource (deleting the group alone would take its users and grants)
            "destroy": {key("DELETE", GROUP_USER): p, key("DELETE", PROJECT_GROUP): k, key("DELETE", GROUP): 1},
        }[step]


def bound_seconds(needed: dict[str, int], limit: int, window: float) -> float:
    """Windows the busiest endpoint needs at ``limit`` requests per ``window``."""
    return max((math.ceil(n / limit) * window for n in needed.values()), default=0.0)


def run(scenario: Scenario, *, limit: int, window: float, log: Callable[[str], None] = print) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-groups-") as tmp_name:
        tmp = Path(tmp_name)
        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps(scenario.seed()))
        args = ["--quiet", "--seed", str(seed_file), "--latency-ms", "20",
                "--rate-limit", str(limit), "--rate-limit-window", str(window)]
        with EmulatorProcess.start(*args) as emu:
            (tmp / "Pulumi.yaml").write_text("name: openai-access\nruntime: python\n")

            def program() -> None:
                OrganizationAccess("organization", scenario.spec())

            env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
                   "PULUMI_SKIP_CHECKPOINTS": "true"}
            stack = open_stack("bench", program, work_dir=tmp, state_dir=tmp / "state", passphrase="bench", env=env)
            stack.set_config("openai:adminKey", auto.ConfigValue(emu.admin_key, secret=True))
            stack.set_config("openai:baseUrl", auto.ConfigValue(emu.base_url))
            stack.set_config("openai:requestsPerMinute", auto.ConfigValue(f"{60.0 * limit / window:g}"))
            commands = {"preview": stack.preview, "up": stack.up, "noop_up": stack.up, "refresh": stack.refresh,
                        "destroy": stack.destroy}
            steps, state_bytes = [], None
            for step in STEPS:
                before = request_counters(emu)
                started = time.monotonic()
                commands[step]()
                wall = time.monotonic() - started
                handled, limited = counter_delta(request_counters(emu), before)
                needed = scenario.needed(step)
                bound = bound_seconds(needed, limit, window)
                steps.append({"step": step, "requests": sum(handled.values()), "needed": sum(needed.values()),
                              "at_minimum": handled == needed, "by_endpoint": handled, "needed_by_endpoint": needed,
                              "writes": sum(n for k, n in handled.items() if not k.startswith("GET")),
                              "rate_limited": sum(limited.values()), "wall_s": round(wall, 1),
                              "bound_s": round(bound, 1)})
                log(f"  {scenario.label}: {step:<8} {steps[-1]['requests']:>5} requests (fewest "
                    f"{steps[-1]['needed']:>5}) {wall:6.1f}s, bound {bound:5.1f}s")
                if step == "up":
                    state_bytes = len(json.dumps(stack.export_stack().deployment, separators=(",", ":")))
            stack.workspace.remove_stack("bench", force=True)
    return {"scenario": {"people": scenario.people, "projects": scenario.projects, "as_group": scenario.as_group,
                         "memberships": scenario.memberships, "limit": limit, "window_s": window},
            "state_bytes": state_bytes, "steps": steps}


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| teams | people x projects | step | requests (fewest) | writes | wall s | bound s | state bytes |",
             "|---|---|---|---|---|---|---|---|"]
    for result in results:
        s = result["scenario"]
        for step in result["steps"]:
            if step["step"] in ("preview", "noop_up") and step["requests"] == 0:
                continue
            lines.append(f"| {'group' if s['as_group'] else 'per-person'} | {s['people']} x {s['projects']} | "
                         f"{step['step']} | {step['requests']} ({step['needed']}) | {step['writes']} | "
                         f"{step['wall_s']} | {step['bound_s']} | "
                         f"{result['state_bytes'] if step['step'] == 'up' else ''} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.group_teams", description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, action="append", help="people per team (repeat with --projects)")
    parser.add_argument("--projects", type=int, action="append", help="projects the team is granted")
    parser.add_argument("--limit", type=int, default=20, help="emulator requests per window and endpoint")
    parser.add_argument("--window", type=float, default=1.0, help="the rate limit's window in seconds")
    parser.add_argument("--out", type=Path, default=Path("bench/results/group-teams"), help="results directory")
    args = parser.parse_args(argv)
    sizes = list(zip(args.people or [50], args.projects or [5]))
    results = [run(Scenario(people, projects, as_group), limit=args.limit, window=args.window)
               for people, projects in sizes for as_group in (False, True)]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "results.md").write_text(markdown(results))
    print(markdown(results))
    return 0 if all(step["at_minimum"] for r in results for step in r["steps"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
