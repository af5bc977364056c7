"""``openai-access check`` (issue 18): what only the API knows, each problem with its path,
read-only, before any write."""

from __future__ import annotations

from pathlib import Path

import yaml

from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from pulumi_openai_access.emulator.seed import sample_seed

ARCHIVED = "proj_Archived0000000000000000"
GHOST = "proj_DoesNotExist00000000000"


def write_spec(tmp_path: Path, spec: dict) -> str:
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return str(path)


def with_an_archived_project(emulator: EmulatorProcess) -> None:
    seed = sample_seed()
    seed["projects"].append({"id": ARCHIVED, "name": "Old Thing", "status": "archived", "archived_at": 1700000000})
    emulator.reset(seed)


def test_every_problem_is_named_with_its_path_and_nothing_is_written(cli, emulator, tmp_path):
    with_an_archived_project(emulator)
    spec = write_spec(tmp_path, {"teams": {
        "web": {"members": ["ada@example.com", "zed@example.com", "user-Nobody000000000000000"],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": ["role_01J1F8PR0JKEYMANAGER0000A", SAMPLE.KEY_MANAGER,
                                                                     SAMPLE.BILLING_VIEWER]}}},
        "old": {"members": ["ada@example.com"], "grants": {ARCHIVED: "member", GHOST: "owner"}},
    }, "service_accounts": {GHOST: {"bot": {}}}})

    run = cli("check", "--spec", spec)

    assert run.code == 1, run.stderr
    assert run.stdout.splitlines() == [
        f"{spec}: teams.web.members[1]: zed@example.com is not in the organization: invite them first (the "
        "organization's Members page, or the Admin API's invites), then check again",
        f"{spec}: teams.web.members[2]: no user user-Nobody000000000000000 in the organization: check the id "
        "(`openai-access discover` writes every member with their id)",
        f"{spec}: teams.web.grants.{SAMPLE.WEB}.roles: role_01J1F8PR0JKEYMANAGER0000A is not a role of project "
        f"{SAMPLE.WEB} nor of the organization: did you mean {SAMPLE.KEY_MANAGER}? the custom roles there are "
        f"{SAMPLE.BILLING_VIEWER} (Billing Viewer), {SAMPLE.KEY_MANAGER} (API Key Manager)",
        f"{spec}: teams.old.grants.{ARCHIVED}: project {ARCHIVED} (Old Thing) is archived and takes no members: "
        "grant an active project",
        f"{spec}: teams.old.grants.{GHOST}: no project {GHOST} in the organization: check the id "
        "(`openai-access discover` lists the active projects)",
        f"{spec}: service_accounts.{GHOST}: no project {GHOST} in the organization: check the id "
        "(`openai-access discover` lists the active projects)",
    ]
    assert "openai-access: 6 problems in the spec; fix them before `pulumi up` (nothing was written)" in run.stderr
    writes = {route: n for route, n in emulator.requests().by_route.items() if not route.startswith("GET ")}
    assert writes == {}


def test_a_spec_that_fits_the_organization_passes(cli, emulator, tmp_path):
    spec = write_spec(tmp_path, {"teams": {"web": {
        "members": ["ADA@example.com", SAMPLE.ALAN], "grants": {SAMPLE.WEB: {"role": "member", "roles": [
            SAMPLE.KEY_MANAGER, SAMPLE.VIEWER_ROLE]}}}}})

    run = cli("check", "--spec", spec)

    assert run.code == 0, run.stdout + run.stderr
    assert run.stdout == ""
    assert "openai-access: the spec checks out against the organization: 1 projects" in run.stderr


def test_check_reads_the_stack_like_audit(cli, emulator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: infra\n")
    spec = {"teams": {"t": {"members": ["zed@example.com"], "grants": {SAMPLE.DATA: "member"}}}}
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": {"infra:access": spec}}))

    run = cli("check", "--stack", "prod")

    assert run.code == 1
    assert run.stdout.startswith("Pulumi.prod.yaml: teams.t.members[0]: zed@example.com is not in the organization")
    assert yaml.safe_load((tmp_path / "Pulumi.prod.yaml").read_text()) == {"config": {"infra:access": spec}}
