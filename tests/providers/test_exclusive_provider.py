"""``ExclusiveProjectAccessProvider`` in process against the emulator: a listing that fails
part way stops everything before the first removal."""

from __future__ import annotations

import pytest
import requests
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_openai_access.emulator.process import SAMPLE, USER_ROLES, EmulatorProcess, Fault
from pulumi_openai_access.providers.access_gateway import forget_all_sessions
from pulumi_openai_access.providers.admin_api.retry import RetryPolicy
from pulumi_openai_access.providers.exclusive_project_access import ExclusiveProjectAccessProvider
from tests.support.engine import memberships_of
from tests.support.providers import stack_config


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
