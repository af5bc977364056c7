"""``ProjectRoleProvider`` against the emulator: check, create or take over by name, update
in place, refresh of an edit made outside, and delete (refused while someone still holds it)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import PROJECT_ROLE, PROJECT_ROLES, SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api import AdminClient
from tests.support.providers import ConfiguredProviders

BASE = {"project_id": SAMPLE.WEB, "role_name": "Evaluator", "permissions": ["api.model.read"]}


def admin(emulator: EmulatorProcess) -> AdminClient:
    return AdminClient(emulator.admin_key, emulator.base_url)


def checked(providers: ConfiguredProviders, **inputs):
    result = providers.project_role.check({}, {**BASE, **inputs})
    assert result.failures == [], result.failures
    return result.inputs


def roles_named(emulator: EmulatorProcess, name: str) -> list[dict]:
    return [r for r in emulator.state()["roles"] if r["name"] == name]


@pytest.mark.parametrize("inputs, prop, fragment", [
    ({"project_id": "checkout"}, "project_id", "proj_abc123"),
    ({"role_name": " "}, "role_name", "something besides spaces"),
    ({"permissions": []}, "permissions", "non-empty list of permissions"),
    ({"permissions": "api.model.read"}, "permissions", "non-empty list"),
    ({"permissions": ["api.model.read", 3]}, "permissions", "[3]"),
    ({"permissions": None}, "permissions", "permissions is required"),
    ({"description": 5}, "description", "must be a string"),
])
def test_check_names_the_property_and_what_is_allowed(providers, inputs, prop, fragment):
    failures = providers.project_role.check({}, {**BASE, **inputs}).failures
    assert [f.property for f in failures] == [prop]
    assert fragment in failures[0].reason


def test_create_update_in_place_and_delete(emulator, providers):
    created = providers.project_role.create(checked(providers, permissions=["b", "a", "a"], description="Evals"))
    assert created.id.startswith("role_")
    assert (created.outs["role_name"], created.outs["permissions"], created.outs["description"]) == (
        "Evaluator", ["a", "b"], "Evals")
    assert roles_named(emulator, "Evaluator")[0]["permissions"] == ["a", "b"]

    same = checked(providers, permissions=["a", "b"], description="Evals")
    assert providers.project_role.diff(created.id, created.outs, same).changes is False
    news = checked(providers, role_name="Evaluators", permissions=["a", "c"], description="Evals")
    diff = providers.project_role.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    updated = providers.project_role.update(created.id, created.outs, news)
    assert (updated.outs["role_name"], updated.outs["permissions"]) == ("Evaluators", ["a", "c"])
    assert roles_named(emulator, "Evaluators")[0]["id"] == created.id

    providers.project_role.delete(created.id, updated.outs)
    assert roles_named(emulator, "Evaluators") == []
    providers.project_role.delete(created.id, updated.outs)  # gone already: done


def test_refresh_sees_an_edit_made_outside(emulator, providers):
    created = providers.project_role.create(checked(providers))
    admin(emulator).update_project_role(SAMPLE.WEB, created.id, permissions=["api.everything"])
    providers.new_process()  # a refresh runs in a new provider process
    read = providers.project_role.read(created.id, created.outs)
    assert read.outs["permissions"] == ["api.everything"] and read.inputs["permissions"] == ["api.everything"]
    assert providers.project_role.diff(created.id, read.outs, checked(providers)).changes is True


def test_a_role_that_exists_exactly_as_declared_is_taken_over_without_a_write(emulator, providers):
    existing = admin(emulator).create_project_role(SAMPLE.WEB, "Evaluator", ["api.model.read"], "Evals")
    before = emulator.requests().count("POST", PROJECT_ROLES)
    taken = providers.project_role.create(checked(providers, description="Evals"))
    assert taken.id == existing.id
    assert emulator.requests().count("POST", PROJECT_ROLES) == before
    assert emulator.requests().count("POST", PROJECT_ROLE) == 0


def test_a_role_that_differs_needs_adopt(emulator, providers):
    existing = admin(emulator).create_project_role(SAMPLE.WEB, "Evaluator", ["api.files.read"])
    with pytest.raises(ValueError, match="already has a role named 'Evaluator'.*api.files.read.*adopt=True"):
        providers.project_role.create(checked(providers))
    adopted = providers.project_role.create(checked(providers, adopt=True))
    assert (adopted.id, adopted.outs["permissions"]) == (existing.id, ["api.model.read"])


def test_delete_of_a_role_someone_else_still_holds_fails_and_says_why(emulator, providers):
    outputs = {"project_id": SAMPLE.WEB, "role_name": "API Key Manager"}
    with pytest.raises(ValueError, match="still assigned to someone this stack does not manage"):
        providers.project_role.delete(SAMPLE.KEY_MANAGER, outputs)
    assert [r["id"] for r in roles_named(emulator, "API Key Manager")] == [SAMPLE.KEY_MANAGER]


def test_refresh_of_a_deleted_role_drops_it(emulator, providers):
    created = providers.project_role.create(checked(providers))
    admin(emulator).delete_project_role(SAMPLE.WEB, created.id)
    providers.new_process()
    assert providers.project_role.read(created.id, created.outs).id == ""


def test_a_project_not_known_yet_in_a_preview_is_not_judged(providers):
    from pulumi.output import Unknown

    result = providers.project_role.check({}, {**BASE, "project_id": Unknown()})
    assert result.failures == []
