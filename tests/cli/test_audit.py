"""``openai-access audit``: each kind of difference, in each output format, with the exit
status a scheduled CI job relies on (0 in sync, 1 differences); read-only; --all-projects;
the spec of a stack."""

from __future__ import annotations

import json

import pytest
import yaml

from pulumi_openai_access.emulator.process import SAMPLE

VIEWER = "role-api-project-viewer"

# Against the sample organization, one of each kind of difference:
#   WEB:  barbara missing; alan (with his custom role) undeclared; ada's mirror role is fine
#   DATA: katherine member, declared owner (teams merged); grace lacks the viewer role declared;
#         edsger holds the viewer role undeclared
EVERY_KIND = {
    "adopt": True,
    "teams": {
        "web": {"members": ["ada@example.com"], "grants": {SAMPLE.WEB: "owner"}},
        "web-new": {"members": ["barbara@example.com", "KATHERINE@example.com"], "grants": {SAMPLE.WEB: "member"}},
        "data": {"members": ["grace@example.com"], "grants": {SAMPLE.DATA: {"role": "owner", "roles": [VIEWER]}}},
        "data-members": {"members": [SAMPLE.EDSGER, "katherine@example.com"], "grants": {SAMPLE.DATA: "member"}},
        "data-leads": {"members": ["katherine@example.com"], "grants": {SAMPLE.DATA: "owner"}},
    },
}
EXPECTED = {
    (SAMPLE.WEB, "missing_member", "barbara@example.com", None),
    (SAMPLE.WEB, "undeclared_member", "alan@example.com", None),
    (SAMPLE.DATA, "role_differs", "katherine@example.com", None),
    (SAMPLE.DATA, "missing_extra_role", "grace@example.com", VIEWER),
    (SAMPLE.DATA, "undeclared_extra_role", SAMPLE.EDSGER, VIEWER),
}


@pytest.fixture
def every_kind(tmp_path):
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(EVERY_KIND))
    return str(path)


def test_json_reports_each_kind_and_exits_1(cli, emulator, every_kind):
    state = emulator.state()

    run = cli("audit", "--spec", every_kind, "--json", "--strict")

    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    found = {(p["project_id"], d["kind"], d["member"], d["role_id"]) for p in report["projects"] for d in p["differences"]}
    assert found == EXPECTED
    assert report["format"] == 1 and report["in_sync"] is False
    assert report["counts"] == {"unknown_project": 0, "missing_member": 1, "role_differs": 1, "missing_extra_role": 1,
                                "undeclared_member": 1, "undeclared_extra_role": 1, "expired_member": 0,
                                "expired_extra_role": 0, "missing_service_account": 0,
                                "service_account_role_differs": 0, "ambiguous_service_account": 0,
                                "missing_project": 0, "project_archived": 0, "missing_project_role": 0,
                                "project_role_differs": 0, "undeclared_organization_user": 0,
                                "missing_group_grant": 0, "group_role_differs": 0, "missing_group_extra_role": 0,
                                "undeclared_group_extra_role": 0, "missing_group_user": 0,
                                "undeclared_group_user": 0, "undeclared_group_grant": 0}
    katherine = next(d for p in report["projects"] for d in p["differences"] if d["kind"] == "role_differs")
    assert katherine == {"kind": "role_differs", "member": "katherine@example.com", "user_id": SAMPLE.KATHERINE,
                         "role_id": None, "declared": {"role": "owner", "roles": []},
                         "live": {"role": "member", "roles": []}, "service_account_ids": [], "group": None}
    alan = next(d for p in report["projects"] for d in p["differences"] if d["kind"] == "undeclared_member")
    assert alan["live"] == {"role": "member", "roles": [SAMPLE.KEY_MANAGER]} and alan["declared"] is None
    assert emulator.state() == state


def test_table_groups_by_project_and_exits_1(cli, every_kind):
    run = cli("audit", "--spec", every_kind, "--strict")

    assert run.code == 1, run.stderr
    lines = run.stdout.splitlines()
    data, web = lines.index(f"{SAMPLE.DATA} (Data Platform)"), lines.index(f"{SAMPLE.WEB} (Web Storefront)")
    rows = [line.split() for line in lines]
    assert ["missing", "member", "barbara@example.com", "member", "-"] in rows[web:]
    assert ["undeclared", "member", "alan@example.com", "-", "member", f"+{SAMPLE.KEY_MANAGER}"] in rows[web:]
    assert ["role", "differs", "katherine@example.com", "owner", "member"] in rows[data:web]
    assert ["missing", "extra", "role", VIEWER, "grace@example.com", "owner", f"+{VIEWER}", "owner"] in rows[data:web]
    assert ["undeclared", "extra", "role", VIEWER, SAMPLE.EDSGER, "member", "member", f"+{VIEWER}"] in rows[data:web]
    assert run.stdout.splitlines()[-1] == ("differences: 1 missing member, 1 role differs, 1 missing extra role, "
                                           "1 undeclared member, 1 undeclared extra role")


def test_markdown_is_a_pull_request_comment_and_exits_1(cli, every_kind):
    run = cli("audit", "--spec", every_kind, "--markdown", "--strict")

    assert run.code == 1, run.stderr
    assert run.stdout.startswith("### Access audit: differences: 1 missing member")
    assert f"#### {SAMPLE.DATA} (Data Platform)" in run.stdout
    for row in (
        "| missing member | `barbara@example.com` | member | - |",
        f"| undeclared member | `alan@example.com` | - | member +{SAMPLE.KEY_MANAGER} |",
        "| role differs | `katherine@example.com` | owner | member |",
        f"| missing extra role {VIEWER} | `grace@example.com` | owner +{VIEWER} | owner |",
        f"| undeclared extra role {VIEWER} | `{SAMPLE.EDSGER}` | member | member +{VIEWER} |",
    ):
        assert row in run.stdout.splitlines()


@pytest.mark.parametrize("output", [[], ["--json"], ["--markdown"]])
def test_a_discovered_spec_is_in_sync_in_every_format(cli, tmp_path, output):
    spec = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec)).code == 0

    run = cli("audit", "--spec", str(spec), *output)

    assert run.code == 0, run.stdout + run.stderr
    if output == ["--json"]:
        assert json.loads(run.stdout)["in_sync"] is True
    else:
        assert "in sync: 2 projects match the spec" in run.stdout


def test_all_projects_adds_the_projects_the_spec_does_not_name(cli, tmp_path):
    spec = tmp_path / "web.yaml"
    assert cli("discover", "--project", SAMPLE.WEB, "--output", str(spec)).code == 0

    assert cli("audit", "--spec", str(spec)).code == 0
    informed = cli("audit", "--spec", str(spec), "--all-projects", "--json")
    run = cli("audit", "--spec", str(spec), "--all-projects", "--json", "--strict")

    assert informed.code == 0  # not exclusive: shown, left alone
    assert {d["user_id"] for p in json.loads(informed.stdout)["projects"] for d in p["information"]} == {
        SAMPLE.GRACE, SAMPLE.KATHERINE, SAMPLE.EDSGER}
    assert run.code == 1
    data = next(p for p in json.loads(run.stdout)["projects"] if p["project_id"] == SAMPLE.DATA)
    assert data["in_spec"] is False
    assert {(d["kind"], d["user_id"]) for d in data["differences"]} == {
        ("undeclared_member", SAMPLE.GRACE), ("undeclared_member", SAMPLE.KATHERINE),
        ("undeclared_member", SAMPLE.EDSGER),
    }


def test_people_and_projects_that_do_not_exist_are_missing(cli, tmp_path):
    spec = tmp_path / "access.yaml"
    spec.write_text(yaml.safe_dump({"teams": {"ghosts": {
        "members": ["nobody@example.com"], "grants": {"proj_Gone": "member", SAMPLE.WEB: "member"}}}}))

    run = cli("audit", "--spec", str(spec), "--json")

    assert run.code == 1
    projects = {p["project_id"]: p for p in json.loads(run.stdout)["projects"]}
    assert projects["proj_Gone"]["name"] is None
    assert [(d["kind"], d["user_id"]) for d in projects["proj_Gone"]["differences"]] == [("unknown_project", None)]


def test_stack_reads_the_spec_and_endpoint_as_the_stack_program_would(cli, emulator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: infra\nruntime: python\n")
    (tmp_path / "Pulumi.ci.yaml").write_text(yaml.safe_dump({"config": {
        "openai:baseUrl": emulator.base_url, "openai:adminKey": {"secure": "v1:abc"}, "infra:access": EVERY_KIND,
    }}))

    run = cli("audit", "--stack", "ci", "--json", env={"OPENAI_BASE_URL": "https://unused.example.com/v1"})

    assert run.code == 1, run.stderr
    assert json.loads(run.stdout)["counts"]["missing_member"] == 1
