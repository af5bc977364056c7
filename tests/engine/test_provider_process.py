"""The providers loaded the way the engine loads them: a separate ``python -m pulumi.dynamic``
process in the project directory, configured with the stack config over gRPC, unpickling the
provider from ``__provider`` and calling the emulator over real sockets."""

from __future__ import annotations

import grpc
import pytest

from pulumi_openai_access.providers.project_user import ProjectUserProvider
from pulumi_openai_access.providers.user_role_assignment import UserRoleAssignmentProvider
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from tests.support.provider_process import EngineResource, ProviderProcess

URN = "urn:pulumi:test::openai-access::pulumi-python:dynamic/openai:{}::{}"


@pytest.fixture
def provider_process(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch):
    # Only the stack config carries the key: the provider must get it through Configure.
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    process = ProviderProcess.start()
    process.configure({"openai:adminKey": emulator.admin_key, "openai:baseUrl": emulator.base_url})
    yield process
    stderr = process.stop()
    assert emulator.admin_key not in stderr


def memberships(emulator: EmulatorProcess) -> dict[tuple[str, str], str]:
    return {(m["project_id"], m["user_id"]): m["role"] for m in emulator.state()["memberships"]}


def test_membership_and_role_lifecycle_through_the_provider_process(provider_process, emulator):
    member = EngineResource(provider_process, ProjectUserProvider(), URN.format("ProjectUser", "barbara"))
    inputs, failures = member.check({"project_id": SAMPLE.DATA, "email": "barbara@example.com", "role": "member"})
    assert failures == []
    id_, outs = member.create(inputs)
    assert id_ == f"{SAMPLE.DATA}/{SAMPLE.BARBARA}"
    assert outs["role"] == "member" and outs["user_id"] == SAMPLE.BARBARA
    assert memberships(emulator)[(SAMPLE.DATA, SAMPLE.BARBARA)] == "member"

    role = EngineResource(provider_process, UserRoleAssignmentProvider(), URN.format("UserRoleAssignment", "viewer"))
    role_inputs, failures = role.check({"project_id": SAMPLE.DATA, "user_id": SAMPLE.BARBARA,
                                        "role_id": SAMPLE.VIEWER_ROLE})
    assert failures == []
    role_id, role_outs = role.create(role_inputs)
    assert role_outs["predefined_role"] is True

    news, _ = member.check({"project_id": SAMPLE.DATA, "email": "BARBARA@example.com", "role": "owner"}, inputs)
    diff = member.diff(id_, outs, news)
    assert diff.changes == diff.DIFF_SOME and list(diff.replaces) == []
    outs = member.update(id_, outs, news)
    assert outs["role"] == "owner" and outs["name"] == "Barbara Liskov"
    assert memberships(emulator)[(SAMPLE.DATA, SAMPLE.BARBARA)] == "owner"

    same = member.diff(id_, outs, news)
    assert same.changes == same.DIFF_NONE

    read_id, read_outs, read_inputs = member.read(id_, outs)
    assert read_id == id_ and read_outs["role"] == "owner"
    assert read_inputs["email"] == "BARBARA@example.com"

    role.delete(role_id, role_outs)
    member.delete(id_, outs)
    assert (SAMPLE.DATA, SAMPLE.BARBARA) not in memberships(emulator)
    assert member.read(id_, outs)[0] == ""


def test_check_failures_come_back_as_engine_failures(provider_process, emulator):
    member = EngineResource(provider_process, ProjectUserProvider(), URN.format("ProjectUser", "bad"))
    _, failures = member.check({"project_id": SAMPLE.DATA, "email": "ada@example.com", "role": "admin"})
    assert [(f.property, "'owner' or 'member'" in f.reason) for f in failures] == [("role", True)]
    assert emulator.requests().total == 0


def test_an_api_refusal_reaches_the_engine_as_an_error_with_guidance(provider_process, emulator):
    member = EngineResource(provider_process, ProjectUserProvider(), URN.format("ProjectUser", "alan"))
    inputs, _ = member.check({"project_id": SAMPLE.WEB, "user_id": SAMPLE.ALAN, "role": "owner"})
    with pytest.raises(grpc.RpcError) as raised:
        member.create(inputs)
    assert "adopt=True" in raised.value.details()
    assert emulator.admin_key not in raised.value.details()
