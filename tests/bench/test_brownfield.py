"""The brownfield benchmark's scenario at a small size, as a smoke test of its targets:
discover at the fewest requests, adopting up with 0 writes, a no-op up with 0 requests,
audit in sync (bench/brownfield.py; the figures at N = 1000 are in bench/README.md)."""

from __future__ import annotations

from bench.brownfield import Brownfield, run_brownfield, targets_met


def test_brownfield_meets_every_target_at_a_small_size(pulumi_cli, tmp_path):
    scenario = Brownfield.of(memberships=30, projects=3)

    result = run_brownfield(scenario, tmp_path, limit=50, log=lambda line: None)

    assert targets_met(result) == dict.fromkeys(targets_met(result), True), result["steps"]
    steps = {step["step"]: step for step in result["steps"]}
    assert steps["discover"]["by_endpoint"] == {
        "GET /v1/organization/projects": 1,
        "GET /v1/organization/projects/{project_id}/users": 3,
        "GET /v1/projects/{project_id}/users/{user_id}/roles": 30,
        "GET /v1/organization/projects/{project_id}/service_accounts": 3,  # none there: no key listing
        "GET /v1/organization/groups": 1,
        "GET /v1/organization/projects/{project_id}/groups": 3,  # no group grant: no role or user listing
        "GET /v1/projects/{project_id}/roles": 3,  # each project's custom role is declared
        "GET /v1/organization/invites": 1,  # for the comment block of pending invites
    }
    # the stack, the component, the memberships, each project's custom role
    assert steps["adopting_up"]["changes"] == {"create": 2 + 30 + 3}
    assert steps["adopting_up"]["by_endpoint"]["GET /v1/projects/{project_id}/users/{user_id}/roles"] == 10
    assert steps["noop_up"]["changes"] == {"same": 2 + 30 + 3}
