"""``openai-access audit`` with groups: a group-team's grant, role, extra roles and users
compared with the live group, and a group grant the spec does not declare reported as that
group's grant (which group, which role), never as its users one by one."""

from __future__ import annotations

import json

import yaml

from tests.support.groups import GROUPS_IN_USE


def differences(run, part: str = "differences") -> dict[str, list[tuple]]:
    document = json.loads(run.stdout)
    return {p["project_id"]: sorted((d["kind"], d["member"], d["role_id"], d["group"]) for d in p[part])
            for p in document["projects"]}


def test_a_discovered_spec_audits_in_sync_and_drift_shows_per_group(cli, emulator, tmp_path):
    emulator.reset(GROUPS_IN_USE)
    spec_file = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec_file)).code == 0
    assert cli("audit", "--spec", str(spec_file)).code == 0

    spec = yaml.safe_load(spec_file.read_text())
    del spec["teams"]["ml-engineers"]  # the SCIM group's grant is no longer declared
    spec["teams"]["hand-made"] = {"group": "hand-made", "members": ["alan@example.com", "grace@example.com"],
                                  "grants": {"proj_data": {"role": "owner", "roles": ["role-api-project-viewer"]}}}
    spec_file.write_text(yaml.safe_dump(spec))
    run = cli("audit", "--spec", str(spec_file), "--json")
    assert run.code == 1, run.stderr
    found, information = differences(run), differences(run, "information")
    assert found["proj_data"] == sorted([
        ("group_role_differs", "group hand-made", None, "hand-made"),
        ("missing_group_extra_role", "group hand-made", "role-api-project-viewer", "hand-made"),
        ("missing_group_user", "grace@example.com", None, "hand-made"),
    ])
    # What up leaves alone is information: an extra role given outside, and (outside an
    # exclusive project) another group's grant. Edsger reaches proj_web through the SCIM group:
    # one line for the group, none for him.
    assert information["proj_data"] == [("undeclared_group_extra_role", "group hand-made", "role_analyst", "hand-made")]
    assert found["proj_web"] == [] and information["proj_web"] == [
        ("undeclared_group_grant", "group ML Engineers", None, "ML Engineers")]
    strict = differences(cli("audit", "--spec", str(spec_file), "--json", "--strict"))
    assert ("undeclared_group_grant", "group ML Engineers", None, "ML Engineers") in strict["proj_web"]
    spec["exclusive"] = ["proj_web"]  # up would remove that grant: a difference
    spec_file.write_text(yaml.safe_dump(spec))
    exclusive = differences(cli("audit", "--spec", str(spec_file), "--json"))
    assert exclusive["proj_web"] == [("undeclared_group_grant", "group ML Engineers", None, "ML Engineers")]
    table = cli("audit", "--spec", str(spec_file)).stdout
    assert "undeclared group grant" in table and "missing from the group hand-made" in table
