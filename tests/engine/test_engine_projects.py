"""Projects and custom project roles through the real engine: created from nothing with a
membership that carries the role, in one preview of 0 requests and one up; renamed and
re-permissioned in place (same ids); edits and an archive made outside seen by refresh and
repaired by up; destroy unassigns, deletes the role, archives the created project and leaves
an adopted one active."""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_openai_access.emulator.process import PROJECT_ROLE, PROJECT_ROLES, PROJECTS, SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api import AdminClient
from pulumi_openai_access.providers.project import Project
from pulumi_openai_access.providers.project_role import ProjectRole
from pulumi_openai_access.providers.project_user import ProjectUser
from tests.support.engine import EngineStack

PROJECT_TYPE = "pulumi-python:dynamic/openai:Project"
ROLE_TYPE = "pulumi-python:dynamic/openai:ProjectRole"
ARCHIVE = PROJECTS + "/{project_id}/archive"


def program(declared: dict[str, Any]):
    def run() -> None:
        project = Project("checkout", name=declared["name"])
        role = ProjectRole("checkout/evaluator", project_id=project.id, role_name="Evaluator",
                           permissions=declared["permissions"], description="Runs evaluations")
        ProjectUser("checkout/barbara", project_id=project.id, email="barbara@example.com", role="member",
                    roles=[role.id])
        adopted = Project("web", name="Web Storefront", adopt=True)
        pulumi.export("project_id", project.id)
        pulumi.export("role_id", role.id)
        pulumi.export("adopted_id", adopted.id)

    return run


def admin(emulator: EmulatorProcess) -> AdminClient:
    return AdminClient(emulator.admin_key, emulator.base_url)


def project_record(emulator: EmulatorProcess, project_id: str) -> dict[str, Any]:
    return next(p for p in emulator.state()["projects"] if p["id"] == project_id)


def roles_of(emulator: EmulatorProcess, project_id: str) -> list[dict[str, Any]]:
    return [r for r in emulator.state()["roles"] if r["project_id"] == project_id]


def held(emulator: EmulatorProcess, project_id: str) -> set[tuple[str, str]]:
    return {(a["user_id"], a["role_id"]) for a in emulator.state()["role_assignments"] if a["project_id"] == project_id}


def test_a_project_its_role_and_a_member_from_nothing_to_destroy(engine_stack, emulator):
    declared = {"name": "Checkout", "permissions": ["api.model.read", "api.model.request"]}
    stack: EngineStack = engine_stack("projects", extra=program(declared))

    preview = stack.preview()
    assert preview.requests.total == 0
    assert preview.changes.get("create") == 5  # the stack, two projects, the role, the membership

    up = stack.up()
    project_id, role_id = up.outputs["project_id"], up.outputs["role_id"]
    assert up.outputs["adopted_id"] == SAMPLE.WEB
    assert up.requests.count("POST", PROJECTS) == 1 and up.requests.count("POST", PROJECT_ROLES) == 1
    assert project_record(emulator, project_id)["name"] == "Checkout"
    assert [r["id"] for r in roles_of(emulator, project_id)] == [role_id]
    assert held(emulator, project_id) == {(SAMPLE.BARBARA, role_id)}
    assert stack.up().requests.total == 0

    # Rename and new permissions: in place, same ids.
    declared.update(name="Checkout service", permissions=["api.model.read"])
    assert stack.preview().requests.total == 0
    changed = stack.up()
    assert changed.changes.get("update") == 2 and "create" not in changed.changes
    assert (changed.outputs["project_id"], changed.outputs["role_id"]) == (project_id, role_id)
    assert project_record(emulator, project_id)["name"] == "Checkout service"
    assert roles_of(emulator, project_id)[0]["permissions"] == ["api.model.read"]

    # Edits made outside: refresh sees them, up puts the declaration back.
    client = admin(emulator)
    client.update_project(project_id, name="Renamed by hand")
    client.update_project_role(project_id, role_id, permissions=["api.everything"], description="changed")
    stack.refresh()
    (project,) = [r for r in stack.resources(PROJECT_TYPE) if r["id"] == project_id]
    (role,) = stack.resources(ROLE_TYPE)
    assert project["outputs"]["name"] == "Renamed by hand"
    assert (role["outputs"]["permissions"], role["outputs"]["description"]) == (["api.everything"], "changed")
    repaired = stack.up()
    assert repaired.changes.get("update") == 2
    assert project_record(emulator, project_id)["name"] == "Checkout service"
    assert (roles_of(emulator, project_id)[0]["permissions"], roles_of(emulator, project_id)[0]["description"]) == (
        ["api.model.read"], "Runs evaluations")

    # Destroy: the membership goes first (its role with it), then the role, then the project is
    # archived; the adopted project stays active.
    destroyed = stack.destroy()
    assert destroyed.requests.count("DELETE", PROJECT_ROLE) == 1
    assert destroyed.requests.count("POST", ARCHIVE) == 1
    assert project_record(emulator, project_id)["status"] == "archived"
    assert project_record(emulator, SAMPLE.WEB)["status"] == "active"
    assert roles_of(emulator, project_id) == []


def test_an_archive_made_outside_is_seen_by_refresh_and_up_makes_a_new_project(engine_stack, emulator):
    declared = {"name": "Checkout", "permissions": ["api.model.read"]}
    stack: EngineStack = engine_stack("archived", extra=program(declared))
    first = stack.up().outputs["project_id"]
    admin(emulator).archive_project(first)

    stack.refresh()
    (project,) = [r for r in stack.resources(PROJECT_TYPE) if r["id"] == first]
    assert project["outputs"]["status"] == "archived"
    again = stack.up()
    second = again.outputs["project_id"]
    assert second != first and project_record(emulator, second)["status"] == "active"
    assert project_record(emulator, second)["name"] == "Checkout"
    assert held(emulator, second) == {(SAMPLE.BARBARA, again.outputs["role_id"])}
    assert stack.up().requests.total == 0
