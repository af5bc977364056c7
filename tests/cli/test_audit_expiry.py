"""``openai-access audit`` and ``discover`` with ``expires``: access past its expiry that
still exists is reported as expired (what was declared, and until when it no longer is),
not as undeclared; discover never writes an expiry."""

from __future__ import annotations

import json

import yaml

from pulumi_openai_access.emulator.process import SAMPLE

# Alan (member of WEB, with the custom key-manager role) was declared until 2026-12-24;
# Edsger's viewer role in DATA came from a grant that ended on 2026-12-20.
SPEC = {
    "teams": {
        "web": {"members": ["ada@example.com", "katherine@example.com"], "grants": {SAMPLE.WEB: "owner"}},
        "web-temp": {"members": ["alan@example.com"], "expires": "2026-12-24",
                     "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}}},
        "data": {"members": ["grace@example.com"], "grants": {SAMPLE.DATA: "owner"}},
        "data-members": {"members": ["katherine@example.com", "edsger@example.com"], "grants": {SAMPLE.DATA: "member"}},
        "data-viewers": {"members": ["edsger@example.com"],
                         "grants": {SAMPLE.DATA: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE],
                                                  "expires": "2026-12-20"}}},
    },
}


def audit(cli, tmp_path, now: str) -> tuple[int, dict]:
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    run = cli("audit", "--spec", str(path), "--json", env={"OPENAI_ACCESS_NOW": now})
    return run.code, json.loads(run.stdout)


def differences(report: dict) -> set[tuple[str, str, str, str | None]]:
    return {(p["project_id"], d["kind"], d["member"], d["role_id"]) for p in report["projects"] for d in p["differences"]}


def test_before_the_expiry_the_access_is_declared(cli, emulator, tmp_path):
    # katherine is declared owner of WEB where she is a member: the one difference left
    code, report = audit(cli, tmp_path, "2026-12-19T12:00:00Z")
    assert differences(report) == {(SAMPLE.WEB, "role_differs", "katherine@example.com", None)}
    assert code == 1


def test_after_the_expiry_what_still_exists_is_reported_as_expired(cli, emulator, tmp_path):
    code, report = audit(cli, tmp_path, "2026-12-25T00:00:00Z")
    assert differences(report) == {
        (SAMPLE.WEB, "role_differs", "katherine@example.com", None),
        (SAMPLE.WEB, "expired_member", "alan@example.com", None),
        (SAMPLE.DATA, "expired_extra_role", "edsger@example.com", SAMPLE.VIEWER_ROLE),
    }
    assert report["counts"]["expired_member"] == 1 and report["counts"]["expired_extra_role"] == 1
    alan = next(d for p in report["projects"] for d in p["differences"] if d["kind"] == "expired_member")
    assert alan["declared"] == {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}
    assert code == 1


def test_the_expired_kinds_have_readable_names_in_the_table(cli, emulator, tmp_path):
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    run = cli("audit", "--spec", str(path), env={"OPENAI_ACCESS_NOW": "2026-12-25T00:00:00Z"})
    assert "expired, still a member" in run.stdout and "expired, extra role still assigned" in run.stdout


def test_discover_never_writes_an_expiry(cli, emulator):
    run = cli("discover")
    assert run.code == 0, run.stderr
    assert "expires" not in run.stdout
    assert all("expires" not in team for team in yaml.safe_load(run.stdout)["teams"].values())
