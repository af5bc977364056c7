"""``AccessGateway`` against the emulator: reads served from shared listings (one request
however many resources ask), every write through it and forgetting what it touched, a refused
write keeping the listing, and a project that is gone or archived reading as empty."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import PROJECT_USERS, SAMPLE, USER_ROLES, EmulatorProcess
from pulumi_openai_access.providers.access_gateway import AccessGateway
from pulumi_openai_access.providers.admin_api import AlreadyMemberError
from pulumi_openai_access.providers.user_reference import UserReference
from tests.support.client import client_for


@pytest.fixture
def gateway(emulator: EmulatorProcess) -> AccessGateway:
    return AccessGateway(client_for(emulator))


def gets(emulator: EmulatorProcess, route: str) -> int:
    return emulator.requests().count("GET", route)


def test_member_reads_share_one_listing_per_project(gateway, emulator):
    assert gateway.find_member(SAMPLE.WEB, SAMPLE.ALAN).role == "member"
    assert gateway.find_member(SAMPLE.WEB, SAMPLE.ADA).role == "owner"
    assert gateway.find_member(SAMPLE.WEB, SAMPLE.BARBARA) is None
    assert gateway.find_member_by_reference(SAMPLE.WEB, UserReference(email="Alan@Example.com")).id == SAMPLE.ALAN
    assert gets(emulator, PROJECT_USERS) == 1
    assert [role.id for role in gateway.assigned_roles(SAMPLE.WEB, SAMPLE.ALAN)] == [SAMPLE.KEY_MANAGER]
    gateway.assigned_roles(SAMPLE.WEB, SAMPLE.ALAN)
    assert gets(emulator, USER_ROLES) == 1


def test_a_write_forgets_the_listing_it_touched(gateway, emulator):
    gateway.members(SAMPLE.WEB)
    gateway.members(SAMPLE.DATA)
    gateway.add_member(SAMPLE.WEB, "member", user_id=SAMPLE.BARBARA)
    assert gateway.find_member(SAMPLE.WEB, SAMPLE.BARBARA).role == "member"  # read anew
    gateway.members(SAMPLE.DATA)  # untouched: still shared
    assert gets(emulator, PROJECT_USERS) == 3


def test_a_refused_write_keeps_the_listing(gateway, emulator):
    gateway.members(SAMPLE.WEB)
    with pytest.raises(AlreadyMemberError):
        gateway.add_member(SAMPLE.WEB, "member", user_id=SAMPLE.ALAN)
    gateway.members(SAMPLE.WEB)
    assert gets(emulator, PROJECT_USERS) == 1


def test_a_removal_says_whether_there_was_anything_to_remove(gateway, emulator):
    assert gateway.remove_member(SAMPLE.WEB, SAMPLE.ALAN) is True
    assert gateway.remove_member(SAMPLE.WEB, SAMPLE.ALAN) is False
    assert gateway.unassign_role(SAMPLE.DATA, SAMPLE.EDSGER, SAMPLE.VIEWER_ROLE) is True
    assert gateway.unassign_role(SAMPLE.DATA, SAMPLE.EDSGER, SAMPLE.VIEWER_ROLE) is False
    assert gateway.members(SAMPLE.WEB).get(SAMPLE.ALAN) is None


def test_a_project_that_is_gone_has_no_members_and_no_accounts(gateway):
    assert gateway.members("proj_Gone") == {} and gateway.service_accounts("proj_Gone") == {}
    assert gateway.assigned_roles("proj_Gone", SAMPLE.ALAN) == []


def test_service_account_writes_go_through_the_gateway_and_forget_both_listings(gateway, emulator):
    assert gateway.service_accounts(SAMPLE.WEB) == {} and gateway.api_keys(SAMPLE.WEB) == {}
    listed = gateway.current_service_accounts(SAMPLE.WEB)  # listed now, for deciding a create
    created = gateway.create_service_account(SAMPLE.WEB, "ci", expires_in_seconds=None, known=listed)
    assert gateway.find_service_account(SAMPLE.WEB, created.id).name == "ci"
    assert gateway.find_api_key(SAMPLE.WEB, created.api_key.id) is not None
    second = gateway.create_service_account_key(SAMPLE.WEB, created.id, name="ci", expires_in_seconds=60,
                                                scopes=None)
    assert gateway.find_api_key(SAMPLE.WEB, second.id).expires_at is not None
    gateway.restrict_api_key(SAMPLE.WEB, second.id, ["api.model.request"])
    gateway.delete_api_key(SAMPLE.WEB, created.api_key.id)
    assert gateway.find_api_key(SAMPLE.WEB, created.api_key.id) is None
    assert [key.id for key in gateway.service_account_keys(SAMPLE.WEB, created.id)] == [second.id]
    assert gateway.update_service_account(SAMPLE.WEB, created.id, role="owner").role == "owner"
    assert gateway.find_service_account(SAMPLE.WEB, created.id).role == "owner"
    gateway.delete_service_account(SAMPLE.WEB, created.id)
    assert gateway.service_accounts(SAMPLE.WEB) == {} and gateway.api_keys(SAMPLE.WEB) == {}
    assert emulator.state()["service_accounts"] == []
