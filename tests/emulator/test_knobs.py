"""The emulator's control routes: reset and state, counters, faults, rate limits, latency.

Dropped connections are checked with a real client: ``requests`` must raise
ConnectionError and get no response at all.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from pulumi_openai_access.emulator.seed import sample_seed
from pulumi_openai_access.providers.admin_api import behaviour
from pulumi_openai_access.emulator.process import PROJECT_USERS, SAMPLE, USER_ROLES, EmulatorProcess, Fault

ADD_BODY = {"user_id": SAMPLE.BARBARA, "role": "member"}


def add_barbara(emu: EmulatorProcess) -> requests.Response:
    return requests.post(f"{emu.base_url}/organization/projects/{SAMPLE.DATA}/users", json=ADD_BODY,
                         headers=emu.auth_headers, timeout=10)


def list_users(emu: EmulatorProcess) -> requests.Response:
    return requests.get(f"{emu.base_url}/organization/users", headers=emu.auth_headers, timeout=10)


def data_members(emu: EmulatorProcess) -> list[str]:
    return [m["user_id"] for m in emu.state()["memberships"] if m["project_id"] == SAMPLE.DATA]


# --- state, reset and counters -----------------------------------------------------------------

def test_state_dump_is_the_seed_with_everything_filled_in(emulator: EmulatorProcess) -> None:
    state = emulator.state()
    sample = sample_seed()
    assert state["organization"] == sample["organization"]
    assert [u["id"] for u in state["users"]] == [u["id"] for u in sample["users"]]
    assert all(isinstance(u["added_at"], int) for u in state["users"])
    assert [(m["project_id"], m["user_id"], m["role"]) for m in state["memberships"]] == [
        (m["project_id"], m["user_id"], m["role"]) for m in sample["memberships"]]
    assert [r["id"] for r in state["roles"]] == [SAMPLE.KEY_MANAGER, SAMPLE.BILLING_VIEWER]
    # A dump is itself a valid seed that reproduces the same state.
    emulator.reset(state)
    assert emulator.state() == state


def test_reset_restores_the_startup_seed_and_zeroes_counters_and_knobs(emulator: EmulatorProcess) -> None:
    assert add_barbara(emulator).status_code == 200
    emulator.set_faults(Fault("GET", "*", "status", status=500, count=5))
    emulator.set_rate_limit(1)
    emulator.set_latency(5)
    assert emulator.requests().total == 1

    emulator.reset()
    assert SAMPLE.BARBARA not in data_members(emulator)
    assert emulator.requests().total == 0
    assert emulator.faults() == []
    assert [list_users(emulator).status_code for _ in range(3)] == [200, 200, 200]
    assert requests.get(f"{emulator.root_url}/_emulator/latency", timeout=10).json() == {"latency_ms": 0}


def test_reset_can_keep_counters_and_knobs(emulator: EmulatorProcess) -> None:
    assert add_barbara(emulator).status_code == 200
    emulator.set_faults(Fault("GET", "*", "status", status=502))
    emulator.reset(keep_counters=True, keep_knobs=True)
    assert emulator.requests().count("POST", PROJECT_USERS) == 1
    assert list_users(emulator).status_code == 502


def test_reset_with_a_seed_replaces_the_organization(emulator: EmulatorProcess) -> None:
    emulator.reset({"users": [{"email": "solo@example.com", "name": "Solo", "role": "owner"}]})
    state = emulator.state()
    assert [u["email"] for u in state["users"]] == ["solo@example.com"]
    assert state["projects"] == [] and state["memberships"] == []


def test_reset_with_an_invalid_seed_is_400_listing_the_problems(emulator: EmulatorProcess) -> None:
    response = requests.post(f"{emulator.root_url}/_emulator/reset", timeout=10, json={"seed": {
        "users": [{"email": "a@example.com", "name": "A", "role": "admin"}],
        "memberships": [{"project_id": "proj_nope", "email": "a@example.com", "role": "member"}],
    }})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "seed"
    assert "users[0].role: must be one of owner, reader" in error["message"]
    assert "memberships[0].project_id: no project 'proj_nope'" in error["message"]
    assert len(emulator.state()["users"]) == 6  # unchanged


def test_requests_are_counted_by_route_template(emulator: EmulatorProcess) -> None:
    add_barbara(emulator)
    add_barbara(emulator)  # a 400 is still a handled request
    list_users(emulator)
    requests.get(f"{emulator.base_url}/organization/users", timeout=10)  # 401
    counts = emulator.requests()
    assert counts.by_route == {"POST /v1/organization/projects/{project_id}/users": 2,
                               "GET /v1/organization/users": 2}
    assert counts.total == 4 and counts.rate_limited == {} and counts.faults == {}


# --- faults ----------------------------------------------------------------------------------------

def test_status_fault_answers_the_status_count_times_then_stops(emulator: EmulatorProcess) -> None:
    emulator.set_faults(Fault("POST", PROJECT_USERS, "status", status=503, retry_after=2, count=2))
    first, second, third = add_barbara(emulator), add_barbara(emulator), add_barbara(emulator)
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["Retry-After"] == "2"
    assert first.json()["error"]["type"] == "server_error"
    assert first.headers["x-request-id"].startswith("req_")
    counts = emulator.requests()
    assert counts.faults == {f"POST {PROJECT_USERS}": 2} and counts.count("POST", PROJECT_USERS) == 1
    assert emulator.faults() == []


def test_a_429_fault_looks_like_the_rate_limiter(emulator: EmulatorProcess) -> None:
    emulator.set_faults(Fault("*", "*", "status", status=429))
    error = list_users(emulator).json()["error"]
    assert (error["type"], error["code"]) == ("requests", behaviour.RATE_LIMITED_CODE)


def test_drop_before_closes_the_connection_without_applying(emulator: EmulatorProcess) -> None:
    emulator.set_faults(Fault("POST", PROJECT_USERS, "drop_before"))
    with pytest.raises(requests.ConnectionError):
        add_barbara(emulator)
    assert SAMPLE.BARBARA not in data_members(emulator)
    assert add_barbara(emulator).status_code == 200
    counts = emulator.requests()
    assert counts.faults == {f"POST {PROJECT_USERS}": 1} and counts.count("POST", PROJECT_USERS) == 1


def test_drop_after_applies_the_request_then_closes_without_answering(emulator: EmulatorProcess) -> None:
    emulator.set_faults(Fault("POST", PROJECT_USERS, "drop_after"))
    with pytest.raises(requests.ConnectionError):
        add_barbara(emulator)
    assert SAMPLE.BARBARA in data_members(emulator)
    retry = add_barbara(emulator)  # the client's retry of the ambiguous POST
    assert retry.status_code == behaviour.ALREADY_MEMBER_STATUS
    assert behaviour.ALREADY_MEMBER_FRAGMENT in retry.json()["error"]["message"]


def test_drop_sees_no_status_line_on_a_raw_socket(emulator: EmulatorProcess) -> None:
    emulator.set_faults(Fault("GET", "/v1/organization/users", "drop_before"))
    url = urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(f"GET /v1/organization/users HTTP/1.1\r\nHost: {url.netloc}\r\n"
                     f"Authorization: Bearer {emulator.admin_key}\r\n\r\n".encode())
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    assert received == b""


def test_fault_rules_match_method_and_route_and_wildcards(emulator: EmulatorProcess) -> None:
    emulator.set_faults(
        Fault("DELETE", "*", "status", status=500),
        Fault("*", USER_ROLES, "status", status=502),
    )
    roles = f"{emulator.base_url}/projects/{SAMPLE.WEB}/users/{SAMPLE.ADA}/roles"
    assert list_users(emulator).status_code == 200
    assert requests.get(roles, headers=emulator.auth_headers, timeout=10).status_code == 502
    assert requests.get(roles, headers=emulator.auth_headers, timeout=10).status_code == 200
    member = f"{emulator.base_url}/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.ALAN}"
    assert requests.delete(member, headers=emulator.auth_headers, timeout=10).status_code == 500
    assert requests.delete(member, headers=emulator.auth_headers, timeout=10).status_code == 200


@pytest.mark.parametrize("rule", [
    {"method": "GET", "route": "*", "action": "explode"},
    {"method": "GET", "route": "*", "action": "status"},
    {"method": "GET", "route": "*", "action": "status", "status": 200},
    {"method": "GET", "route": "*", "action": "drop_after", "count": 0},
    {"method": "GET", "action": "drop_after"},
    {"method": "GET", "route": "*", "action": "drop_after", "when": "later"},
])
def test_invalid_fault_rules_are_400(emulator: EmulatorProcess, rule: dict) -> None:
    response = requests.post(f"{emulator.root_url}/_emulator/faults", json={"rules": [rule]}, timeout=10)
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert emulator.faults() == []


# --- rate limits and latency --------------------------------------------------------------------------

def test_rate_limit_is_per_endpoint_and_counted_apart(emulator: EmulatorProcess) -> None:
    emulator.set_rate_limit(2, retry_after="both")
    statuses = [list_users(emulator).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = list_users(emulator)
    error = limited.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("requests", behaviour.RATE_LIMITED_CODE, None)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert 0 < int(limited.headers["retry-after-ms"]) <= 60_000
    assert add_barbara(emulator).status_code == 200  # another endpoint has its own budget
    counts = emulator.requests()
    assert counts.count("GET", "/v1/organization/users") == 2
    assert counts.rate_limited == {"GET /v1/organization/users": 2}


@pytest.mark.parametrize("mode, headers", [
    ("none", set()), ("seconds", {"retry-after"}), ("ms", {"retry-after-ms"}), ("both", {"retry-after", "retry-after-ms"}),
])
def test_retry_after_headers_are_configurable(emulator: EmulatorProcess, mode: str, headers: set[str]) -> None:
    emulator.set_rate_limit(0, retry_after=mode)
    response = list_users(emulator)
    assert response.status_code == 429
    assert {h.lower() for h in response.headers} & {"retry-after", "retry-after-ms"} == headers


def test_rate_limit_window_refills_and_per_route_overrides(emulator: EmulatorProcess) -> None:
    emulator.set_rate_limit(None, window_seconds=0.4, per_route={"GET /v1/organization/users": 1})
    assert [list_users(emulator).status_code for _ in range(2)] == [200, 429]
    assert all(add_barbara(emulator).status_code in (200, 400) for _ in range(5))  # unlimited
    time.sleep(0.5)
    assert list_users(emulator).status_code == 200


def test_invalid_rate_limit_settings_are_400(emulator: EmulatorProcess) -> None:
    for body in ({"limit": -1}, {"retry_after": "sometimes"}, {"window_seconds": 0}, {"burst": 3}):
        response = requests.post(f"{emulator.root_url}/_emulator/rate_limit", json=body, timeout=10)
        assert response.status_code == 400, body
    assert requests.get(f"{emulator.root_url}/_emulator/rate_limit", timeout=10).json()["limit"] is None


def test_latency_delays_every_api_answer(emulator: EmulatorProcess) -> None:
    emulator.set_latency(300)
    started = time.monotonic()
    assert list_users(emulator).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_unknown_control_route_is_404(emulator: EmulatorProcess) -> None:
    response = requests.get(f"{emulator.root_url}/_emulator/nothing", timeout=10)
    assert response.status_code == 404 and "error" in response.json()
