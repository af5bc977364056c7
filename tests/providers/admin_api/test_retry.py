"""Retries: 429s (with and without server waits), 5xx and dropped connections, writes that must
happen exactly once when an attempt's outcome is unknown, and the bounds on retrying."""

from __future__ import annotations

import logging
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from pulumi_openai_access.providers.admin_api import (
    AdminClient,
    AlreadyMemberError,
    ApiConnectionError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
)
from pulumi_openai_access.providers.admin_api.retry import retry_after_seconds
from requests.structures import CaseInsensitiveDict
from pulumi_openai_access.emulator.process import (
    PROJECT_USER, PROJECT_USERS, SAMPLE, USER_ROLE, USER_ROLES, EmulatorProcess, Fault,
)
from tests.support.client import (
    PROJECT,
    assignments,
    memberships,
    assert_secret_free,
    client_for,
    error_text,
    unused_port,
)

ORG_USERS = "/v1/organization/users"
TRANSPORT_LOG = "pulumi_openai_access.providers.admin_api.transport"


def _retry_logs(caplog):
    return [r.getMessage() for r in caplog.records if r.name == TRANSPORT_LOG and "retrying" in r.getMessage()]


# --- 429 -----------------------------------------------------------------------------------------

def test_429_without_retry_after_backs_off_and_succeeds(emulator, caplog):
    """None of ours in the window (the 429s came first): nothing to learn, so a short hold."""
    caplog.set_level(logging.DEBUG, logger=TRANSPORT_LOG)
    emulator.set_faults(Fault("GET", PROJECT, "status", status=429, count=2))
    assert client_for(emulator, retry=RetryPolicy(max_attempts=2, base_delay=0.02, max_delay=0.1)
                      ).get_project(SAMPLE.WEB).id == SAMPLE.WEB  # two 429s spend no attempt
    counts = emulator.requests()
    assert counts.faults == {f"GET {PROJECT}": 2} and counts.count("GET", PROJECT) == 1
    logs = _retry_logs(caplog)
    assert len(logs) == 2 and "from server" not in logs[0]
    assert "GET /organization/projects/{project_id}: 429" in logs[0] and "request_id=req" in logs[0]
    assert all(float(m.split("held ")[1].split("s")[0]) <= 0.1 for m in logs)


def test_429_retry_after_seconds_is_waited_in_full(emulator, caplog):
    caplog.set_level(logging.DEBUG, logger=TRANSPORT_LOG)
    emulator.set_faults(Fault("GET", PROJECT, "status", status=429, retry_after=1))
    started = time.monotonic()
    client_for(emulator).get_project(SAMPLE.WEB)
    assert time.monotonic() - started >= 1.0  # not shortened to the policy's tiny backoff
    assert "held 1.00s from server" in _retry_logs(caplog)[0]


@pytest.mark.parametrize("mode", ["ms", "both"])
def test_429_retry_after_ms_is_preferred(emulator, caplog, mode):
    caplog.set_level(logging.DEBUG, logger=TRANSPORT_LOG)
    emulator.set_rate_limit(None, window_seconds=0.4, retry_after=mode, per_route={f"GET {PROJECT}": 1})
    client = client_for(emulator)
    client.get_project(SAMPLE.WEB)
    started = time.monotonic()
    client.get_project(SAMPLE.WEB)  # 429 with retry-after-ms ≈ 400
    assert time.monotonic() - started >= 0.2
    waits = [float(m.split("held ")[1].split("s")[0]) for m in _retry_logs(caplog)]
    assert len(waits) == 1 and 0.1 < waits[0] <= 0.4  # the ms value, not Retry-After's whole second
    assert emulator.requests().rate_limited == {f"GET {PROJECT}": 1}


def test_429_on_a_write_is_retried_without_reading_back(emulator):
    emulator.set_faults(Fault("POST", PROJECT_USERS, "status", status=429))
    added = client_for(emulator).add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA)
    assert added.id == SAMPLE.BARBARA
    counts = emulator.requests()
    assert counts.count("POST", PROJECT_USERS) == 1 and counts.count("GET", PROJECT_USER) == 0
    assert len(memberships(emulator, SAMPLE.WEB, SAMPLE.BARBARA)) == 1


# --- 5xx and connections ---------------------------------------------------------------------

@pytest.mark.parametrize("fault", [
    Fault("GET", PROJECT, "status", status=500, count=2),
    Fault("GET", PROJECT, "status", status=503, count=1, retry_after=0),
    Fault("GET", PROJECT, "drop_before", count=2),
    Fault("GET", PROJECT, "drop_after", count=2),
])
def test_reads_are_retried(emulator, fault):
    emulator.set_faults(fault)
    assert client_for(emulator).get_project(SAMPLE.WEB).id == SAMPLE.WEB
    assert emulator.faults() == []


def test_modify_role_is_simply_retried(emulator):
    emulator.set_faults(Fault("POST", PROJECT_USER, "drop_after"), Fault("POST", PROJECT_USER, "status", status=502))
    updated = client_for(emulator).update_project_user(SAMPLE.WEB, SAMPLE.ALAN, "owner")
    assert updated.role == "owner"
    assert emulator.requests().count("GET", PROJECT_USER) == 0


def test_read_timeout_is_retried_then_reported(emulator):
    emulator.set_latency(400)
    client = client_for(emulator, timeout=0.1, retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01))
    with pytest.raises(ApiConnectionError, match="read timeout") as info:
        client.get_project(SAMPLE.WEB)
    assert info.value.attempts == 2 and info.value.request_sent and info.value.status is None
    # Let the emulator finish the abandoned requests, so they do not land in the next test.
    deadline = time.monotonic() + 5
    while emulator.requests().count("GET", PROJECT) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_refused_connection_is_retried_then_reported_without_the_key(caplog):
    caplog.set_level(logging.DEBUG)
    secret = "sk-admin-CONNsecret0123456789"
    client = AdminClient(secret, f"http://127.0.0.1:{unused_port()}/v1", retry=RetryPolicy(3, 0.01, 0.01, 5))
    with pytest.raises(ApiConnectionError, match="could not connect") as info:
        client.get_project("proj_x")
    error = info.value
    assert error.attempts == 3 and not error.request_sent and error.status is None
    assert error.__cause__ is None and error.__context__ is None  # no path back to requests' objects
    assert error.method == "GET" and error.path == "/organization/projects/proj_x"
    assert_secret_free(error_text(error) + caplog.text, secret)


# What the command passes: no retry while the URL has never answered, the usual ones after.
FAIL_FAST = RetryPolicy(3, 0.01, 0.01, 5, retry_unreachable_before_first_answer=False)


def test_a_url_that_never_answered_is_not_retried_under_the_fail_fast_policy():
    client = AdminClient("sk-admin-x", f"http://127.0.0.1:{unused_port()}/v1", retry=FAIL_FAST)
    with pytest.raises(ApiConnectionError, match="could not connect") as info:
        client.get_project("proj_x")
    assert info.value.attempts == 1 and not info.value.request_sent


def test_once_the_api_answered_a_refused_connection_is_retried_again():
    with EmulatorProcess.start("--quiet") as emu:  # its own, so that it can go away mid-run
        client = AdminClient(emu.admin_key, emu.base_url, retry=FAIL_FAST)
        assert client.get_project(SAMPLE.WEB).id == SAMPLE.WEB
    with pytest.raises(ApiConnectionError) as info:  # the emulator is gone: refused from now on
        client.get_project(SAMPLE.WEB)
    assert info.value.attempts == 3


def test_dropped_connection_errors_never_show_the_key(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    emulator.set_faults(Fault("*", "*", "drop_before", count=10))
    with pytest.raises(ApiConnectionError, match="connection lost") as info:
        client_for(emulator, retry=RetryPolicy(2, 0.01, 0.01, 5)).get_project(SAMPLE.WEB)
    assert_secret_free(error_text(info.value) + caplog.text, emulator.admin_key)


# --- writes with an unknown outcome --------------------------------------------------------------

@pytest.mark.parametrize("by", ["user_id", "email"])
def test_add_member_applied_but_unanswered_is_a_success_not_a_duplicate(emulator, by):
    emulator.set_faults(Fault("POST", PROJECT_USERS, "drop_after"))
    who = {"user_id": SAMPLE.BARBARA} if by == "user_id" else {"email": "barbara@example.com"}
    added = client_for(emulator).add_project_user(SAMPLE.WEB, role="member", **who)
    assert added.id == SAMPLE.BARBARA and added.role == "member"
    assert len(memberships(emulator, SAMPLE.WEB, SAMPLE.BARBARA)) == 1
    counts = emulator.requests()
    assert counts.count("POST", PROJECT_USERS) == 1  # read back, not sent again
    assert counts.count("GET", PROJECT_USER) == 1
    assert counts.count("GET", ORG_USERS) == (1 if by == "email" else 0)  # the email's user id


def test_add_member_read_back_returns_what_exists_even_with_another_role(emulator):
    # The unanswered attempt asked for "member"; someone made the user owner meanwhile.
    emulator.set_faults(Fault("POST", PROJECT_USERS, "drop_after"))
    client = client_for(emulator)
    other = client_for(emulator)
    real_call = client._transport.call

    def call(request):  # between the dropped POST and its read-back, another actor changes the role
        if request.method == "GET" and request.route == PROJECT_USER.removeprefix("/v1"):
            other.update_project_user(SAMPLE.WEB, SAMPLE.BARBARA, "owner")
        return real_call(request)

    client._transport.call = call
    added = client.add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA)
    assert added.role == "owner" and len(memberships(emulator, SAMPLE.WEB, SAMPLE.BARBARA)) == 1


@pytest.mark.parametrize("fault", [
    Fault("POST", PROJECT_USERS, "drop_before"),
    Fault("POST", PROJECT_USERS, "status", status=500),
])
def test_add_member_not_applied_is_sent_again_once(emulator, fault):
    emulator.set_faults(fault)
    added = client_for(emulator).add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA)
    assert added.id == SAMPLE.BARBARA
    assert len(memberships(emulator, SAMPLE.WEB, SAMPLE.BARBARA)) == 1
    counts = emulator.requests()
    assert counts.count("POST", PROJECT_USERS) == 1 and counts.faults == {f"POST {PROJECT_USERS}": 1}
    assert counts.count("GET", PROJECT_USER) == 1  # it looked before sending again


def test_already_exists_after_an_unanswered_attempt_is_a_success(emulator):
    # The read-back misses the membership (a stale 404), so the POST is sent again and
    # answers "already exists in project": that is our own earlier attempt.
    emulator.set_faults(
        Fault("POST", PROJECT_USERS, "drop_after"),
        Fault("GET", PROJECT_USER, "status", status=404, message=f"User {SAMPLE.BARBARA} is not a member of {SAMPLE.WEB}"),
    )
    added = client_for(emulator).add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA)
    assert added.id == SAMPLE.BARBARA
    assert len(memberships(emulator, SAMPLE.WEB, SAMPLE.BARBARA)) == 1
    assert emulator.requests().count("POST", PROJECT_USERS) == 2  # the second answered "already exists"


def test_already_exists_without_an_earlier_attempt_is_still_an_error(emulator):
    emulator.set_faults(Fault("POST", PROJECT_USERS, "status", status=429))
    with pytest.raises(AlreadyMemberError):  # a 429 never applied anything: this is not ours
        client_for(emulator).add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.ADA)


def test_assign_role_applied_but_unanswered_is_a_success_not_a_duplicate(emulator):
    emulator.set_faults(Fault("POST", USER_ROLES, "drop_after"))
    assignment = client_for(emulator).assign_project_user_role(SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.KEY_MANAGER)
    assert assignment.user.id == SAMPLE.KATHERINE and assignment.role.id == SAMPLE.KEY_MANAGER
    assert assignment.role.name == "API Key Manager"
    assert len(assignments(emulator, SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.KEY_MANAGER)) == 1
    counts = emulator.requests()
    assert counts.count("POST", USER_ROLES) == 1 and counts.count("GET", USER_ROLE) == 1


@pytest.mark.parametrize("faults, posts", [
    ([Fault("POST", USER_ROLES, "drop_before")], 1),
    ([Fault("POST", USER_ROLES, "status", status=503)], 1),
    ([Fault("POST", USER_ROLES, "drop_after"), Fault("GET", USER_ROLE, "status", status=404)], 2),
])
def test_assign_role_is_retried_and_applied_once(emulator, faults, posts):
    emulator.set_faults(*faults)
    assignment = client_for(emulator).assign_project_user_role(SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.VIEWER_ROLE)
    assert assignment.role.id == SAMPLE.VIEWER_ROLE
    assert len(assignments(emulator, SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.VIEWER_ROLE)) == 1
    assert emulator.requests().count("POST", USER_ROLES) == posts


def test_write_with_unknown_outcome_and_unreadable_state_fails_without_retrying_blindly(emulator, caplog):
    emulator.set_faults(Fault("POST", PROJECT_USERS, "drop_after"), Fault("GET", PROJECT_USER, "status", status=500, count=10))
    with pytest.raises(ServerError):
        client_for(emulator, retry=RetryPolicy(2, 0.01, 0.01, 5)).add_project_user(
            SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA)
    assert emulator.requests().count("POST", PROJECT_USERS) == 1  # never sent again unchecked
    assert any("reading it back failed" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.parametrize("fault_action, deletes", [("drop_after", 2), ("drop_before", 1)])
def test_remove_member_retried_after_an_unanswered_attempt_is_done(emulator, fault_action, deletes):
    emulator.set_faults(Fault("DELETE", PROJECT_USER, fault_action))
    assert client_for(emulator).remove_project_user(SAMPLE.WEB, SAMPLE.ALAN) is None
    assert memberships(emulator, SAMPLE.WEB, SAMPLE.ALAN) == []
    # after drop_after, the retry's 404 means "our first attempt deleted it"
    assert emulator.requests().count("DELETE", PROJECT_USER) == deletes


def test_unassign_role_retried_after_an_unanswered_attempt_is_done(emulator):
    emulator.set_faults(Fault("DELETE", USER_ROLE, "drop_after"))
    assert client_for(emulator).unassign_project_user_role(SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.KEY_MANAGER) is None
    assert assignments(emulator, SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.KEY_MANAGER) == []
    assert emulator.requests().count("DELETE", USER_ROLE) == 2


# --- bounds --------------------------------------------------------------------------------------

def test_attempts_are_bounded(emulator):
    emulator.set_faults(Fault("GET", PROJECT, "status", status=500, count=50))
    with pytest.raises(ServerError) as info:
        client_for(emulator, retry=RetryPolicy(3, 0.01, 0.01, 10)).get_project(SAMPLE.WEB)
    assert info.value.attempts == 3 and "after 3 attempts" in str(info.value)
    assert emulator.requests().faults == {f"GET {PROJECT}": 3}


def test_time_is_bounded(emulator):
    emulator.set_faults(Fault("GET", PROJECT, "status", status=503, count=1000))
    started = time.monotonic()
    with pytest.raises(ServerError):
        client_for(emulator, retry=RetryPolicy(1000, 0.05, 0.05, 0.5)).get_project(SAMPLE.WEB)
    assert time.monotonic() - started < 3.0
    assert emulator.requests().faults[f"GET {PROJECT}"] < 100


def test_a_server_wait_beyond_the_budget_gives_up_at_once(emulator, caplog):
    caplog.set_level(logging.INFO)
    emulator.set_faults(Fault("GET", PROJECT, "status", status=429, retry_after=30, count=5))
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as info:
        client_for(emulator, retry=RetryPolicy(5, 0.01, 0.01, 2.0)).get_project(SAMPLE.WEB)
    assert time.monotonic() - started < 2.0  # did not sleep 30 s only to fail
    assert info.value.retry_after == 30 and info.value.attempts == 1
    assert any("giving up" in r.getMessage() for r in caplog.records)


def test_default_policy_waits_long_enough_for_a_minute_window():
    policy = RetryPolicy()
    caps = [min(policy.max_delay, policy.base_delay * 2 ** (n - 1)) for n in range(1, policy.max_attempts)]
    assert sum(caps[:4]) >= 60 and max(caps) <= 60 and sum(caps) <= policy.max_total_seconds
    assert all(0 <= policy.backoff(n) <= cap for n, cap in enumerate(caps, start=1))


# --- Retry-After parsing -----------------------------------------------------------------------

@pytest.mark.parametrize("headers, expected", [
    ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
    ({"Retry-After": "3"}, 3.0),
    ({"Retry-After": "2.5"}, 2.5),
    ({"Retry-After": "soon"}, None),
    ({"Retry-After": "-1"}, None),
    ({"retry-after-ms": "nan", "Retry-After": "4"}, 4.0),
    ({}, None),
])
def test_retry_after_parsing(headers, expected):
    assert retry_after_seconds(CaseInsensitiveDict(headers)) == expected


def test_retry_after_http_date():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert retry_after_seconds(CaseInsensitiveDict({"Retry-After": later}), now=now.timestamp()) == 42
    earlier = format_datetime(now - timedelta(seconds=42), usegmt=True)
    assert retry_after_seconds(CaseInsensitiveDict({"Retry-After": earlier}), now=now.timestamp()) == 0
