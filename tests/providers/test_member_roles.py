"""A membership's extra roles as ``ProjectUser`` manages them: which of the managed roles are
held, which held roles are undeclared (the mirror of the member's own role is none), assigning
and unassigning as "already so" counts as done, and the roles a membership claims so that an
old ``UserRoleAssignment``'s delete leaves them assigned."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.access_gateway import AccessGateway
from pulumi_openai_access.providers.member_roles import (
    assign_roles,
    claim_roles,
    forget_claimed_roles,
    held_roles,
    is_claimed,
    unassign_roles,
    undeclared_roles,
)
from tests.support.client import client_for
from tests.support.engine import assignments_of

VIEWER, KEYS, OWNER = SAMPLE.VIEWER_ROLE, SAMPLE.KEY_MANAGER, SAMPLE.OWNER_ROLE


@pytest.fixture
def access(emulator: EmulatorProcess) -> AccessGateway:
    return AccessGateway(client_for(emulator))


def test_held_roles_are_the_managed_ones_assigned(access):
    assert held_roles(access, SAMPLE.WEB, SAMPLE.ALAN, [VIEWER, KEYS, KEYS]) == [KEYS]
    assert held_roles(access, SAMPLE.WEB, SAMPLE.ALAN, []) == []


def test_undeclared_roles_leave_out_the_mirror_of_the_members_own_role(access):
    assert undeclared_roles(access, SAMPLE.WEB, SAMPLE.ADA, "owner", []) == []  # holds only role-api-project-owner
    assert undeclared_roles(access, SAMPLE.WEB, SAMPLE.ALAN, "member", []) == [KEYS]
    assert undeclared_roles(access, SAMPLE.WEB, SAMPLE.ALAN, "member", [KEYS]) == []


def test_assigning_and_unassigning_count_already_so_as_done(access, emulator):
    assign_roles(access, SAMPLE.WEB, SAMPLE.ALAN, [VIEWER, KEYS])  # KEYS is held already
    unassign_roles(access, SAMPLE.DATA, SAMPLE.EDSGER, [VIEWER, VIEWER])
    unassign_roles(access, SAMPLE.DATA, SAMPLE.EDSGER, [VIEWER])  # gone already
    held = assignments_of(emulator.state())
    assert {(SAMPLE.WEB, SAMPLE.ALAN, VIEWER), (SAMPLE.WEB, SAMPLE.ALAN, KEYS)} <= held
    assert (SAMPLE.DATA, SAMPLE.EDSGER, VIEWER) not in held


def test_an_unknown_role_fails_with_the_project_and_role(access):
    with pytest.raises(ValueError, match=f"cannot assign role role_01UNKNOWN in project {SAMPLE.WEB}"):
        assign_roles(access, SAMPLE.WEB, SAMPLE.ALAN, ["role_01UNKNOWN"])


def test_claimed_roles_by_any_name_of_the_user_until_a_new_process():
    forget_claimed_roles()
    claim_roles(SAMPLE.WEB, [SAMPLE.ALAN, "Alan@Example.com", None], [VIEWER])
    assert is_claimed(SAMPLE.WEB, [None, "alan@example.com"], VIEWER)
    assert is_claimed(SAMPLE.WEB, [SAMPLE.ALAN], VIEWER)
    assert not is_claimed(SAMPLE.WEB, [SAMPLE.ALAN], KEYS) and not is_claimed(SAMPLE.DATA, [SAMPLE.ALAN], VIEWER)
    forget_claimed_roles()
    assert not is_claimed(SAMPLE.WEB, [SAMPLE.ALAN], VIEWER)
