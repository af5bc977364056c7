"""Writes the benchmark's results: JSON (everything), Markdown (tables, target checks) and a
dependency-free SVG plot of requests and wall time against N."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

STEP_NAMES = {
    "preview": "preview",
    "up": "up",
    "noop_up": "no-op up",
    "refresh": "refresh",
    "refresh_drift": "refresh after drift",
    "repair_up": "up repairing drift",
    "role_change": "role change (10%)",
    "destroy": "destroy",
}

SHORT_ENDPOINTS = {
    "GET /v1/organization/projects/{project_id}/users": "list members",
    "POST /v1/organization/projects/{project_id}/users": "add member",
    "GET /v1/organization/projects/{project_id}/users/{user_id}": "get member",
    "POST /v1/organization/projects/{project_id}/users/{user_id}": "set member role",
    "DELETE /v1/organization/projects/{project_id}/users/{user_id}": "remove member",
    "GET /v1/projects/{project_id}/users/{user_id}/roles": "list user roles",
    "POST /v1/projects/{project_id}/users/{user_id}/roles": "assign role",
    "GET /v1/projects/{project_id}/users/{user_id}/roles/{role_id}": "get role assignment",
    "DELETE /v1/projects/{project_id}/users/{user_id}/roles/{role_id}": "unassign role",
    "GET /v1/organization/users": "list org users",
    "GET /v1/organization/projects": "list projects",
    "GET /v1/organization/projects/{project_id}/service_accounts": "list service accounts",
    "GET /v1/organization/projects/{project_id}/api_keys": "list project keys",
}


def endpoints_text(counts: dict[str, int]) -> str:
    if not counts:
        return "—"
    return ", ".join(f"{SHORT_ENDPOINTS.get(k, k)} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _num(value: Any, fmt: str = "{}") -> str:
    return "—" if value is None else fmt.format(value)


def run_title(run: dict[str, Any]) -> str:
    c = run["config"]
    return (f"N={c['memberships']} memberships, P={c['projects']} projects, R={c['roles_per_member']} "
            f"({c['resources']} resources, {c['org_users']} org users) — {c['label']}")


def run_table(run: dict[str, Any]) -> list[str]:
    lines = [
        "| step | requests | needed | 429s | by endpoint | wall s | bound s | wall/bound | failed | converged "
        "| provider peak MiB |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for s in run["steps"]:
        converged = {None: "", True: "yes", False: "**NO**"}[s["converged"]]
        lines.append(
            f"| {STEP_NAMES[s['step']]} | {s['requests']} | {s['needed']} | {s['rate_limited']} "
            f"| {endpoints_text(s['by_endpoint'])} | {s['wall_s']:.1f} | {s['bound_s']:.0f} "
            f"| {_num(s['ratio'], '{:.2f}')} | {s['failed_resources']} | {converged} "
            f"| {_num(s['provider_peak_mib'])} |"
        )
    return lines


def target_checks(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, checked on every run of the project's providers (strategy shared)."""
    checks = []
    for run in runs:
        c = run["config"]
        if c["strategy"] != "shared" or c.get("diagnostic"):
            continue
        steps = {s["step"]: s for s in run["steps"]}
        n, p, r = c["memberships"], c["projects"], c["roles_per_member"]
        who = f"N={n} ({c['label']})"

        def add(target: str, ok: bool, detail: str) -> None:
            checks.append({"run": who, "target": target, "met": ok, "detail": detail})

        for name in ("preview", "noop_up"):
            add(f"{STEP_NAMES[name]}: 0 API requests", steps[name]["requests"] == 0,
                f"{steps[name]['requests']} requests")
        up = steps["up"]
        writes = {k: v for k, v in up["by_endpoint"].items() if not k.startswith("GET ")}
        reads = {k: v for k, v in up["by_endpoint"].items() if k.startswith("GET ")}
        add("up: one add per membership and one assign per extra role, no read",
            sum(writes.values()) == n + n * r and not reads,
            f"{sum(writes.values())} writes for {n} memberships with {n * r} roles; reads: {endpoints_text(reads)}")
        limit = p * math.ceil(n / p / 100) + (n if r else 0)
        for name in ("refresh", "refresh_drift"):
            add(f"{STEP_NAMES[name]}: ≤ P·⌈N/P/100⌉ + one list per member with roles = {limit}",
                steps[name]["requests"] <= limit, endpoints_text(steps[name]["by_endpoint"]))
        add(f"destroy: one request per membership = {n} (not N + N·R)", steps["destroy"]["requests"] <= n,
            endpoints_text(steps["destroy"]["by_endpoint"]))
        for name in ("up", "refresh", "destroy"):
            step = steps[name]
            if step["ratio"] is not None:
                add(f"{STEP_NAMES[name]} under the throttle: wall ≤ 1.2 × bound", step["ratio"] <= 1.2,
                    f"{step['wall_s']:.1f}s / {step['bound_s']:.0f}s = {step['ratio']:.2f}; "
                    f"{step['rate_limited']} 429s")
        failed = sum(s["failed_resources"] for s in run["steps"])
        add("zero failed resources, every step converged",
            failed == 0 and all(s["converged"] in (None, True) for s in run["steps"]),
            f"{failed} failed")
        provider = run["state"].get("provider_bytes")
        add("__provider under 200 bytes per resource", provider is not None and provider < 200,
            f"{provider} bytes (stored {run['state'].get('provider_copies_per_resource')}× per resource)")
    return checks


def write_markdown(results: dict[str, Any], path: Path) -> None:
    m, prm = results["machine"], results["params"]
    out = [
        "# Admin API request cost of each pulumi command",
        "",
        f"Generated by `{results['command']}` in {results['total_s']:.0f} s "
        f"on {m['nproc']} × {m['cpu']}, {m['memory_gib']} GiB RAM, pulumi CLI {m.get('pulumi_cli', '?')}, "
        f"SDK {m.get('pulumi_sdk', '?')}.",
        "",
        f"Emulator: a sliding-window rate limit on each endpoint of K requests per {prm['window_s']:g} s "
        f"(K: {prm['rate_limit']}; the column *limit* below), {prm['latency_ms']} ms latency, "
        f"429s carry Retry-After: {prm['retry_after']}. The client's `openai:requestsPerMinute` is set to "
        f"60·K/window × {prm['rpm_factor']:g} unless the run says '429 + backoff only'. "
        f"Engine: --parallel {prm['parallel'] or 'default (8)'}, checkpoints "
        f"{'on' if prm['checkpoints'] else 'off (PULUMI_SKIP_CHECKPOINTS)'}. "
        "*bound* = for the busiest endpoint, the windows the requests a step truly needs take "
        "(⌈needed/limit⌉ × window); *needed* = every write once, reads only as shared listings.",
        "",
    ]
    if results.get("sdk"):
        sdk = results["sdk"]
        out += [f"SDK pickler leak (pulumi/dynamic serialize_provider) detected: {sdk['pickler_leak']} "
                "(the providers' resources undo it after registering).", ""]
    runs = results["runs"]
    main_runs = [r for r in runs if not r["config"].get("diagnostic")]
    diagnostics = [r for r in runs if r["config"].get("diagnostic")]
    out += ["## Summary: requests per step (429s apart), and time against the bound", ""]
    out += summary_table(main_runs)
    if diagnostics:
        out += ["", "## Diagnostics: what the time is made of", "",
                "Variants of the project's provider (see bench/README.md), each at the sizes shown.", ""]
        out += summary_table(diagnostics)
    out += ["", "## Targets (project's providers, main runs)", "", "| run | target | met | detail |",
            "|---|---|---|---|"]
    for c in target_checks(runs):
        out.append(f"| {c['run']} | {c['target']} | {'yes' if c['met'] else '**NO**'} | {c['detail']} |")
    out += ["", "## State size and memory", "",
            "| N | strategy | bytes/membership | bytes/resource | of which SDK stackTrace | inputs+outputs "
            "| __provider bytes (×copies) | whole state bytes | provider peak MiB | engine peak MiB |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        st = run["state"]
        provider_peak = max((s["provider_peak_mib"] or 0) for s in run["steps"])
        engine_peak = max((s["engine_peak_mib"] or 0) for s in run["steps"])
        out.append(f"| {run['config']['memberships']} | {run['config']['label']} | {_num(st.get('bytes_per_membership'))} "
                   f"| {_num(st.get('bytes_per_resource'))} "
                   f"| {_num(st.get('stack_trace_bytes_per_resource'))} | {_num(st.get('inputs_outputs_bytes_per_resource'))} "
                   f"| {_num(st.get('provider_bytes'))} (×{_num(st.get('provider_copies_per_resource'), '{:g}')}) "
                   f"| {_num(st.get('checkpoint_bytes'))} | {provider_peak:g} | {engine_peak:g} |")
    out += ["", "## Every run, step by step", ""]
    for run in runs:
        out += [f"### {run_title(run)}", "", f"Run time {run['total_s']:.0f} s; client throttle "
                f"{_num(run['config']['requests_per_minute'], '{:g}')} requests/min/endpoint.", ""]
        out += run_table(run)
        errors = [e for s in run["steps"] for e in s["errors"]]
        if errors:
            out += ["", "First errors:", ""] + [f"    {e.splitlines()[0][:300]}" for e in errors[:3]]
        out.append("")
    path.write_text("\n".join(out) + "\n")


def summary_table(runs: list[dict[str, Any]]) -> list[str]:
    out = ["| N | strategy | limit | " + " | ".join(STEP_NAMES[s] for s in STEP_NAMES)
           + " | up wall/bound | refresh wall/bound | destroy wall/bound |",
           "|" + "---|" * (len(STEP_NAMES) + 6)]
    for run in runs:
        steps = {s["step"]: s for s in run["steps"]}
        cells = [f"{steps[s]['requests']}" + (f" (+{steps[s]['rate_limited']}×429)" if steps[s]["rate_limited"] else "")
                 for s in STEP_NAMES]
        ratios = " | ".join(f"{steps[s]['wall_s']:.0f}/{steps[s]['bound_s']:.0f} s = {_num(steps[s]['ratio'], '{:.2f}')}"
                           for s in ("up", "refresh", "destroy"))
        out.append(f"| {run['config']['memberships']} | {run['config']['label']} "
                   f"| {_num(run['config']['limit'])}/{run['config']['window']:g}s | " + " | ".join(cells) + f" | {ratios} |")
    return out


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=1) + "\n")


# --- a small SVG plot, no dependencies ---------------------------------------------------
def write_svg(results: dict[str, Any], path: Path) -> bool:
    """Two log-log panels against N: requests of up/refresh/destroy, and wall time of up and
    refresh with the rate-limit bound of up; one line per strategy. False if < 2 sizes."""
    # The main runs only: a diagnostic of the same strategy would add a second point at its N.
    runs = [r for r in results["runs"] if r["config"]["client_throttle"] and not r["config"].get("diagnostic")]
    sizes = sorted({r["config"]["memberships"] for r in runs})
    if len(sizes) < 2:
        return False
    series_req: dict[str, list[tuple[float, float]]] = {}
    series_time: dict[str, list[tuple[float, float]]] = {}
    for run in sorted(runs, key=lambda r: r["config"]["memberships"]):
        n, strat = run["config"]["memberships"], run["config"]["strategy"]
        steps = {s["step"]: s for s in run["steps"]}
        for step in ("up", "refresh", "destroy"):
            series_req.setdefault(f"{strat} {STEP_NAMES[step]}", []).append((n, max(steps[step]["requests"], 1)))
        for step in ("up", "refresh"):
            series_time.setdefault(f"{strat} {STEP_NAMES[step]}", []).append((n, max(steps[step]["wall_s"], 0.1)))
        if strat == "shared":
            series_time.setdefault("bound of up", []).append((n, max(steps["up"]["bound_s"], 0.1)))
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    w, h, pad = 460, 340, 55
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h + 40}" font-family="sans-serif" '
             'font-size="11">', '<rect width="100%" height="100%" fill="white"/>']

    def panel(x0: int, title: str, ylabel: str, series: dict[str, list[tuple[float, float]]]) -> None:
        xs = [x for pts in series.values() for x, _ in pts]
        ys = [y for pts in series.values() for _, y in pts]
        lx0, lx1 = math.log10(min(xs)), math.log10(max(xs))
        ly0, ly1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        ly1 = max(ly1, ly0 + 1)

        def px(x: float) -> float:
            return x0 + pad + (math.log10(x) - lx0) / max(lx1 - lx0, 1e-9) * (w - 2 * pad)

        def py(y: float) -> float:
            return h - pad + 20 - (math.log10(y) - ly0) / (ly1 - ly0) * (h - 2 * pad)

        parts.append(f'<text x="{x0 + w / 2}" y="18" text-anchor="middle" font-size="13">{html.escape(title)}</text>')
        parts.append(f'<line x1="{x0 + pad}" y1="{h - pad + 20}" x2="{x0 + w - pad}" y2="{h - pad + 20}" stroke="black"/>')
        parts.append(f'<line x1="{x0 + pad}" y1="{pad - 10}" x2="{x0 + pad}" y2="{h - pad + 20}" stroke="black"/>')
        for n in sizes:
            parts.append(f'<text x="{px(n)}" y="{h - pad + 35}" text-anchor="middle">{n}</text>')
        for e in range(ly0, ly1 + 1):
            parts.append(f'<text x="{x0 + pad - 5}" y="{py(10 ** e) + 4}" text-anchor="end">{10 ** e:g}</text>')
            parts.append(f'<line x1="{x0 + pad}" y1="{py(10 ** e)}" x2="{x0 + w - pad}" y2="{py(10 ** e)}" '
                         'stroke="#ddd"/>')
        parts.append(f'<text x="{x0 + w / 2}" y="{h + 12}" text-anchor="middle">N memberships</text>')
        parts.append(f'<text x="{x0 + 14}" y="{h / 2}" transform="rotate(-90 {x0 + 14} {h / 2})" '
                     f'text-anchor="middle">{html.escape(ylabel)}</text>')
        for i, (name, pts) in enumerate(sorted(series.items())):
            color = palette[i % len(palette)]
            dash = ' stroke-dasharray="5,3"' if name.startswith("naive") or name.startswith("bound") else ""
            path_d = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(pts))
            parts.append(f'<path d="{path_d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for x, y in pts:
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
            parts.append(f'<text x="{x0 + pad + 8}" y="{pad + 2 + 13 * i}" fill="{color}">{html.escape(name)}</text>')

    panel(0, "API requests per command", "requests (log)", series_req)
    panel(w, "wall time per command", "seconds (log)", series_time)
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")
    return True
