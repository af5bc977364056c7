"""One benchmark run: an organization of one size, one read strategy, one throttle mode,
through the whole lifecycle in the real Pulumi engine (Automation API, inline program).

Steps: preview, up, no-op up, refresh, refresh after out-of-band drift, up that repairs the
drift, a role change on 10% of the memberships, destroy. For each: the emulator's request
counters (handled requests by endpoint, and 429s apart), wall time, the rate-limit lower
bound of the requests the step truly needs, failed resources, and the peak memory of the
provider process. After ``up``: the state size per resource and the size of ``__provider``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from pulumi import automation as auto

from pulumi_openai_access.components import access_component
from pulumi_openai_access.components.access_component import OrganizationAccess
from pulumi_openai_access.emulator.process import EmulatorProcess
from pulumi_openai_access.providers.admin_api.pace import DEFAULT_WINDOW_SECONDS
from pulumi_openai_access.providers.settings import RATE_LIMIT_WINDOW_CONFIG
from scripts.stack_runner import REPO_ROOT, open_stack

from .counters import counter_delta, request_counters
from .memory import PeakMemory
from .naive_providers import NaiveProjectUser
from .org import Org

STEPS = ("preview", "up", "noop_up", "refresh", "refresh_drift", "repair_up", "role_change", "destroy")
DYNAMIC_TYPES = ("pulumi-python:dynamic/openai:ProjectUser", "pulumi-python:dynamic/openai:UserRoleAssignment")


@dataclass(frozen=True)
class RunConfig:
    org: Org
    # "shared": the project's provider; "naive": one GET per membership and role on read (naive_providers)
    strategy: str = "shared"
    # True: set openai:requestsPerMinute to the emulator's limit; False: the default settings,
    # the client learns the pace from the 429s
    client_throttle: bool = True
    limit: int | None = 10  # requests per window per endpoint (None: unlimited)
    window: float = 1.0  # seconds
    latency_ms: int = 20
    retry_after: str = "none"  # the emulator's 429 headers: like the real API, none by default
    parallel: int | None = None  # the engine's --parallel (None: its default)
    rpm_factor: float = 1.0  # client requests per minute = factor x the emulator's limit
    # False: PULUMI_SKIP_CHECKPOINTS=true, the engine saves the state once at the end of a
    # command instead of after every resource step. Every checkpoint rewrites the whole state,
    # so with checkpoints a command over n resources costs O(n^2) in the engine alone (up of
    # 2,000 resources: over 5 minutes on 2 cores, with no API limit at all), which would hide
    # the API's cost that this benchmark measures.
    checkpoints: bool = False
    steps: tuple[str, ...] = STEPS  # a subset, in this order

    def __post_init__(self) -> None:
        unknown = set(self.steps) - set(STEPS)
        if unknown:
            raise ValueError(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")

    @property
    def label(self) -> str:
        throttle = ("no rate limit" if self.limit is None else
                    "client throttle" if self.client_throttle else "learned pace")
        parallel = "" if self.parallel is None else f", engine --parallel {self.parallel}"
        return f"{self.strategy} / {throttle}{parallel}"

    @property
    def requests_per_minute(self) -> float | None:
        if not self.client_throttle or self.limit is None:
            return None
        return 60.0 * self.limit / self.window * self.rpm_factor

    def bound_seconds(self, needed: dict[str, int]) -> float:
        """Windows the busiest endpoint needs for these requests, times the window: the time
        the rate limit imposes when each endpoint's budget starts spent (steady state)."""
        if self.limit is None or not needed:
            return 0.0
        return max(math.ceil(n / self.limit) for n in needed.values()) * self.window


@contextmanager
def _strategy(strategy: str) -> Iterator[None]:
    """The component declares the naive resource instead of the real one, for this run."""
    if strategy not in ("shared", "naive"):
        raise ValueError(f"unknown strategy {strategy!r}")
    saved = access_component.ProjectUser
    if strategy == "naive":
        access_component.ProjectUser = NaiveProjectUser
    try:
        yield
    finally:
        access_component.ProjectUser = saved


class _Events:
    """Counts failed resource operations and keeps the first error messages."""

    def __init__(self) -> None:
        self.failed = 0
        self.errors: list[str] = []
        self.changes: dict[str, int] = {}

    def __call__(self, event: auto.EngineEvent) -> None:
        if event.res_op_failed_event is not None:
            self.failed += 1
        diag = event.diagnostic_event
        if diag is not None and diag.severity == "error" and len(self.errors) < 5:
            self.errors.append(diag.message.strip()[:500])
        out = event.res_outputs_event
        if out is not None and out.metadata.type in DYNAMIC_TYPES:
            op = str(out.metadata.op.value if hasattr(out.metadata.op, "value") else out.metadata.op)
            self.changes[op] = self.changes.get(op, 0) + 1


def _state_sizes(stack: auto.Stack, org: Org) -> dict[str, Any]:
    deployment = stack.export_stack().deployment
    resources = deployment.get("resources", [])
    ours = [r for r in resources if r.get("type") in DYNAMIC_TYPES]
    def size(value: Any) -> int:
        return len(json.dumps(value, separators=(",", ":")))

    def mean(values: list[int]) -> int | None:
        return round(sum(values) / len(values)) if values else None

    sizes = [size(r) for r in ours]
    providers = [len(str((r.get("outputs") or {}).get("__provider", ""))) for r in ours]
    return {
        "checkpoint_bytes": size(deployment),
        "dynamic_resources": len(ours),
        "bytes_per_resource": mean(sizes),
        "max_bytes_per_resource": max(sizes) if sizes else None,
        # All the dynamic resources' state over the memberships they manage, roles included.
        "bytes_per_membership": round(sum(sizes) / org.memberships),
        # What the SDK records about the program, not what the providers store: the call stack
        # that declared each resource (deep under the Automation API), its source position.
        "stack_trace_bytes_per_resource": mean([size(r.get("stackTrace", [])) for r in ours]),
        "inputs_outputs_bytes_per_resource": mean(
            [size(r.get("inputs", {})) + size(r.get("outputs", {})) for r in ours]),
        "provider_bytes": max(providers) if providers else None,
        # __provider is stored twice per resource: in its inputs and in its outputs.
        "provider_copies_per_resource": (
            sum(("__provider" in (r.get("inputs") or {})) + ("__provider" in (r.get("outputs") or {})) for r in ours)
            / len(ours) if ours else None
        ),
    }


def _check_state(org: Org, emu: EmulatorProcess, *, role_change: bool, empty: bool = False) -> bool:
    """Whether the emulator's organization is exactly what the spec asks for."""
    state = emu.state()
    if empty:
        return not state["memberships"] and not state["role_assignments"]
    want_owner = {(org.project_id(g.project), org.user_id(g.user)) for g in org.promoted()} if role_change else set()
    want = {(org.project_id(g.project), org.user_id(g.user)) for g in org.grants}
    have = {(m["project_id"], m["user_id"]): m["role"] for m in state["memberships"]}
    if set(have) != want:
        return False
    if any((role == "owner") != (k in want_owner) for k, role in have.items()):
        return False
    want_roles = {(org.project_id(g.project), org.user_id(g.user), role)
                  for g in org.grants for role in org.role_ids(g.project)}
    have_roles = {(a["project_id"], a["user_id"], a["role_id"]) for a in state["role_assignments"]}
    return have_roles == want_roles


def run_lifecycle(cfg: RunConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    org = cfg.org
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name, _strategy(cfg.strategy):
        tmp = Path(tmp_name)
        seed_file = tmp / "seed.json"
        seed_file.write_text(json.dumps(org.seed()))
        args = ["--quiet", "--seed", str(seed_file), "--latency-ms", str(cfg.latency_ms),
                "--retry-after", cfg.retry_after]
        if cfg.limit is not None:
            args += ["--rate-limit", str(cfg.limit), "--rate-limit-window", str(cfg.window)]
        with EmulatorProcess.start(*args) as emu:
            (tmp / "Pulumi.yaml").write_text("name: openai-access\nruntime: python\n")
            spec = {"current": org.spec()}

            def program() -> None:
                OrganizationAccess("organization", spec["current"])

            env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
            if not cfg.checkpoints:
                env["PULUMI_SKIP_CHECKPOINTS"] = "true"
            stack = open_stack("bench", program, work_dir=tmp, state_dir=tmp / "state", passphrase="bench", env=env)
            stack.set_config("openai:adminKey", auto.ConfigValue(emu.admin_key, secret=True))
            stack.set_config("openai:baseUrl", auto.ConfigValue(emu.base_url))
            if cfg.requests_per_minute is not None:
                stack.set_config("openai:requestsPerMinute", auto.ConfigValue(f"{cfg.requests_per_minute:g}"))
            if cfg.limit is not None and cfg.window != DEFAULT_WINDOW_SECONDS:
                # the refill period the learned pace assumes: the emulator's, not the real API's
                stack.set_config(RATE_LIMIT_WINDOW_CONFIG, auto.ConfigValue(f"{cfg.window:g}"))

            opts: dict[str, Any] = {} if cfg.parallel is None else {"parallel": cfg.parallel}
            drift: dict[str, int] = {}
            results: list[dict[str, Any]] = []
            state_sizes: dict[str, Any] = {}

            def before(step: str) -> None:
                nonlocal drift
                if step == "refresh_drift":
                    new_state, drift = org.drift(emu.state())
                    emu.reset(new_state, keep_counters=True, keep_knobs=True)
                if step == "role_change":
                    spec["current"] = org.spec(role_change=True)

            commands: dict[str, Callable[..., Any]] = {
                "preview": stack.preview, "up": stack.up, "noop_up": stack.up, "refresh": stack.refresh,
                "refresh_drift": stack.refresh, "repair_up": stack.up, "role_change": stack.up,
                "destroy": stack.destroy,
            }
            for step in cfg.steps:
                before(step)
                events = _Events()
                counts_before = request_counters(emu)
                error = None
                with PeakMemory() as memory:
                    t0 = time.monotonic()
                    try:
                        commands[step](on_event=events, **opts)
                    except auto.CommandError as exc:
                        error = str(exc)[-2000:]
                    wall = time.monotonic() - t0
                handled, limited = counter_delta(request_counters(emu), counts_before)
                needed = org.needed(step, drift)
                bound = cfg.bound_seconds(needed)
                converged = None
                if step in ("up", "repair_up", "role_change", "destroy"):
                    converged = _check_state(org, emu, role_change=step == "role_change", empty=step == "destroy")
                result = {
                    "step": step,
                    "requests": sum(handled.values()),
                    "by_endpoint": handled,
                    "rate_limited": sum(limited.values()),
                    "rate_limited_by_endpoint": limited,
                    "needed": sum(needed.values()),
                    "needed_by_endpoint": needed,
                    "extra_requests": sum(handled.values()) - sum(needed.values()),
                    "wall_s": round(wall, 2),
                    "bound_s": round(bound, 2),
                    "ratio": round(wall / bound, 2) if bound else None,
                    "failed_resources": events.failed,
                    "resource_ops": events.changes,
                    "errors": events.errors + ([error] if error and not events.errors else []),
                    "converged": converged,
                    "provider_peak_mib": memory.peak_mib("provider"),
                    "engine_peak_mib": memory.peak_mib("engine"),
                }
                if step == "refresh_drift":
                    result["drift"] = dict(drift)
                results.append(result)
                log(f"  {cfg.label} N={org.memberships}: {step:<13} {result['requests']:>5} req "
                    f"(needed {result['needed']:>5}, 429s {result['rate_limited']:>3}) {wall:7.1f}s "
                    f"bound {bound:6.1f}s ratio {result['ratio']} failed {events.failed}"
                    f"{'' if converged in (None, True) else ' NOT CONVERGED'}")
                if step == "up":
                    state_sizes = _state_sizes(stack, org)
            stack.workspace.remove_stack("bench", force=True)
    return {
        "config": {**{k: v for k, v in asdict(cfg).items() if k != "org"}, **asdict(org),
                   "requests_per_minute": cfg.requests_per_minute, "label": cfg.label,
                   "org_users": org.org_users, "resources": org.resources},
        "state": state_sizes,
        "steps": results,
        "total_s": round(time.monotonic() - started, 1),
    }
