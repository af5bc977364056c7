"""Custom project roles and declared projects in ``discover`` and ``audit``: the sample
organization's custom role discovered under ``project_roles`` and taken over by the adopting
up with 0 writes; audit in sync, then a role edited outside and a declared project archived
outside, each reported."""

from __future__ import annotations

import json

import yaml

from pulumi_openai_access.emulator.process import PROJECT_ROLES, SAMPLE
from pulumi_openai_access.providers.admin_api import AdminClient

PROJECT_ROLE_TYPE = "pulumi-python:dynamic/openai:ProjectRole"


def test_a_discovered_custom_role_is_taken_over_with_no_write_and_audited(cli, emulator, engine_stack, tmp_path):
    state = emulator.state()
    spec_file = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec_file)).code == 0
    spec = yaml.safe_load(spec_file.read_text())
    assert set(spec["project_roles"][SAMPLE.WEB]) == {"api-key-manager"}

    stack = engine_stack("custom-roles", spec=spec)
    adopting = stack.up()
    assert adopting.requests.writes() == {}
    assert emulator.state() == state
    (role,) = stack.resources(PROJECT_ROLE_TYPE)
    assert role["id"] == SAMPLE.KEY_MANAGER  # the existing role, not a new one
    assert stack.up().requests.total == 0
    assert cli("audit", "--spec", str(spec_file)).code == 0
    assert cli("check", "--spec", str(spec_file)).code == 0  # a role's key is not a role id to look up

    client = AdminClient(emulator.admin_key, emulator.base_url)
    client.update_project_role(SAMPLE.WEB, SAMPLE.KEY_MANAGER, permissions=["api.everything"])
    run = cli("audit", "--spec", str(spec_file), "--json")
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    (difference,) = [d for p in report["projects"] for d in p["differences"]]
    assert (difference["kind"], difference["member"], difference["role_id"]) == (
        "project_role_differs", "api-key-manager", SAMPLE.KEY_MANAGER)
    assert difference["details"]["live"]["permissions"] == ["api.everything"]
    assert report["counts"]["project_role_differs"] == 1


DECLARED = {
    "projects": {"checkout": {"name": "Checkout service"}},
    "project_roles": {"checkout": {"evaluator": {"permissions": ["api.model.read"], "description": "Evals"}}},
    "teams": {"payments": {"members": ["barbara@example.com"],
                           "grants": {"checkout": {"role": "owner", "roles": ["evaluator"]}}}},
}


def write(tmp_path, spec) -> str:
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def test_audit_finds_declared_projects_by_name_and_reports_what_is_missing_or_archived(cli, emulator, tmp_path):
    spec = write(tmp_path, DECLARED)
    missing = json.loads(cli("audit", "--spec", spec, "--json").stdout)
    kinds = {(p["project_id"], d["kind"], d["member"]) for p in missing["projects"] for d in p["differences"]}
    # One difference for the project, not every member missing in it.
    assert kinds == {("checkout", "missing_project", "checkout")}

    client = AdminClient(emulator.admin_key, emulator.base_url)
    project = client.create_project("Checkout service")
    role = client.create_project_role(project.id, "evaluator", ["api.model.read"], "Evals")
    client.add_project_user(project.id, role="owner", email="barbara@example.com")
    client.assign_project_user_role(project.id, SAMPLE.BARBARA, role.id)
    before = emulator.requests().count("GET", PROJECT_ROLES)
    in_sync = cli("audit", "--spec", spec)
    assert in_sync.code == 0, in_sync.stdout + in_sync.stderr
    assert emulator.requests().count("GET", PROJECT_ROLES) == before + 1

    client.archive_project(project.id)
    archived = json.loads(cli("audit", "--spec", spec, "--json").stdout)
    (finding,) = [d for p in archived["projects"] for d in p["differences"] if d["kind"] == "project_archived"]
    assert finding["details"]["live"] == {"id": project.id}
    table = cli("audit", "--spec", spec)
    assert table.code == 1 and "declared project archived outside" in table.stdout


def test_check_leaves_declared_projects_and_roles_to_the_stack_and_checks_the_rest(cli, emulator, tmp_path):
    spec = {**DECLARED, "teams": {"payments": {"members": ["barbara@example.com"], "grants": {
        "checkout": {"role": "owner", "roles": ["evaluator"]},
        SAMPLE.WEB: {"role": "member", "roles": ["role_01NOSUCHROLE"]}}}}}
    run = cli("check", "--spec", write(tmp_path, spec))
    assert run.code == 1
    assert "checkout" not in run.stdout and "evaluator" not in run.stdout
    assert f"grants.{SAMPLE.WEB}.roles: role_01NOSUCHROLE is not a role of project" in run.stdout
