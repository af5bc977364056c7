"""``ExclusiveProjectAccessProvider``: ``check`` and ``diff`` decide locally, with no API at all
(no key configured, nothing listening at the base URL); in process against the emulator, a
listing that fails part way stops everything before the first removal."""

from __future__ import annotations

import pytest
import requests
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc

from pulumi_openai_access.emulator.process import SAMPLE, USER_ROLES, EmulatorProcess, Fault
from pulumi_openai_access.providers.access_gateway import forget_all_sessions
from pulumi_openai_access.providers.admin_api.retry import RetryPolicy
from pulumi_openai_access.providers.exclusive_project_access import ExclusiveProjectAccessProvider
from tests.support.engine import memberships_of
from tests.support.providers import stack_config

INPUTS = {
    "project_id": "proj_abc",
    "members": [{"email": "Ada@Example.com", "roles": ["role_b", "role_a", "role_a"]}, {"user_id": "user-alan"}],
    "max_removals": 3.0,  # numbers arrive as floats
}
CHECKED = {
    "project_id": "proj_abc",
    "members": [{"email": "ada@example.com", "roles": ["role_a", "role_b"]}, {"user_id": "user-alan"}],
    "max_removals": 3,
    "undeclared_members": [],
    "undeclared_roles": [],
    "undeclared_groups": [],
}


@pytest.fixture(autouse=True)
def no_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")


def check(news: dict) -> tuple[dict, dict[str, str]]:
    result = ExclusiveProjectAccessProvider().check({}, news)
    return result.inputs, {f.property: f.reason for f in result.failures}


def test_valid_inputs_are_normalized_and_max_removals_defaults_to_ten():
    assert check(INPUTS) == (CHECKED, {})
    assert check({**INPUTS, "max_removals": None})[0]["max_removals"] == 10
    # absent roles stay absent: that member's extra roles are not managed
    assert check({**INPUTS, "members": [{"user_id": "user-alan", "roles": None}]})[0]["members"] == [
        {"user_id": "user-alan"}
    ]


@pytest.mark.parametrize(
    "change, prop, words",
    [
        ({"project_id": "abc"}, "project_id", "proj_abc123"),
        ({"members": "ada@example.com"}, "members", "must be a list"),
        ({"members": [{"roles": []}]}, "members", "members[0] needs a user_id or an email"),
        ({"members": [{"email": "ada"}]}, "members", "members[0].email 'ada' is not an email"),
        ({"members": [{"user_id": "user-a", "role": "owner"}]}, "members", "role not allowed"),
        ({"members": [{"user_id": "user-a", "roles": ["viewer"]}]}, "members", "members[0].roles 'viewer' is not a project role id"),
        ({"max_removals": -1}, "max_removals", "at least 0, got -1"),
        ({"max_removals": 2.5}, "max_removals", "whole number"),
        ({"undeclared_members": [{"user_id": "user-a"}]}, "undeclared_members", "recorded by refresh"),
        ({"owners": []}, "owners", "not an input"),
        ({"members": None}, "members", "members is required"),
        ({"members": [{"user_id": "user-a", "roles": "role_x"}]}, "members", "must be a list of project role ids"),
    ],
)
def test_bad_inputs_name_the_field_and_what_is_allowed(change, prop, words):
    failures = check({**INPUTS, **change})[1]
    assert words in failures.get(prop, ""), failures


def test_unknown_values_are_judged_later():
    inputs, failures = check({**INPUTS, "members": rpc.UNKNOWN, "max_removals": rpc.UNKNOWN})
    assert failures == {} and inputs["members"] == rpc.UNKNOWN


def diff(olds: dict, news: dict):
    return ExclusiveProjectAccessProvider().diff("proj_abc", olds, news)


def test_diff_plans_an_update_only_when_inputs_change_or_a_refresh_found_someone_undeclared():
    state = {**CHECKED, "kept": []}
    assert diff(state, CHECKED).changes is False
    assert diff(state, {**CHECKED, "max_removals": 4}).changes is True
    assert diff(state, {**CHECKED, "members": [{"user_id": "user-alan"}]}).changes is True
    assert diff(state, {**CHECKED, "members": rpc.UNKNOWN}).changes is True
    found = {**state, "undeclared_roles": [{"user_id": "user-alan", "role_id": "role_x"}]}
    result = diff(found, CHECKED)
    assert result.changes is True and result.replaces == []
    moved = diff(state, {**CHECKED, "project_id": "proj_other"})
    assert moved.changes is True and moved.replaces == ["project_id"]


# --- against the emulator (configured as the engine configures it) ----------------------------
@pytest.fixture
def provider(emulator: EmulatorProcess) -> ExclusiveProjectAccessProvider:
    forget_all_sessions()
    exclusive = ExclusiveProjectAccessProvider()
    exclusive.configure(ConfigureRequest(Config(stack_config(emulator), project_name="openai-access")))
    return exclusive


def test_a_failed_listing_removes_nobody(provider, emulator):
    # Only katherine is declared in WEB: alan is undeclared, and so is barbara, added now.
    added = requests.post(f"{emulator.base_url}/organization/projects/{SAMPLE.WEB}/users",
                          headers=emulator.auth_headers, json={"user_id": SAMPLE.BARBARA, "role": "member"}, timeout=10)
    assert added.status_code == 200
    before = emulator.state()
    inputs = provider.check({}, {"project_id": SAMPLE.WEB, "members": [{"user_id": SAMPLE.KATHERINE}]}).inputs
    # Every attempt of the first member's role listing fails: the client gives up.
    emulator.set_faults(Fault("GET", USER_ROLES, "status", status=500, retry_after=0, count=RetryPolicy().max_attempts))
    counts = emulator.requests()
    with pytest.raises(Exception, match="injected this 500 fault"):
        provider.create(inputs)
    assert emulator.state() == before
    writes = {k: v for k, v in emulator.requests().by_route.items() if not k.startswith("GET")}
    assert writes == {k: v for k, v in counts.by_route.items() if not k.startswith("GET")}

    emulator.set_faults()
    result = provider.create(inputs)
    assert [m["email"] for m in result.outs["kept"]] == ["ada@example.com"]
    left = {key for key in memberships_of(emulator.state()) if key[0] == SAMPLE.WEB}
    assert left == {(SAMPLE.WEB, SAMPLE.ADA), (SAMPLE.WEB, SAMPLE.KATHERINE)}
