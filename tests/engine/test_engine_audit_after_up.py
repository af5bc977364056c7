"""After a successful ``up`` of a spec, ``audit`` of that spec exits 0 (issue 18): the
exclusive project's organization owner is kept by the rail, the other project's undeclared
members are left alone, and the adopted memberships match."""

from __future__ import annotations

import json

import yaml

from pulumi_openai_access.emulator.process import SAMPLE

SPEC = {
    "adopt": True,
    "exclusive": [SAMPLE.WEB],
    "teams": {
        # WEB without ada (organization owner: the rail keeps her) and without katherine (removed).
        "web": {"members": [SAMPLE.ALAN], "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}}},
        # DATA, not exclusive: barbara added, the others left alone.
        "data": {"members": ["barbara@example.com"], "grants": {SAMPLE.DATA: {"role": "member",
                                                                               "roles": [SAMPLE.VIEWER_ROLE]}}},
    },
}


def test_audit_of_the_spec_just_applied_exits_0(engine_stack, emulator, cli, tmp_path):
    stack = engine_stack("audited", spec=SPEC)
    applied = stack.up()
    assert not applied.failed, applied.errors
    spec = tmp_path / "access.yaml"
    spec.write_text(yaml.safe_dump(SPEC))

    run = cli("audit", "--spec", str(spec), "--json")

    assert run.code == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    web = next(p for p in report["projects"] if p["project_id"] == SAMPLE.WEB)
    data = next(p for p in report["projects"] if p["project_id"] == SAMPLE.DATA)
    assert [k["user_id"] for k in web["kept"]] == [SAMPLE.ADA]
    assert {d["user_id"] for d in data["information"]} == {SAMPLE.GRACE, SAMPLE.KATHERINE, SAMPLE.EDSGER}
    assert cli("audit", "--spec", str(spec), "--strict").code == 1  # the left-alone members, counted
