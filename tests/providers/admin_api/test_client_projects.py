"""The client's project and custom project role endpoints against the emulator: the
lifecycle, typed errors, and creates or archives whose outcome is unknown done once."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import PROJECT_ROLES, PROJECTS, SAMPLE, Fault
from pulumi_openai_access.providers.admin_api import RoleNameTakenError, RoleStillAssignedError
from tests.support.client import client_for

ARCHIVE = PROJECTS + "/{project_id}/archive"


def projects_named(emulator, name: str) -> list[dict]:
    return [p for p in emulator.state()["projects"] if p["name"] == name]


def test_project_lifecycle(emulator):
    client = client_for(emulator)
    created = client.create_project("Checkout", residency="GLOBAL", external_key_id="ekm_1")
    assert (created.name, created.status, created.residency, created.external_key_id) == (
        "Checkout", "active", "GLOBAL", "ekm_1")
    renamed = client.update_project(created.id, name="Checkout service")
    assert (renamed.id, renamed.name) == (created.id, "Checkout service")
    archived = client.archive_project(created.id)
    assert archived.is_archived and archived.name == "Checkout service"
    assert client.archive_project(created.id).is_archived  # archiving again is done, not an error
    assert created.id not in [p.id for p in client.list_projects()]
    assert created.id in [p.id for p in client.list_projects(include_archived=True)]


@pytest.mark.parametrize("action", ["drop_after", "drop_before", "status"])
def test_a_project_create_with_an_unknown_outcome_makes_one_project(emulator, action):
    emulator.set_faults(Fault("POST", PROJECTS, action, status=503 if action == "status" else None))
    created = client_for(emulator).create_project("Checkout")
    assert [p["id"] for p in projects_named(emulator, "Checkout")] == [created.id]


def test_an_archive_whose_answer_was_lost_is_done(emulator):
    emulator.set_faults(Fault("POST", ARCHIVE, "drop_after"))
    assert client_for(emulator).archive_project(SAMPLE.DATA).is_archived


def test_project_role_lifecycle(emulator):
    client = client_for(emulator)
    role = client.create_project_role(SAMPLE.WEB, "Evaluator", ["api.model.read"], "Runs evaluations")
    assert (role.name, role.permissions, role.description, role.predefined_role) == (
        "Evaluator", ["api.model.read"], "Runs evaluations", False)
    updated = client.update_project_role(SAMPLE.WEB, role.id, permissions=["api.model.read", "api.model.request"])
    assert (updated.id, updated.name, updated.permissions) == (role.id, "Evaluator",
                                                               ["api.model.read", "api.model.request"])
    assert client.get_project_role(SAMPLE.WEB, role.id).permissions == updated.permissions
    client.delete_project_role(SAMPLE.WEB, role.id)
    assert role.id not in [r.id for r in client.list_project_roles(SAMPLE.WEB)]


def test_project_role_errors_are_typed(emulator):
    client = client_for(emulator)
    with pytest.raises(RoleNameTakenError):
        client.create_project_role(SAMPLE.WEB, "API Key Manager", ["p"])
    with pytest.raises(RoleStillAssignedError):
        client.delete_project_role(SAMPLE.WEB, SAMPLE.KEY_MANAGER)


def test_a_role_create_whose_answer_was_lost_makes_one_role(emulator):
    emulator.set_faults(Fault("POST", PROJECT_ROLES, "drop_after"))
    role = client_for(emulator).create_project_role(SAMPLE.WEB, "Evaluator", ["api.model.read"])
    named = [r for r in emulator.state()["roles"] if r["name"] == "Evaluator"]
    assert [r["id"] for r in named] == [role.id]
