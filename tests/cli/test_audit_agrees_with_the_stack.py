"""``audit`` judges as the stack applies the spec (issue 18): an organization owner kept by an
exclusive project's rail is kept, not a difference; in projects that are not exclusive,
undeclared members and roles are information (``--strict`` counts them); a spec of service
accounts only lists no member; ``--project`` narrows the audit."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pulumi_openai_access.emulator.process import SAMPLE

# WEB holds ada (organization owner, project owner), alan (member + KEY_MANAGER), katherine.
WEB_WITHOUT_ADA = {"members": [SAMPLE.ALAN], "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}}}
WEB_KATHERINE = {"members": ["katherine@example.com"], "grants": {SAMPLE.WEB: "member"}}


def spec_file(tmp_path: Path, spec: dict) -> str:
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return str(path)


def project(report: dict, project_id: str) -> dict:
    return next(p for p in report["projects"] if p["project_id"] == project_id)


def test_an_organization_owner_kept_by_the_rail_is_reported_as_kept(cli, tmp_path):
    spec = spec_file(tmp_path, {"exclusive": [SAMPLE.WEB], "teams": {"web": WEB_WITHOUT_ADA, "k": WEB_KATHERINE}})

    run = cli("audit", "--spec", spec, "--json")

    assert run.code == 0, run.stdout
    web = project(json.loads(run.stdout), SAMPLE.WEB)
    assert web["exclusive"] is True and web["differences"] == []
    assert web["kept"] == [{"member": "ada@example.com", "user_id": SAMPLE.ADA, "live": {"role": "owner", "roles": []},
                            "reason": "organization owner: keeps access to every project anyway"}]
    table = cli("audit", "--spec", spec)
    assert table.code == 0
    assert "Not in the spec, kept by a rail of the exclusive project" in table.stdout
    assert "ada@example.com" in table.stdout and "organization owner" in table.stdout
    assert table.stdout.splitlines()[-1] == "in sync: 1 projects match the spec (1 kept by a rail)"


def test_in_an_exclusive_project_an_undeclared_member_is_a_difference(cli, tmp_path):
    spec = spec_file(tmp_path, {"exclusive": [SAMPLE.WEB], "teams": {"web": WEB_WITHOUT_ADA}})

    run = cli("audit", "--spec", spec, "--json")

    assert run.code == 1
    web = project(json.loads(run.stdout), SAMPLE.WEB)
    assert [(d["kind"], d["user_id"]) for d in web["differences"]] == [("undeclared_member", SAMPLE.KATHERINE)]


def test_elsewhere_undeclared_access_is_information_and_strict_counts_it(cli, tmp_path):
    spec = spec_file(tmp_path, {"teams": {"web": WEB_WITHOUT_ADA}})

    informed = cli("audit", "--spec", spec, "--json")
    strict = cli("audit", "--spec", spec, "--json", "--strict")
    markdown = cli("audit", "--spec", spec, "--markdown")

    assert informed.code == 0
    web = project(json.loads(informed.stdout), SAMPLE.WEB)
    assert web["differences"] == [] and web["exclusive"] is False
    assert {(d["kind"], d["user_id"]) for d in web["information"]} == {
        ("undeclared_member", SAMPLE.ADA), ("undeclared_member", SAMPLE.KATHERINE)}
    assert strict.code == 1
    assert json.loads(strict.stdout)["counts"]["undeclared_member"] == 2
    assert markdown.code == 0
    assert "#### Not in the spec, left alone (the project is not exclusive; --strict counts them)" in markdown.stdout
    assert "2 undeclared members and roles left alone (not exclusive)" in markdown.stdout


def test_a_spec_of_service_accounts_only_lists_no_member(cli, tmp_path):
    spec = spec_file(tmp_path, {"service_accounts": {SAMPLE.WEB: {"deploy-bot": {}}}})

    run = cli("audit", "--spec", spec, "--json", "--strict")

    web = project(json.loads(run.stdout), SAMPLE.WEB)
    assert [d["kind"] for d in web["differences"]] == ["missing_service_account"]
    assert web["information"] == [] and web["kept"] == []


def test_project_narrows_the_audit_and_repeats(cli, emulator, tmp_path):
    spec = spec_file(tmp_path, {"teams": {"web": WEB_WITHOUT_ADA, "data": {
        "members": ["nobody@example.com"], "grants": {SAMPLE.DATA: "member"}}}})

    web_only = cli("audit", "--spec", spec, "--json", "--project", SAMPLE.WEB)
    both = cli("audit", "--spec", spec, "--json", "--project", SAMPLE.WEB, "--project", SAMPLE.DATA)
    unknown = cli("audit", "--spec", spec, "--project", "proj_Nope")

    assert web_only.code == 0 and [p["project_id"] for p in json.loads(web_only.stdout)["projects"]] == [SAMPLE.WEB]
    assert both.code == 1 and {p["project_id"] for p in json.loads(both.stdout)["projects"]} == {SAMPLE.WEB, SAMPLE.DATA}
    assert unknown.code == 2 and "proj_Nope" in unknown.error_lines[0]
