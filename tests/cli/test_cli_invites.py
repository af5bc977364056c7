"""``discover`` lists pending invites as a comment block (never declared); ``audit`` reports a
declared person whose invite is pending as pending, not missing, and one whose invite lapsed
as missing."""

from __future__ import annotations

import json

import yaml

from pulumi_openai_access.emulator.process import SAMPLE

SPEC = {"invite": True, "teams": {
    "web": {"members": ["ada@example.com", "alan@example.com", "katherine@example.com", "new@example.com",
                        "late@example.com"],
            "grants": {SAMPLE.WEB: "member"}}}}


def seed_invites(emulator) -> None:
    seed = emulator.state()
    seed["invites"] = [
        {"id": "invite-New", "email": "new@example.com", "role": "reader",
         "projects": [{"id": SAMPLE.WEB, "role": "member"}], "expires_at": 1893456000},
        {"id": "invite-Late", "email": "late@example.com", "role": "reader", "status": "expired"},
    ]
    emulator.reset(seed)


def test_discover_lists_pending_invites_as_comments(cli, emulator):
    seed_invites(emulator)
    run = cli("discover")
    assert run.code == 0, run.stderr
    assert (f"#   new@example.com: reader in {SAMPLE.WEB} (member)  # invite-New, expires 2030-01-01T00:00:00Z"
            in run.stdout.splitlines())
    assert "late@example.com" not in run.stdout  # expired: no longer an invite anyone can accept
    spec = yaml.safe_load(run.stdout)
    assert "new@example.com" not in json.dumps(spec)  # listed, never declared
    assert "1 pending invites listed as comments" in run.stderr


def test_audit_reports_a_pending_person_as_pending_and_a_lapsed_one_as_missing(cli, emulator, tmp_path):
    seed_invites(emulator)
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    run = cli("audit", "--spec", str(path), "--json")
    report = json.loads(run.stdout)
    [web] = [p for p in report["projects"] if p["project_id"] == SAMPLE.WEB]
    assert web["pending_invites"] == [{"member": "new@example.com", "invite_id": "invite-New", "expires_at": 1893456000}]
    kinds = {(d["kind"], d["member"]) for d in web["differences"]}
    assert ("missing_member", "late@example.com") in kinds
    assert not any(member == "new@example.com" for _, member in kinds)
    assert "pending, invited and not joined yet: new@example.com" in run.stderr
    assert run.code == 1  # late@example.com is missing


def test_only_pending_people_is_in_sync(cli, emulator, tmp_path):
    seed_invites(emulator)
    spec = {"invite": True, "teams": {"web": {"members": ["ada@example.com", "alan@example.com",
                                                          "katherine@example.com", "new@example.com"],
                                              "grants": {SAMPLE.WEB: "member"}}}}
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(spec))
    run = cli("audit", "--spec", str(path))
    # ada is the project's owner, declared member: role_differs; nobody is missing
    assert "missing member" not in run.stdout
    assert "pending, invited and not joined yet: new@example.com" in run.stdout
