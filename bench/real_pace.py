"""Real pace: every command at the Admin API's own limit, with the default settings.

    .venv/bin/python -m bench.real_pace --limit 8                        # ~50 min
    .venv/bin/python -m bench.real_pace --limit 8 --part lifecycle       # up, refresh, destroy
    .venv/bin/python -m bench.real_pace --limit 8 --part discover-audit  # in another shell
    .venv/bin/python -m bench.real_pace --render                         # results.md from the parts

The emulator throttles each endpoint to ``--limit`` requests per ``--window`` seconds (60, as
the real API) and, like the real API, sends no Retry-After; the providers and the command get
no ``requestsPerMinute``: they learn the pace from the 429s. Two parts, independent (each its
own emulator), so they can run at the same time:

* lifecycle: ``up``, ``refresh`` and ``destroy`` of N memberships with one extra role each
  (the lifecycle benchmark's organization and stack, through the real engine);
* discover-audit: ``openai-access discover`` then ``audit`` of an organization of N
  memberships (the brownfield benchmark's), as a user runs them.

Each step is measured against its bound: the step's requests on its busiest endpoint over the
limit, in whole windows. Every part writes ``L<limit>-<part>.json`` in ``--out``; the report
(``results.md``) gathers all of them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.brownfield import Brownfield, run_brownfield
from bench.lifecycle import REPO_ROOT, RunConfig, run_lifecycle
from bench.org import Org
from bench.report import endpoints_text

PARTS = ("lifecycle", "discover-audit")
LIFECYCLE_STEPS = ("up", "refresh", "destroy")
TARGET_RATIO = 1.1


def bound_seconds(by_endpoint: dict[str, int], limit: int, window: float) -> float:
    """The busiest endpoint's requests in whole windows."""
    return max((math.ceil(n / limit) * window for n in by_endpoint.values()), default=0.0)


def run_part(part: str, *, limit: int, window: float, memberships: int, projects: int,
             latency_ms: int = 20, log=print) -> dict[str, Any]:
    started = time.monotonic()
    if part == "lifecycle":
        cfg = RunConfig(Org(memberships, min(projects, memberships), 1), client_throttle=False, limit=limit,
                        window=window, latency_ms=latency_ms, retry_after="none", steps=LIFECYCLE_STEPS)
        run = run_lifecycle(cfg, log=log)
        steps = [{"step": s["step"], "requests": s["requests"], "by_endpoint": s["by_endpoint"],
                  "needed_by_endpoint": s["needed_by_endpoint"], "rate_limited": s["rate_limited"],
                  "wall_s": s["wall_s"], "failed": s["failed_resources"] + (0 if s["converged"] in (None, True) else 1),
                  "errors": s["errors"]} for s in run["steps"]]
    elif part == "discover-audit":
        with tempfile.TemporaryDirectory(prefix="bench-real-pace-") as tmp:
            result = run_brownfield(Brownfield.of(memberships, projects), Path(tmp), limit=limit, window=window,
                                    latency_ms=latency_ms, log=log, step_names=("discover", "audit"), client_rate=False)
        steps = [{"step": s["step"], "requests": s["requests"], "by_endpoint": s["by_endpoint"],
                  "needed_by_endpoint": s["needed_by_endpoint"], "rate_limited": s["rate_limited"],
                  "wall_s": s["wall_s"], "failed": int(s["exit_status"] != 0 or s.get("in_sync") is False),
                  "errors": s["stderr_tail"] if s["exit_status"] else []} for s in result["steps"]]
    else:
        raise ValueError(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
    for step in steps:
        step["bound_s"] = bound_seconds(step["by_endpoint"], limit, window)
        step["ratio"] = round(step["wall_s"] / step["bound_s"], 3) if step["bound_s"] else None
    return {"part": part, "limit": limit, "window_s": window, "memberships": memberships,
            "projects": min(projects, memberships), "latency_ms": latency_ms, "steps": steps,
            "total_s": round(time.monotonic() - started, 1)}


def markdown(parts: list[dict[str, Any]]) -> str:
    lines = ["| limit | N | step | requests | busiest endpoint | 429s | wall s | bound s | wall/bound | failed |",
             "|---:|---:|---|---:|---|---:|---:|---:|---:|---:|"]
    for part in sorted(parts, key=lambda p: (-p["limit"], PARTS.index(p["part"]))):
        for s in part["steps"]:
            busiest = dict([max(s["by_endpoint"].items(), key=lambda kv: kv[1])]) if s["by_endpoint"] else {}
            ratio = "—" if s["ratio"] is None else f"{s['ratio']:.2f}"
            if s["ratio"] is not None and s["ratio"] > TARGET_RATIO:
                ratio = f"**{ratio}**"
            lines.append(f"| {part['limit']}/{part['window_s']:g}s | {part['memberships']} | {s['step']} "
                         f"| {s['requests']} | {endpoints_text(busiest)} | {s['rate_limited']} | {s['wall_s']:.0f} "
                         f"| {s['bound_s']:.0f} | {ratio} | {s['failed']} |")
    return "\n".join(lines) + "\n"


def render(out: Path) -> str:
    parts = [json.loads(f.read_text()) for f in sorted(out.glob("L*-*.json"))]
    text = markdown(parts)
    (out / "results.md").write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.real_pace", description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=8, help="requests per window per endpoint (8)")
    parser.add_argument("--window", type=float, default=60.0, help="window in seconds (60, as the real API)")
    parser.add_argument("--memberships", type=int, default=80, help="N (80)")
    parser.add_argument("--projects", type=int, default=10, help="P (10)")
    parser.add_argument("--latency-ms", type=int, default=20, help="emulator latency per request (20)")
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "real-pace")
    parser.add_argument("--render", action="store_true", help="only rewrite results.md from the parts' JSON")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.render:
        for part in PARTS if args.part == "all" else (args.part,):
            print(f"real pace: {part}, N={args.memberships}, {args.limit} per {args.window:g}s", flush=True)
            result = run_part(part, limit=args.limit, window=args.window, memberships=args.memberships,
                              projects=args.projects, latency_ms=args.latency_ms,
                              log=lambda line: print(line, flush=True))
            (args.out / f"L{args.limit}-{part}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(render(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
