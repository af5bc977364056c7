"""``openai-access audit`` with ``organization.exclusive``: people in the organization the spec
declares nowhere (and no rail keeps) are differences; without it they are not."""

from __future__ import annotations

import json

import yaml

from pulumi_openai_access.emulator.process import SAMPLE

# Everyone of the sample organization declared, as they are, except barbara (in no project).
SPEC = {
    "organization": {"exclusive": True},
    "teams": {
        "web": {"members": ["alan@example.com", "katherine@example.com"],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}}},
        "data": {"members": ["katherine@example.com", "edsger@example.com"],
                 "grants": {SAMPLE.DATA: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}}},
    },
}


def run_audit(cli, tmp_path, spec, *flags):
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(spec))
    return cli("audit", "--spec", str(path), *flags)


def test_undeclared_people_are_reported_when_the_organization_is_exclusive(cli, emulator, tmp_path):
    seed = emulator.state()
    seed["users"].append({"id": "user-Scim00000000000000000000", "email": "sam@example.com", "name": "Sam",
                          "role": "reader", "is_scim_managed": True})
    emulator.reset(seed)
    run = run_audit(cli, tmp_path, SPEC, "--json")
    report = json.loads(run.stdout)
    # ada and grace are owners, sam is SCIM-managed: kept by the rails, not reported
    assert [(d["kind"], d["member"], d["user_id"]) for d in report["organization"]["differences"]] == [
        ("undeclared_organization_user", "barbara@example.com", SAMPLE.BARBARA)]
    assert report["counts"]["undeclared_organization_user"] == 1
    assert run.code == 1
    table = run_audit(cli, tmp_path, SPEC)
    assert "in the organization, declared nowhere" in table.stdout and "barbara@example.com" in table.stdout


def test_without_organization_exclusive_nobody_is_reported_there(cli, emulator, tmp_path):
    run = run_audit(cli, tmp_path, {**SPEC, "organization": {"exclusive": False}}, "--json")
    report = json.loads(run.stdout)
    assert report["organization"] == {"differences": []}
    assert report["counts"]["undeclared_organization_user"] == 0
