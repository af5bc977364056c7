"""Groups through the real engine: a created group with its users and a project grant carrying
an extra role, an adopted group, an external (SCIM) group granted a project; preview and a
no-op up of 0 requests; drift made outside (a user removed, an extra role unassigned, a grant
removed) seen by refresh and repaired by up; destroy deletes only the created group and never
writes to the external group's users."""

from __future__ import annotations

from typing import Any

import pulumi
import yaml

from pulumi_openai_access.emulator.process import (
    GROUP,
    GROUP_ROLES,
    GROUP_USERS,
    GROUPS,
    PROJECT_GROUP,
    PROJECT_GROUPS,
    EmulatorProcess,
)
from pulumi_openai_access.providers.admin_api import AdminClient
from pulumi_openai_access.providers.group import Group
from pulumi_openai_access.providers.group_user import GroupUser
from pulumi_openai_access.providers.project_group import ProjectGroup
from tests.support.engine import EngineStack
from tests.support.groups import GROUP_ORG, GROUPS_IN_USE

VIEWER, OWNER = "role-api-project-viewer", "role-api-project-owner"


def program() -> None:
    team = Group("data-team", name="data-team")
    for person in ("ada", "grace"):
        GroupUser(f"data-team/{person}", group_id=team.group_id, email=f"{person}@example.com")
    ProjectGroup("data-team/proj_data", project_id="proj_data", group_id=team.group_id, role="member", roles=[VIEWER])
    adopted = Group("hand-made", name="hand-made", adopt=True)
    GroupUser("hand-made/alan", group_id=adopted.group_id, user_id="user-alan")
    external = Group("ml", name="ML Engineers", external=True)
    ProjectGroup("ml/proj_web", project_id="proj_web", group_id=external.group_id, role="owner")
    pulumi.export("team_id", team.group_id)


def group_record(emulator: EmulatorProcess, group_id: str) -> dict[str, Any] | None:
    return next((g for g in emulator.state()["groups"] if g["id"] == group_id), None)


def grants(emulator: EmulatorProcess) -> dict[tuple[str, str], str]:
    return {(p["project_id"], p["group_id"]): p["role"] for p in emulator.state()["project_groups"]}


def extra_roles(emulator: EmulatorProcess) -> set[tuple[str, str, str]]:
    return {(a["project_id"], a["group_id"], a["role_id"]) for a in emulator.state()["group_role_assignments"]}


def test_groups_from_nothing_through_drift_to_destroy(engine_stack, emulator):
    emulator.reset(GROUP_ORG)
    stack: EngineStack = engine_stack("groups", extra=program)

    preview = stack.preview()
    assert preview.requests.total == 0 and preview.changes.get("create") == 9  # the stack and 8 resources

    up = stack.up()
    team_id = up.outputs["team_id"]
    # The minimum: 1 group, 2 user adds (alan is in the adopted group already), 2 grants, 1 extra role.
    assert up.requests.writes() == {f"POST {GROUPS}": 1, f"POST {GROUP_USERS}": 2, f"POST {PROJECT_GROUPS}": 2,
                                    f"POST {GROUP_ROLES}": 1}
    assert sorted(group_record(emulator, team_id)["users"]) == ["user-ada", "user-grace"]
    assert grants(emulator) == {("proj_data", team_id): "member", ("proj_web", "group_idp"): "owner"}
    assert extra_roles(emulator) == {("proj_data", team_id, VIEWER)}
    assert stack.preview().requests.total == 0
    assert stack.up().requests.total == 0

    # Drift made outside: refresh sees it, up repairs it with one write each.
    client = AdminClient(emulator.admin_key, emulator.base_url)
    client.remove_group_user(team_id, "user-grace")
    client.unassign_project_group_role("proj_data", team_id, VIEWER)
    client.remove_project_group("proj_web", "group_idp")
    stack.refresh()
    repaired = stack.up()
    assert repaired.requests.writes() == {f"POST {GROUP_USERS}": 1, f"POST {GROUP_ROLES}": 1,
                                          f"POST {PROJECT_GROUPS}": 1}
    assert sorted(group_record(emulator, team_id)["users"]) == ["user-ada", "user-grace"]
    assert grants(emulator) == {("proj_data", team_id): "member", ("proj_web", "group_idp"): "owner"}
    assert extra_roles(emulator) == {("proj_data", team_id, VIEWER)}

    destroyed = stack.destroy()
    assert group_record(emulator, team_id) is None
    assert destroyed.requests.count("DELETE", GROUP) == 1
    # The adopted group is released (its user, managed by the stack, removed); the external one untouched.
    assert group_record(emulator, "group_hand")["users"] == []
    assert group_record(emulator, "group_idp")["users"] == ["user-edsger"]
    assert not [w for w in emulator.requests().writes if w["path"].startswith("/organization/groups/group_idp")]
    assert grants(emulator) == {}


PER_PERSON = {"teams": {"data": {"members": ["ada@example.com", "grace@example.com"],
                                 "grants": {"proj_data": {"role": "member", "roles": [VIEWER]}}}}}
AS_GROUP = {"teams": {"data": {"group": "data-team", "members": ["ada@example.com", "grace@example.com"],
                               "grants": {"proj_data": {"role": "member", "roles": [VIEWER]}}}}}


def access_gaps(writes: list[dict[str, Any]]) -> list[str]:
    """Removals of one kind of access made before the other kind was complete."""
    def last(predicate) -> int:
        return max((i for i, w in enumerate(writes) if predicate(w)), default=-1)

    def first(predicate) -> int:
        return min((i for i, w in enumerate(writes) if predicate(w)), default=len(writes))

    grants = last(lambda w: w["method"] == "POST" and w["path"].startswith(("/organization/groups",
                                                                              "/organization/projects/proj_data/")))
    removals = first(lambda w: w["method"] == "DELETE")
    return [] if grants < removals else [f"a DELETE at {removals} before the last grant at {grants}: {writes}"]


def test_switching_a_team_to_a_group_and_back_leaves_no_gap(engine_stack, emulator):
    emulator.reset(GROUP_ORG)
    stack: EngineStack = engine_stack("switch", spec=PER_PERSON)
    stack.up()
    assert {m["user_id"] for m in emulator.state()["memberships"]} == {"user-ada", "user-grace"}

    stack.spec = AS_GROUP
    emulator.reset(emulator.state())  # the same organization, the write log started afresh
    to_group = stack.up()
    writes = emulator.requests().writes
    assert access_gaps(writes) == []
    assert [w["method"] for w in writes].count("DELETE") == 2  # the two memberships, removed last
    (group,) = [g for g in emulator.state()["groups"] if g["name"] == "data-team"]
    assert sorted(group["users"]) == ["user-ada", "user-grace"] and emulator.state()["memberships"] == []
    assert to_group.changes == {"create": 4, "delete": 2, "same": 2}
    assert stack.up().requests.total == 0

    stack.spec = PER_PERSON
    emulator.reset(emulator.state())
    stack.up()
    writes = emulator.requests().writes
    assert access_gaps(writes) == []
    assert {m["user_id"] for m in emulator.state()["memberships"]} == {"user-ada", "user-grace"}
    assert [g["name"] for g in emulator.state()["groups"]] == ["ML Engineers", "hand-made"]


def test_a_group_team_over_a_scim_group_fails_naming_it(engine_stack, emulator):
    emulator.reset(GROUP_ORG)
    spec = {"teams": {"ml": {"group": "ML Engineers", "members": ["ada@example.com"], "grants": {"proj_web": "member"}}}}
    stack: EngineStack = engine_stack("scim", spec=spec)
    failed = stack.up(expect_failure=True)
    assert "'ML Engineers' (group_idp) is managed by the identity provider" in failed.everything
    assert "use external_group" in failed.everything
    assert failed.requests.writes() == {}


def test_a_discovered_organization_with_groups_comes_under_code_with_no_write(cli, engine_stack, emulator, tmp_path):
    emulator.reset(GROUPS_IN_USE)
    state = emulator.state()
    spec_file = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec_file)).code == 0
    stack: EngineStack = engine_stack("discovered", spec=yaml.safe_load(spec_file.read_text()))

    adopting = stack.up()
    assert adopting.requests.writes() == {}
    assert emulator.state() == state
    assert len(stack.resources("pulumi-python:dynamic/openai:ProjectGroup")) == 2
    assert stack.up().requests.total == 0
    assert cli("audit", "--spec", str(spec_file)).code == 0


def test_an_exclusive_project_removes_an_undeclared_group_grant_never_its_users(engine_stack, emulator):
    emulator.reset(GROUPS_IN_USE)
    spec = {"adopt": True, "exclusive": ["proj_web"],
            "teams": {"web": {"members": ["grace@example.com"], "grants": {"proj_web": "member"}},
                      "hand": {"group": "hand-made", "members": ["alan@example.com"],
                               "grants": {"proj_web": "member", "proj_data": {"role": "member",
                                                                              "roles": ["role_analyst"]}}}}}
    stack: EngineStack = engine_stack("exclusive-groups", spec=spec)

    up = stack.up()
    assert up.requests.writes() == {f"POST {PROJECT_GROUPS}": 1, f"DELETE {PROJECT_GROUP}": 1}
    assert grants(emulator) == {("proj_data", "group_hand"): "member", ("proj_web", "group_hand"): "member"}
    assert group_record(emulator, "group_idp")["users"] == ["user-edsger"]  # the group's users untouched
    assert stack.up().requests.writes() == {}

    # Granted again outside: the refreshed preview names it; over max_removals nothing goes.
    AdminClient(emulator.admin_key, emulator.base_url).add_project_group("proj_web", "group_idp", OWNER)
    stack.refresh()
    assert "ML Engineers (owner)" in stack.preview().everything
    stack.spec = {**spec, "max_removals": 0}
    failed = stack.up(expect_failure=True)
    assert "more than max_removals=0" in failed.everything and "the grant of group ML Engineers" in failed.everything
    assert ("proj_web", "group_idp") in grants(emulator)
