"""``UserRoleAssignmentProvider`` against the emulator over real sockets."""

from __future__ import annotations

import pytest
import requests

from pulumi_openai_access.emulator.process import SAMPLE, USER_ROLES, EmulatorProcess
from tests.support.providers import ConfiguredProviders


def assigned(emulator: EmulatorProcess, project_id: str, user_id: str) -> set[str]:
    return {a["role_id"] for a in emulator.state()["role_assignments"]
            if a["project_id"] == project_id and a["user_id"] == user_id}


def create(providers: ConfiguredProviders, **inputs):
    checked = providers.role_assignment.check({}, inputs)
    assert checked.failures == []
    return providers.role_assignment.create(checked.inputs)


def test_assign_to_a_member_keeps_the_written_role_id(providers, emulator):
    result = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.KATHERINE, role_id=SAMPLE.VIEWER_ROLE)
    assert result.id == f"{SAMPLE.DATA}/{SAMPLE.KATHERINE}/{SAMPLE.VIEWER_ROLE}"
    assert result.outs["role_id"] == SAMPLE.VIEWER_ROLE
    assert result.outs["predefined_role"] is True
    assert result.outs["permissions"] and result.outs["name"]
    assert SAMPLE.VIEWER_ROLE in assigned(emulator, SAMPLE.DATA, SAMPLE.KATHERINE)


def test_assign_by_email_resolves_the_user_with_one_organization_listing(providers, emulator):
    result = create(providers, project_id=SAMPLE.WEB, email="Katherine@example.com", role_id=SAMPLE.KEY_MANAGER)
    assert result.outs["user_id"] == SAMPLE.KATHERINE
    assert result.outs["requested_email"] == "Katherine@example.com"
    assert SAMPLE.KEY_MANAGER in assigned(emulator, SAMPLE.WEB, SAMPLE.KATHERINE)
    assert emulator.requests().total == 2  # one organization listing, one write


def test_assigning_to_a_non_member_says_to_add_the_membership_first(providers, emulator):
    with pytest.raises(ValueError, match="not a member of project.*ProjectUser.*depend"):
        create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.BARBARA, role_id=SAMPLE.VIEWER_ROLE)
    assert assigned(emulator, SAMPLE.WEB, SAMPLE.BARBARA) == set()


def test_an_unknown_role_is_named(providers, emulator):
    with pytest.raises(ValueError, match="role_01NOSUCHROLE"):
        create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.KATHERINE, role_id="role_01NOSUCHROLE")


def test_an_existing_assignment_is_taken_over_as_an_interrupted_run_leaves_it(providers, emulator):
    taken = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.EDSGER, role_id=SAMPLE.VIEWER_ROLE)
    assert taken.id == f"{SAMPLE.DATA}/{SAMPLE.EDSGER}/{SAMPLE.VIEWER_ROLE}"
    assert taken.outs["name"] and taken.outs["adopt"] is False
    assert assigned(emulator, SAMPLE.DATA, SAMPLE.EDSGER) == {SAMPLE.VIEWER_ROLE}


def test_adopt_reads_first_and_sends_no_write_for_a_held_role(providers, emulator):
    adopted = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.EDSGER, role_id=SAMPLE.VIEWER_ROLE, adopt=True)
    assert adopted.outs["adopt"] is True
    assert emulator.requests().count("POST", USER_ROLES) == 0


def test_read_keeps_an_assignment_and_drops_one_removed_outside_pulumi(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.KATHERINE, role_id=SAMPLE.VIEWER_ROLE)
    read = providers.role_assignment.read(created.id, created.outs)
    assert read.id == created.id
    assert read.inputs == {"project_id": SAMPLE.DATA, "user_id": SAMPLE.KATHERINE,
                           "role_id": SAMPLE.VIEWER_ROLE, "adopt": False}
    requests.delete(f"{emulator.base_url}/projects/{SAMPLE.DATA}/users/{SAMPLE.KATHERINE}/roles/{SAMPLE.VIEWER_ROLE}",
                    headers=emulator.auth_headers, timeout=10).raise_for_status()
    providers.new_process()
    assert providers.role_assignment.read(created.id, created.outs).id == ""


def test_reads_of_one_users_roles_share_one_listing(providers, emulator):
    first = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.ALAN, role_id=SAMPLE.VIEWER_ROLE)
    providers.new_process()
    before = emulator.requests().count("GET", USER_ROLES)
    providers.role_assignment.read(first.id, first.outs)
    second_id = f"{SAMPLE.WEB}/{SAMPLE.ALAN}/{SAMPLE.KEY_MANAGER}"
    second = providers.role_assignment.read(second_id, {**first.outs, "role_id": SAMPLE.KEY_MANAGER})
    assert second.id == second_id
    assert emulator.requests().count("GET", USER_ROLES) == before + 1


def test_delete_is_idempotent(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.KATHERINE, role_id=SAMPLE.VIEWER_ROLE)
    providers.role_assignment.delete(created.id, created.outs)
    providers.role_assignment.delete(created.id, created.outs)
    assert assigned(emulator, SAMPLE.DATA, SAMPLE.KATHERINE) == set()
