"""Service accounts in ``openai-access discover`` and ``audit``, against the emulator.

Discover lists each project's accounts in a comment block (name, role, id, keys) and never
declares them, so the round trip and the adopting up's 0 writes hold; audit compares only
the accounts the spec declares (missing, another role, a name held by several) and reports
the others as information, with exit 0.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from pulumi_openai_access.emulator.process import SAMPLE
from tests.support.cli import live_access, spec_access

DEPLOY, RELEASE, TWIN_A, TWIN_B, DATA_BOT = (f"svc_acct_Test{n:020d}" for n in range(5))
ACCOUNTS = [  # (id, project, name, role); seeded in another order than the listing's
    (RELEASE, SAMPLE.WEB, "release-bot", "owner"),
    (DEPLOY, SAMPLE.WEB, "deploy-bot", "member"),
    (DATA_BOT, SAMPLE.DATA, "etl: nightly", "member"),  # a name YAML must quote
]
KEYS = {DEPLOY: 2, RELEASE: 1, DATA_BOT: 0}


def seed_accounts(emulator, accounts=ACCOUNTS, keys=KEYS) -> dict:
    """The sample organization plus ``accounts`` and ``keys`` (account id -> how many)."""
    seed = emulator.state()
    seed["service_accounts"] = [{"id": i, "project_id": p, "name": n, "role": r} for i, p, n, r in accounts]
    project_of = {i: p for i, p, _, _ in accounts}
    seed["api_keys"] = [
        {"project_id": project_of[account], "service_account_id": account, "value_sha256": f"{k:064x}",
         "redacted_value": "sk-svcacct-...abcd"}
        for account, count in keys.items() for k in range(count)
    ]
    emulator.reset(seed)
    return emulator.state()


def block(spec_text: str) -> list[str]:
    """The service-account comment block of a discovered spec."""
    lines = spec_text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith("# Service accounts")), len(lines))
    return lines[start:]


def test_discover_lists_accounts_as_comments_and_declares_none(cli, emulator):
    state = seed_accounts(emulator)
    before = emulator.requests().by_route

    first, second = cli("discover"), cli("discover")

    assert first.code == 0, first.stderr
    assert first.stdout == second.stdout  # sorted: deterministic
    assert spec_access(first.stdout, state) == live_access(state)  # the round trip still holds
    assert "service_accounts" not in yaml.safe_load(first.stdout)  # listed, never declared
    assert block(first.stdout)[1:] == [
        "# take it over and issue it a NEW key (its existing keys keep working). To manage one, move its line",
        "# under service_accounts: <project id>: (same name and role); see \"The access spec\" in the README.",
        "# service_accounts:",
        f"#   {SAMPLE.DATA}:  # Data Platform",
        f'#     "etl: nightly": {{role: member}}  # id {DATA_BOT}, 0 keys',
        f"#   {SAMPLE.WEB}:  # Web Storefront",
        f"#     deploy-bot: {{role: member}}  # id {DEPLOY}, 2 keys",
        f"#     release-bot: {{role: owner}}  # id {RELEASE}, 1 key",
    ]
    assert "3 service accounts listed as comments, not declared" in first.stderr
    after = emulator.requests().by_route
    spent = {route: n - before.get(route, 0) for route, n in after.items() if n - before.get(route, 0)}
    # Two runs: per run one account listing per project, one key listing per project with accounts.
    assert spent["GET /v1/organization/projects/{project_id}/service_accounts"] == 2 * 2
    assert spent["GET /v1/organization/projects/{project_id}/api_keys"] == 2 * 2
    assert emulator.state() == state  # read-only


def test_uncommented_block_is_a_spec_that_audits_in_sync(cli, emulator, tmp_path):
    seed_accounts(emulator)
    text = cli("discover").stdout
    header, listed = text.splitlines()[:-len(block(text))], block(text)
    uncommented = [line[2:] for line in listed[listed.index("# service_accounts:"):]]
    spec = tmp_path / "access.yaml"
    spec.write_text("\n".join(header + uncommented) + "\n")

    run = cli("audit", "--spec", str(spec), "--json")

    assert run.code == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["in_sync"] is True
    assert all(p["unmanaged_service_accounts"] == [] for p in report["projects"])


def test_discover_project_filter_lists_only_those_accounts(cli, emulator):
    seed_accounts(emulator)

    run = cli("discover", "--project", SAMPLE.DATA)

    assert run.code == 0, run.stderr
    assert "etl: nightly" in run.stdout
    assert "deploy-bot" not in run.stdout and SAMPLE.WEB not in run.stdout


def test_discover_without_accounts_writes_no_block(cli):
    run = cli("discover")

    assert run.code == 0 and block(run.stdout) == [] and "not declared" not in run.stderr


@pytest.mark.parametrize("output", [[], ["--json"], ["--markdown"]])
def test_undeclared_accounts_are_information_and_in_sync(cli, emulator, tmp_path, output):
    seed_accounts(emulator)
    spec = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec)).code == 0

    run = cli("audit", "--spec", str(spec), *output)

    assert run.code == 0, run.stdout + run.stderr
    if output == ["--json"]:
        report = json.loads(run.stdout)
        assert report["in_sync"] is True
        unmanaged = {(p["project_id"], a["name"], a["role"], a["id"])
                     for p in report["projects"] for a in p["unmanaged_service_accounts"]}
        assert unmanaged == {(p, n, r, i) for i, p, n, r in ACCOUNTS}
        assert not any(report["counts"].values())
        return
    assert "in sync: 2 projects match the spec (3 service accounts not in the spec, left alone)" in run.stdout
    assert "Service accounts not in the spec (information: left alone, never removed)" in run.stdout
    if output:
        assert f"| `{SAMPLE.WEB}` | `deploy-bot` | `member` | `{DEPLOY}` |" in run.stdout.splitlines()
    else:
        assert [SAMPLE.WEB, "deploy-bot", "member", DEPLOY] in [line.split() for line in run.stdout.splitlines()]


def _declaring_spec(tmp_path, cli) -> str:
    """The discovered spec plus: deploy-bot declared owner (it is a member), ghost-bot (absent),
    twin (a name two accounts share); release-bot and etl are not declared."""
    spec = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec)).code == 0
    document = yaml.safe_load(spec.read_text())
    document["service_accounts"] = {SAMPLE.WEB: {"deploy-bot": {"role": "owner"}, "ghost-bot": {}, "twin": {}}}
    spec.write_text(yaml.safe_dump(document))
    return str(spec)


DIFFERENCES_ACCOUNTS = ACCOUNTS + [(TWIN_A, SAMPLE.WEB, "twin", "member"), (TWIN_B, SAMPLE.WEB, "twin", "member")]


def test_audit_json_finds_missing_role_and_ambiguous_accounts(cli, emulator, tmp_path):
    seed_accounts(emulator, DIFFERENCES_ACCOUNTS)
    spec = _declaring_spec(tmp_path, cli)

    run = cli("audit", "--spec", spec, "--json")

    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    web = next(p for p in report["projects"] if p["project_id"] == SAMPLE.WEB)
    assert web["differences"] == [
        {"kind": "service_account_role_differs", "member": "deploy-bot", "user_id": None, "role_id": None,
         "declared": {"role": "owner", "roles": []}, "live": {"role": "member", "roles": []},
         "service_account_ids": [DEPLOY], "group": None},
        {"kind": "missing_service_account", "member": "ghost-bot", "user_id": None, "role_id": None,
         "declared": {"role": "member", "roles": []}, "live": None, "service_account_ids": [], "group": None},
        {"kind": "ambiguous_service_account", "member": "twin", "user_id": None, "role_id": None,
         "declared": {"role": "member", "roles": []}, "live": None, "service_account_ids": [TWIN_A, TWIN_B],
         "group": None},
    ]
    assert {a["name"] for a in web["unmanaged_service_accounts"]} == {"release-bot"}  # still information
    assert report["counts"]["missing_service_account"] == report["counts"]["service_account_role_differs"] == 1
    assert report["counts"]["ambiguous_service_account"] == 1


def test_audit_table_and_markdown_show_account_differences_with_exit_1(cli, emulator, tmp_path):
    seed_accounts(emulator, DIFFERENCES_ACCOUNTS)
    spec = _declaring_spec(tmp_path, cli)

    table, markdown = cli("audit", "--spec", spec), cli("audit", "--spec", spec, "--markdown")

    assert table.code == markdown.code == 1, table.stderr + markdown.stderr
    rows = [line.split() for line in table.stdout.splitlines()]
    assert ["service", "account", "role", "differs", "deploy-bot", "owner", "member"] in rows
    assert ["missing", "service", "account", "ghost-bot", "member", "-"] in rows
    assert any(re.fullmatch(rf"service account name held by several: {TWIN_A}, {TWIN_B}\s+twin\s+member\s+-",
                            line.strip()) for line in table.stdout.splitlines()), table.stdout
    summary = ("differences: 1 missing service account, 1 service account role differs, "
               "1 service account name held by several (2 service accounts not in the spec, left alone)")
    assert table.stdout.splitlines()[-1] == summary
    for row in (
        "| service account role differs | `deploy-bot` | owner | member |",
        "| missing service account | `ghost-bot` | member | - |",
        f"| service account name held by several: {TWIN_A}, {TWIN_B} | `twin` | member | - |",
    ):
        assert row in markdown.stdout.splitlines(), markdown.stdout
    assert markdown.stdout.startswith(f"### Access audit: {summary}")
