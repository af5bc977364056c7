"""The official openai SDK against the emulator's project and custom project role endpoints:
create, rename, archive a project; create, update, delete a project's role (issue 20).

See ``tests/test_sdk_contract.py`` for why the SDK is the judge of the emulator's shapes.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization import Project, Role
from openai.types.admin.organization.projects import RoleDeleteResponse

from pulumi_openai_access.emulator.process import PROJECT_ROLE, PROJECTS, SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api import behaviour


@pytest.fixture
def org(emulator: EmulatorProcess) -> Any:
    client = openai.OpenAI(admin_api_key=emulator.admin_key, api_key="unused", base_url=emulator.base_url,
                           max_retries=0)
    return client.admin.organization


def test_projects_create_rename_archive(emulator: EmulatorProcess, org: Any) -> None:
    created = org.projects.create(name="Checkout service", residency="EU_STORAGE_PROCESSING",
                                  external_key_id="ekm_1")
    assert isinstance(created, Project)
    assert (created.object, created.name, created.status, created.archived_at) == (
        "organization.project", "Checkout service", "active", None)
    assert created.id.startswith("proj_") and created.created_at > 0
    assert (created.residency, created.external_key_id) == ("EU_STORAGE_PROCESSING", "ekm_1")
    assert emulator.requests().count("POST", PROJECTS) == 1

    renamed = org.projects.update(created.id, name="Checkout")
    assert isinstance(renamed, Project) and (renamed.id, renamed.name) == (created.id, "Checkout")
    assert org.projects.retrieve(created.id).name == "Checkout"

    archived = org.projects.archive(created.id)
    assert isinstance(archived, Project)
    assert (archived.status, archived.name) == ("archived", "Checkout") and archived.archived_at
    assert created.id not in [p.id for p in org.projects.list()]
    assert created.id in [p.id for p in org.projects.list(include_archived=True)]


def test_project_errors(org: Any) -> None:
    with pytest.raises(openai.BadRequestError) as empty:
        org.projects.create(name=" ")
    assert empty.value.param == "name"
    with pytest.raises(openai.BadRequestError) as residency:
        org.projects.create(name="x", residency="MOON_STORAGE")
    assert residency.value.param == "residency"
    org.projects.archive(SAMPLE.DATA)
    with pytest.raises(openai.BadRequestError, match=behaviour.ALREADY_ARCHIVED_FRAGMENT):
        org.projects.archive(SAMPLE.DATA)
    with pytest.raises(openai.BadRequestError, match=behaviour.ARCHIVED_PROJECT_FRAGMENT):
        org.projects.update(SAMPLE.DATA, name="renamed")
    with pytest.raises(openai.NotFoundError):
        org.projects.archive("proj_nothing")
    # Archived projects have no users: their memberships are gone with the archive.
    with pytest.raises(openai.BadRequestError, match=behaviour.ARCHIVED_PROJECT_FRAGMENT):
        org.projects.users.list(SAMPLE.DATA)


def test_project_roles_create_update_delete(emulator: EmulatorProcess, org: Any) -> None:
    roles = org.projects.roles
    created = roles.create(SAMPLE.WEB, role_name="Evaluator", permissions=["api.model.read", "api.model.request"],
                           description="Runs evaluations")
    assert isinstance(created, Role)
    assert (created.object, created.name, created.permissions, created.description) == (
        "role", "Evaluator", ["api.model.read", "api.model.request"], "Runs evaluations")
    assert (created.resource_type, created.predefined_role) == ("api.project", False)
    assert created.id.startswith("role_")

    fetched = roles.retrieve(created.id, project_id=SAMPLE.WEB)
    assert (fetched.id, fetched.name) == (created.id, "Evaluator")
    assert created.id in [r.id for r in roles.list(SAMPLE.WEB)]

    updated = roles.update(created.id, project_id=SAMPLE.WEB, role_name="Evaluators",
                           permissions=["api.model.read"], description="Reads models")
    assert (updated.id, updated.name, updated.permissions, updated.description) == (
        created.id, "Evaluators", ["api.model.read"], "Reads models")

    deleted = roles.delete(created.id, project_id=SAMPLE.WEB)
    assert isinstance(deleted, RoleDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == ("role.deleted", created.id, True)
    assert created.id not in [r.id for r in roles.list(SAMPLE.WEB)]
    assert emulator.requests().count("DELETE", PROJECT_ROLE) == 1


def test_project_role_errors(org: Any) -> None:
    roles = org.projects.roles
    with pytest.raises(openai.BadRequestError) as empty:
        roles.create(SAMPLE.WEB, role_name="x", permissions=[])
    assert empty.value.param == "permissions"
    with pytest.raises(openai.BadRequestError, match=behaviour.ROLE_NAME_TAKEN_FRAGMENT) as taken:
        roles.create(SAMPLE.WEB, role_name="API Key Manager", permissions=["p"])
    assert taken.value.param == "role_name"
    # The decision of behaviour.py: a role still assigned is not deleted.
    with pytest.raises(openai.BadRequestError, match=behaviour.ROLE_STILL_ASSIGNED_FRAGMENT):
        roles.delete(SAMPLE.KEY_MANAGER, project_id=SAMPLE.WEB)
    org.projects.users.roles.delete(SAMPLE.KEY_MANAGER, project_id=SAMPLE.WEB, user_id=SAMPLE.ALAN)
    assert roles.delete(SAMPLE.KEY_MANAGER, project_id=SAMPLE.WEB).deleted is True
    with pytest.raises(openai.BadRequestError):
        roles.delete(SAMPLE.VIEWER_ROLE, project_id=SAMPLE.WEB)
    with pytest.raises(openai.NotFoundError):
        roles.update(SAMPLE.KEY_MANAGER, project_id=SAMPLE.DATA, role_name="elsewhere")
