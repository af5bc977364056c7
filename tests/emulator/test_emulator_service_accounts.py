"""The emulator's service accounts and project API keys over real HTTP: what the SDK contract
test cannot see (archived projects, cursors over deleted items, expiry, keys never stored or
dumped in clear, seeds and --state round trips)."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest
import requests

from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from pulumi_openai_access.emulator.seed import SeedError, build_state, dump_state
from pulumi_openai_access.providers.admin_api import behaviour

ARCHIVED = "proj_Archived00000000000000000"


def call(emulator: EmulatorProcess, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, emulator.base_url + path, headers=emulator.auth_headers, timeout=10, **kwargs)


def create(emulator: EmulatorProcess, project_id: str = SAMPLE.WEB, **body: Any) -> dict[str, Any]:
    response = call(emulator, "POST", f"/organization/projects/{project_id}/service_accounts", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_archived_projects_have_no_service_accounts(emulator: EmulatorProcess) -> None:
    emulator.reset({**emulator.state(), "projects": [
        *emulator.state()["projects"], {"id": ARCHIVED, "name": "Old", "status": "archived"}]})
    for method, suffix in (("GET", "service_accounts"), ("POST", "service_accounts"), ("GET", "api_keys")):
        response = call(emulator, method, f"/organization/projects/{ARCHIVED}/{suffix}", json={"name": "x"})
        assert response.status_code == behaviour.ARCHIVED_PROJECT_STATUS
        assert behaviour.ARCHIVED_PROJECT_FRAGMENT in response.json()["error"]["message"]


def test_a_deleted_account_is_still_a_valid_after_cursor(emulator: EmulatorProcess) -> None:
    first, second = (create(emulator, name=n, create_service_account_only=True)["id"] for n in ("a", "b"))
    call(emulator, "DELETE", f"/organization/projects/{SAMPLE.WEB}/service_accounts/{first}")
    page = call(emulator, "GET", f"/organization/projects/{SAMPLE.WEB}/service_accounts",
                params={"after": first}).json()
    assert [sa["id"] for sa in page["data"]] == [second]


@pytest.mark.parametrize("body, param", [
    ({}, "name"),
    ({"name": "x", "expires_in_seconds": -5}, "expires_in_seconds"),
    ({"name": "x", "expires_in_seconds": "60"}, "expires_in_seconds"),
    ({"name": "x", "role": "owner"}, "role"),
])
def test_malformed_creates_are_400_naming_the_field(emulator: EmulatorProcess, body: dict, param: str) -> None:
    response = call(emulator, "POST", f"/organization/projects/{SAMPLE.WEB}/service_accounts", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param
    assert emulator.state()["service_accounts"] == []


def test_the_key_value_is_never_stored_or_dumped(emulator: EmulatorProcess) -> None:
    value = create(emulator, name="ci")["api_key"]["value"]
    state = emulator.state()
    assert value not in json.dumps(state)
    (key,) = state["api_keys"]
    assert key["value_sha256"] == hashlib.sha256(value.encode()).hexdigest()
    assert key["redacted_value"] == f"{value[:8]}...{value[-4:]}"


def test_a_key_stops_working_when_it_expires_and_records_its_last_use(emulator: EmulatorProcess) -> None:
    value = create(emulator, name="ci", expires_in_seconds=1)["api_key"]["value"]
    assert emulator.key_works(value)
    assert emulator.state()["api_keys"][0]["last_used_at"] is not None
    time.sleep(2.1)
    assert not emulator.key_works(value)
    assert len(emulator.state()["api_keys"]) == 1  # expired keys stay listed until deleted


def test_keys_of_an_account_without_access_are_listed_only_on_request(emulator: EmulatorProcess) -> None:
    account = create(emulator, name="bare", create_service_account_only=True)
    created = call(emulator, "POST", f"/organization/projects/{SAMPLE.WEB}/service_accounts/{account['id']}/api_keys",
                   json={"name": "k"}).json()
    keys = f"/organization/projects/{SAMPLE.WEB}/api_keys"
    assert call(emulator, "GET", keys).json()["data"] == []
    listed = call(emulator, "GET", keys, params={"owner_project_access": "inactive"}).json()["data"]
    assert [k["id"] for k in listed] == [created["id"]] and listed[0]["owner_project_access"] == "inactive"


def test_a_dump_is_a_seed_that_keeps_the_keys_working(emulator: EmulatorProcess) -> None:
    value = create(emulator, name="ci", expires_in_seconds=3600)["api_key"]["value"]
    dumped = emulator.state()
    assert dump_state(build_state(dumped)) == dumped
    emulator.reset(dumped)
    assert emulator.key_works(value)


@pytest.mark.parametrize("seed, problem", [
    ({"service_accounts": [{"project_id": "proj_nope", "name": "x"}]}, "service_accounts[0].project_id"),
    ({"service_accounts": [{"project_id": SAMPLE.WEB, "name": "x", "role": "admin"}]}, "service_accounts[0].role"),
    ({"api_keys": [{"project_id": SAMPLE.WEB, "service_account_id": "svc_acct_nope", "value_sha256": "0",
                    "redacted_value": "sk-...0"}]}, "api_keys[0].service_account_id"),
])
def test_invalid_service_account_seeds_name_the_entry(seed: dict, problem: str) -> None:
    sample = {"projects": [{"id": SAMPLE.WEB, "name": "Web"}]}
    with pytest.raises(SeedError) as raised:
        build_state({**sample, **seed})
    assert any(p.startswith(problem) for p in raised.value.problems), raised.value.problems
