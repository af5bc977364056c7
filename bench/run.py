"""Benchmark: Admin API requests and time of each pulumi command, against the emulator.

    .venv/bin/python -m bench.run                 # sizes 10, 100, 1000: writes bench/results/
    .venv/bin/python -m bench.run --quick         # small and fast (CI): bench/results/quick/

See bench/README.md for what is measured and how to read the results.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import pickle
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

from bench.lifecycle import RunConfig, run_lifecycle
from bench.org import Org
from bench.report import write_json, write_markdown, write_svg

# Diagnostic variants of the project's providers, run at --diagnostic-sizes, to explain the
# time against the bound: what the client throttle and the 429 handling each contribute.
DIAGNOSTICS: dict[str, dict[str, Any]] = {
    # the default settings (no openai:requestsPerMinute): the client learns the pace from the 429s
    "no-client-throttle": dict(client_throttle=False),
    # the client's rate 10% under the limit: room for the jitter between send and arrival
    "throttle-90pct": dict(rpm_factor=0.9),
    # the emulator tells the wait on a 429 (retry-after-ms), which the real API does not
    "server-retry-after": dict(retry_after="ms"),
    # no extra roles: up and destroy use one endpoint each, nothing waits on another endpoint
    "no-roles": dict(roles=0),
    # the engine runs 32 resource operations at once instead of 8 (the provider still serves 4)
    "parallel-32": dict(parallel=32),
    # no rate limit at all (and no client throttle): what the engine and the provider take alone
    "unlimited": dict(limit=None),
}


def sdk_leaks_pickler_patch() -> bool:
    """Whether the SDK's ``serialize_provider`` still leaves ``pickle._Pickler`` patched (the
    project's resources undo it after registering: ``resource_inputs.pickler_restored``)."""
    from pulumi.dynamic import dynamic

    from pulumi_openai_access.providers.project_user import ProjectUserProvider
    from pulumi_openai_access.providers.resource_inputs import pickler_restored

    with pickler_restored():
        before = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
        dynamic.serialize_provider(ProjectUserProvider())
        return pickle._Pickler._batch_setitems is not before  # type: ignore[attr-defined]


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def scaled_limit(org: Org, window: float, target_bound: float) -> int:
    """Requests per window per endpoint that make up's busiest endpoint (N member adds, or
    N*R role assignments) take about ``target_bound`` seconds at the limit."""
    busiest = max(org.memberships, org.assignments)
    return max(1, math.ceil(busiest * window / target_bound))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=None, help="memberships N, comma-separated (10,100,1000)")
    parser.add_argument("--projects", type=int, default=10, help="projects P (at most N) (10)")
    parser.add_argument("--roles", type=int, default=1, help="extra roles R per membership (1)")
    parser.add_argument("--rate-limit", type=int, default=None,
                        help="requests per window per endpoint, for every size (default: scaled, see --target-bound)")
    parser.add_argument("--target-bound", type=float, default=20.0,
                        help="without --rate-limit: per size, the limit that makes the bound of up about this many "
                             "seconds, limit = ceil(max(N, N*R) * window / target) (20)")
    parser.add_argument("--window", type=float, default=1.0, help="rate-limit window in seconds (1)")
    parser.add_argument("--latency-ms", type=int, default=20, help="emulator latency per request (20)")
    parser.add_argument("--retry-after", default="none", choices=("none", "seconds", "ms", "both"),
                        help="headers the emulator's 429s carry (none, like the real Admin API)")
    parser.add_argument("--strategies", default="shared,naive", help="shared (the project's providers), naive")
    parser.add_argument("--rpm-factor", type=float, default=1.0,
                        help="client openai:requestsPerMinute as a multiple of the emulator's limit (1.0)")
    parser.add_argument("--parallel", type=int, default=None, help="engine --parallel (its default: 8)")
    parser.add_argument("--checkpoints", action="store_true",
                        help="let the engine checkpoint after every step (O(n^2); off by default)")
    parser.add_argument("--diagnostics", default=None,
                        help=f"diagnostic variants of the shared strategy: {','.join(DIAGNOSTICS)} or none (all)")
    parser.add_argument("--diagnostic-sizes", type=_sizes, default=None, help="sizes to run diagnostics at (100)")
    parser.add_argument("--quick", action="store_true", help="sizes 10,40, limit 50/s, no diagnostics")
    parser.add_argument("--out", type=Path, default=None, help="output directory (bench/results)")
    parser.add_argument("--append", action="store_true",
                        help="add these runs to the results.json already in --out (and rewrite the reports)")
    parser.add_argument("--render", action="store_true", help="only rewrite results.md/.svg from results.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [10, 40]
        args.rate_limit = args.rate_limit or 50
        args.out = args.out or REPO_ROOT / "bench" / "results" / "quick"
    args.sizes = args.sizes or [10, 100, 1000]
    if args.diagnostics is None:
        args.diagnostics = "none" if args.quick else "all"
    args.diagnostics = (list(DIAGNOSTICS) if args.diagnostics == "all" else
                        [] if args.diagnostics == "none" else args.diagnostics.split(","))
    args.diagnostic_sizes = args.diagnostic_sizes or [100]
    args.out = args.out or REPO_ROOT / "bench" / "results"
    for name in args.diagnostics:
        if name not in DIAGNOSTICS:
            parser.error(f"unknown diagnostic {name!r}; choose from {', '.join(DIAGNOSTICS)}")
    return args


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal:"))
    except (OSError, StopIteration):
        mem_kib = 0
    info = {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 1024 ** 2, 1),
            "python": platform.python_version(), "platform": platform.platform()}
    try:
        import pulumi

        from scripts.stack_runner import pulumi_bin_dir

        info["pulumi_sdk"] = getattr(pulumi, "__version__", None) or _dist_version("pulumi")
        info["pulumi_cli"] = subprocess.run([str(pulumi_bin_dir() / "pulumi"), "version"], capture_output=True,
                                            text=True, check=False).stdout.strip()
    except Exception as exc:  # noqa: BLE001 - only informative
        info["pulumi_cli"] = f"unknown ({exc})"
    return info


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def write_reports(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, out / "results.json")
    write_markdown(results, out / "results.md")
    plotted = write_svg(results, out / "results.svg")
    print(f"wrote {out / 'results.json'}, {out / 'results.md'}{', ' + str(out / 'results.svg') if plotted else ''}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        write_reports(json.loads((args.out / "results.json").read_text()), args.out)
        return 0
    started = time.monotonic()
    sdk = {"pickler_leak": sdk_leaks_pickler_patch()}
    base = dict(window=args.window, latency_ms=args.latency_ms,
                retry_after=args.retry_after, parallel=args.parallel, rpm_factor=args.rpm_factor,
                checkpoints=args.checkpoints)
    plan: list[tuple[RunConfig, str | None]] = []
    for n in args.sizes:
        org = Org(n, min(args.projects, n), args.roles)
        limit = args.rate_limit or scaled_limit(org, args.window, args.target_bound)
        for strategy in filter(None, args.strategies.split(",")):
            plan.append((RunConfig(org, strategy=strategy, limit=limit, **base), None))
        if n in args.diagnostic_sizes:
            for name in args.diagnostics:
                changes = dict(DIAGNOSTICS[name])
                variant = Org(n, org.projects, changes.pop("roles")) if "roles" in changes else org
                plan.append((dataclasses.replace(RunConfig(variant, limit=limit, **base), **changes), name))
    limits = ", ".join(sorted({f"N={cfg.org.memberships}: {cfg.limit}" for cfg, _ in plan}))
    print(f"{len(plan)} runs; requests per {args.window:g}s window per endpoint: {limits}; "
          f"latency {args.latency_ms} ms; writing to {args.out}", flush=True)
    runs = []
    for cfg, diagnostic in plan:
        print(f"run: N={cfg.org.memberships} P={cfg.org.projects} R={cfg.org.roles_per_member} {cfg.label}"
              f"{'' if cfg.rpm_factor == 1 else f' rpm x{cfg.rpm_factor:g}'}"
              f"{'' if cfg.retry_after == 'none' else f' retry-after {cfg.retry_after}'}", flush=True)
        run = run_lifecycle(cfg, log=lambda line: print(line, flush=True))
        run["config"]["diagnostic"] = diagnostic
        if diagnostic:
            run["config"]["label"] += f" [{diagnostic}]"
        runs.append(run)
    results = {
        "command": "python -m bench.run " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
        "machine": machine(),
        "params": {"sizes": args.sizes, "projects": args.projects, "roles": args.roles,
                   "rate_limit": args.rate_limit or f"scaled per size to a bound of ~{args.target_bound:g} s for up",
                   "window_s": args.window, "latency_ms": args.latency_ms,
                   "retry_after": args.retry_after, "parallel": args.parallel, "checkpoints": args.checkpoints,
                   "rpm_factor": args.rpm_factor},
        "sdk": sdk,
        "runs": runs,
        "total_s": round(time.monotonic() - started, 1),
    }
    if args.append and (args.out / "results.json").exists():
        earlier = json.loads((args.out / "results.json").read_text())
        earlier["runs"] += runs
        earlier["total_s"] = round(earlier["total_s"] + results["total_s"], 1)
        earlier["command"] += " && " + results["command"]
        results = earlier
    write_reports(results, args.out)
    print(f"total {results['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
