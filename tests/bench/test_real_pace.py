"""The real-pace benchmark's scaled-down form (bench/real_pace.py): the emulator at 8 requests
per 6 s window per endpoint, no Retry-After, the default settings but the window, through the
real engine and the command. Every step succeeds with exactly the requests it needs (429s
apart), so learning the pace costs no failure and no extra request. The time against the
bound is the benchmark's to measure (figures at the real 60 s window in bench/README.md);
this run prints it."""

from __future__ import annotations

import pytest

from bench.real_pace import PARTS, run_part


@pytest.mark.parametrize("part", PARTS)
def test_every_step_succeeds_at_the_learned_pace(pulumi_cli, part, capsys):
    result = run_part(part, limit=8, window=6.0, memberships=16, projects=4, log=lambda line: None)

    steps = {step["step"]: step for step in result["steps"]}
    assert list(steps) == (["up", "refresh", "destroy"] if part == "lifecycle" else ["discover", "audit"])
    for name, step in steps.items():
        assert step["failed"] == 0, (name, step["errors"])
        assert step["by_endpoint"] == step["needed_by_endpoint"], name
        assert step["bound_s"] == 12.0, name  # 16 requests on the busiest endpoint: two windows
    with capsys.disabled():
        print("".join(f"\n  {part} {s['step']}: {s['wall_s']:.1f}s / {s['bound_s']:.0f}s, {s['rate_limited']} 429s"
                      for s in result["steps"]))
