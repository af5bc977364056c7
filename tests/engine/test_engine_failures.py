"""What goes wrong, through the real Pulumi engine against the emulator over real sockets:
invalid inputs and specs, memberships that already exist, and API failures mid-``up``.

Each failure is checked in the engine's result (the error text a user reads) and in what the
API saw (state and requests), and then the stack is shown to recover.
"""

from __future__ import annotations

from pulumi_openai_access.providers.admin_api.retry import RetryPolicy
from pulumi_openai_access.providers.project_user import ProjectUser
from pulumi_openai_access.emulator.process import PROJECT_USER, PROJECT_USERS, SAMPLE, USER_ROLE, USER_ROLES, Fault
from tests.support.engine import (
    assert_emulator_matches,
    assert_state_in_emulator,
    assignments_of,
    memberships_of,
    spec_access,
    team_spec,
)


def test_invalid_inputs_fail_the_preview_before_any_request(engine_stack, emulator):
    baseline = emulator.state()

    # A ProjectUser declared directly, bypassing the spec parser: the provider's check refuses it.
    def direct_resource() -> None:
        ProjectUser("direct", project_id=SAMPLE.WEB, email="barbara@example.com", role="admin")

    stack = engine_stack("invalid", extra=direct_resource)
    check_message = "role must be 'owner' or 'member', got 'admin'"
    for operation in (stack.preview, stack.up):
        op = operation(expect_failure=True)
        assert check_message in op.error, op.error
        assert check_message in op.errors  # reported as the resource's error diagnostic
        assert any(urn and urn.endswith("::direct") for severity, _, urn in op.diagnostics if severity == "error")
        assert op.requests.total == 0, op.requests
    assert stack.resources(type_="pulumi-python:dynamic/openai:ProjectUser") == []

    # An invalid spec: the program raises AccessSpecError, listing every problem with its path.
    stack.extra = None
    stack.spec = {
        "teams": {
            "web": {
                "members": ["barbara@example.com", "not-an-email"],
                "grants": {SAMPLE.WEB: "admin"},
            }
        }
    }
    op = stack.preview(expect_failure=True)
    assert "AccessSpecError" in op.error and "invalid access spec" in op.error
    assert f"teams.web.grants.{SAMPLE.WEB}.role: must be 'owner' or 'member', got 'admin'" in op.error
    assert "teams.web.members.1: user_id 'not-an-email' is not a user id" in op.error
    assert op.requests.total == 0, op.requests
    assert emulator.state() == baseline


def test_an_existing_membership_is_refused_without_adopt_and_taken_over_with_it(engine_stack, emulator):
    baseline = emulator.state()
    assert memberships_of(baseline)[(SAMPLE.WEB, SAMPLE.ALAN)] == "member"
    assert (SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.KEY_MANAGER) in assignments_of(baseline)
    spec = {
        "teams": {
            "keys": {
                "members": ["alan@example.com"],
                "grants": {SAMPLE.WEB: {"role": "owner", "roles": [SAMPLE.KEY_MANAGER]}},
            }
        }
    }
    stack = engine_stack("adopt", spec=spec)

    refused = stack.up(expect_failure=True)
    assert f"alan@example.com is already a member of project {SAMPLE.WEB} with role 'member'" in refused.error
    assert "set adopt=True" in refused.error, refused.error
    assert refused.requests.writes() == {f"POST {PROJECT_USERS}": 1}  # the refused add, nothing else
    assert emulator.state() == baseline  # alan untouched: still a member, his role still assigned
    assert stack.managed() == ({}, set())

    stack.spec = {**spec, "adopt": True}
    adopted = stack.up()
    assert adopted.changes.get("create") == 1 and "delete" not in adopted.changes
    # taken over: no add, no second assignment, only the role set to the spec's
    assert adopted.requests.writes() == {f"POST {PROJECT_USER}": 1}
    state = emulator.state()
    assert [m for m in state["memberships"] if (m["project_id"], m["user_id"]) == (SAMPLE.WEB, SAMPLE.ALAN)] == [
        {**next(m for m in baseline["memberships"] if (m["project_id"], m["user_id"]) == (SAMPLE.WEB, SAMPLE.ALAN)),
         "role": "owner"}
    ]
    assert_emulator_matches(emulator, stack.spec, baseline)
    assert stack.managed() == (
        {(SAMPLE.WEB, SAMPLE.ALAN): "owner"}, {(SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.KEY_MANAGER)},
    )


def test_a_create_failing_mid_up_leaves_consistent_state_and_the_next_up_converges(engine_stack, emulator):
    """Every attempt of one membership's role POST answers 500. The fault carries
    ``Retry-After: 0``, which the client honours instead of its backoff (4-60 s), so its
    whole retry budget (``RetryPolicy().max_attempts`` attempts) is spent at once; there is
    no other knob for the budget. One step at a time (parallel=1) makes exactly one create
    meet the fault."""
    attempts = RetryPolicy().max_attempts
    baseline = emulator.state()
    stack = engine_stack("partial", spec=team_spec())
    emulator.set_faults(Fault("POST", USER_ROLES, "status", status=500, retry_after=0, count=attempts))

    failed = stack.up(parallel=1, expect_failure=True)
    assert "The emulator injected this 500 fault." in failed.error, failed.error
    assert failed.requests.faults == {f"POST {USER_ROLES}": attempts}  # every attempt, then it gave up
    assert failed.requests.count("POST", USER_ROLES) == 0  # none applied
    # before each retry of a POST whose outcome is unknown, the client reads back first
    assert failed.requests.count("GET", USER_ROLE) == attempts - 1
    assert emulator.faults() == []

    # partway: what the state records exists in the API. The membership whose role failed was
    # added, but a failed create records nothing: it is in the API and not in the state.
    memberships, assignments = stack.managed()
    wanted_memberships, wanted_assignments = spec_access(stack.spec, baseline["users"])
    assert set(memberships) < set(wanted_memberships) and assignments < wanted_assignments
    assert_state_in_emulator(stack)
    state = emulator.state()
    unrecorded = set(memberships_of(state)) - set(memberships_of(baseline)) - set(memberships)
    assert len(unrecorded) == 1 and unrecorded < set(wanted_memberships)
    assert assignments_of(state) == assignments_of(baseline) | assignments

    # The next up converges by itself: the unrecorded membership is exactly as declared (its
    # role, no extra role it should not have), so it is taken over, and its role assigned.
    emulator.set_faults()
    recovered = stack.up()
    assert recovered.changes.get("create") == len(wanted_memberships) - len(memberships)
    assert set(recovered.changes) <= {"create", "same"}
    assert recovered.requests.writes() == {
        f"POST {PROJECT_USERS}": len(wanted_memberships) - len(memberships),  # the unrecorded one's is refused
        f"POST {USER_ROLES}": len(wanted_assignments) - len(assignments),
    }
    assert "exactly as declared" in recovered.everything
    assert_emulator_matches(emulator, stack.spec, baseline)
    assert stack.managed() == (wanted_memberships, wanted_assignments)


def test_a_membership_post_whose_answer_is_lost_is_reconciled_not_repeated(engine_stack, emulator):
    """``drop_after``: the emulator adds the member, then closes the connection unanswered."""
    baseline = emulator.state()
    stack = engine_stack("ambiguous", spec=team_spec())
    emulator.set_faults(Fault("POST", PROJECT_USERS, "drop_after", count=1))

    up = stack.up()
    assert up.changes == {"create": 5}
    assert up.requests.faults == {f"POST {PROJECT_USERS}": 1}
    # one POST per membership, the dropped one included: it was read back, not sent again
    assert up.requests.count("POST", PROJECT_USERS) == 3
    assert up.requests.count("GET", PROJECT_USER) >= 1
    assert emulator.faults() == []
    assert_emulator_matches(emulator, stack.spec, baseline)  # exactly one membership each
    assert_state_in_emulator(stack)
    wanted = spec_access(stack.spec, baseline["users"])
    assert stack.managed() == wanted
    # The provider says what it did, in the engine's own output.
    assert "an earlier attempt was applied (read back); not repeating it" in up.everything
