"""An interrupted run recovers, through the real engine: the engine is killed (SIGKILL, as when
a CI runner dies) in the middle of an ``up`` and of a ``destroy``; after the steps Pulumi itself
requires of every provider, the next run converges by itself.

The killed runs write no intermediate checkpoint (PULUMI_SKIP_CHECKPOINTS): a SIGKILL that lands
while the file backend writes one can leave a state file Pulumi cannot read back ("failed to
load checkpoint: EOF"), a hazard of the backend outside this project that made these tests
flaky. The state then knows nothing of the killed run's work, the harder case for recovery."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_openai_access.emulator.process import EmulatorProcess
from tests.support.engine import assert_emulator_matches, assignments_of, memberships_of, spec_access

PROJECT = "proj_Interrupted0000000000000"
VIEWER = "role-api-project-viewer"
# The Automation API warns that the engine's event stream broke: it did, the engine was killed.
pytestmark = pytest.mark.filterwarnings("ignore:Error in event stream")
NO_CHECKPOINTS = {"PULUMI_SKIP_CHECKPOINTS": "true"}
DECLARED = 24
BYSTANDERS = 3  # members before the stack, undeclared: never touched


def organization() -> dict[str, Any]:
    users = [{"id": f"user-Person{i:02d}{'0' * 17}", "email": f"person{i:02d}@example.com", "name": f"Person {i}",
              "role": "reader"} for i in range(DECLARED + BYSTANDERS)]
    bystanders = users[DECLARED:]
    return {
        "users": users,
        "projects": [{"id": PROJECT, "name": "Interrupted"}],
        "memberships": [{"project_id": PROJECT, "user_id": u["id"], "role": "member"} for u in bystanders],
        "role_assignments": [{"project_id": PROJECT, "user_id": bystanders[0]["id"], "role_id": VIEWER}],
    }


def spec() -> dict[str, Any]:
    """24 people: half with an extra role, half without; no adopt."""
    people = [f"person{i:02d}@example.com" for i in range(DECLARED)]
    half = DECLARED // 2
    return {"teams": {
        "viewers": {"members": people[:half], "grants": {PROJECT: {"role": "member", "roles": [VIEWER]}}},
        "builders": {"members": people[half:], "grants": {PROJECT: "owner"}},
    }}


def members_added(emulator: EmulatorProcess, baseline: dict[str, Any]) -> int:
    return len(memberships_of(emulator.state())) - len(memberships_of(baseline))


def recover_as_pulumi_requires(stack) -> None:
    """What Pulumi asks of every provider's users after a killed run: release the file
    backend's lock, and drop the creates the engine had started but never saw finish."""
    stack.stack.cancel()  # `pulumi cancel`
    stack.refresh(clear_pending_creates=True)  # `pulumi refresh --clear-pending-creates`


def test_an_interrupted_up_converges_on_the_next_up(engine_stack, emulator):
    emulator.reset(organization())
    emulator.set_latency(300)
    baseline = emulator.state()
    stack = engine_stack("interrupted-up", spec=spec(), env=NO_CHECKPOINTS)

    killed = stack.interrupted("up", lambda: members_added(emulator, baseline) >= 9)
    assert killed.failed
    recorded, _ = stack.managed()
    added = members_added(emulator, baseline)
    # The provider outlived the engine and finished its writes: more exist than the state knows.
    assert 9 <= added < DECLARED and len(recorded) < added, (added, len(recorded))

    locked = stack.up(expect_failure=True)
    assert "the stack is currently locked" in locked.error and locked.requests.total == 0
    recover_as_pulumi_requires(stack)

    up = stack.up()
    assert set(up.changes) <= {"same", "create"}, up.changes
    assert "exactly as declared" in up.everything  # the unrecorded memberships, taken over
    wanted = spec_access(stack.spec, baseline["users"])
    assert_emulator_matches(emulator, stack.spec, baseline)  # each exactly once; bystanders untouched
    assert stack.managed() == wanted
    # nothing written twice: one add per membership over both runs (refused ones included), one
    # assignment per extra role that was missing
    assert up.requests.count("POST", "/v1/organization/projects/{project_id}/users") == DECLARED - len(recorded)

    assert stack.up().requests.total == 0
    stack.destroy()
    after = emulator.state()
    assert memberships_of(after) == memberships_of(baseline)
    assert assignments_of(after) == assignments_of(baseline)


def test_an_interrupted_destroy_converges_on_the_next_destroy(engine_stack, emulator):
    emulator.reset(organization())
    baseline = emulator.state()
    stack = engine_stack("interrupted-destroy", spec=spec(), env=NO_CHECKPOINTS)
    stack.up()
    emulator.set_latency(300)

    killed = stack.interrupted("destroy", lambda: members_added(emulator, baseline) <= DECLARED - 9)
    assert killed.failed
    assert 0 < members_added(emulator, baseline) <= DECLARED - 9

    stack.stack.cancel()  # `pulumi cancel`: the deletes in flight are retried by the next destroy
    destroy = stack.destroy()
    assert "delete" in destroy.changes and set(destroy.changes) == {"delete"}, destroy.changes
    assert stack.resources() == []
    after = emulator.state()
    assert memberships_of(after) == memberships_of(baseline)
    assert assignments_of(after) == assignments_of(baseline)
