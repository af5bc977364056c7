"""Groups through the real engine: a created group with its users and a project grant carrying
an extra role, an adopted group, an external (SCIM) group granted a project; preview and a
no-op up of 0 requests; drift made outside (a user removed, an extra role unassigned, a grant
removed) seen by refresh and repaired by up; destroy deletes only the created group and never
writes to the external group's users."""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_openai_access.emulator.process import (
    GROUP,
    GROUP_ROLES,
    GROUP_USERS,
    GROUPS,
    PROJECT_GROUPS,
    EmulatorProcess,
)
from pulumi_openai_access.providers.admin_api import AdminClient
from pulumi_openai_access.providers.group import Group
from pulumi_openai_access.providers.group_user import GroupUser
from pulumi_openai_access.providers.project_group import ProjectGroup
from tests.support.engine import EngineStack
from tests.support.groups import GROUP_ORG

VIEWER = "role-api-project-viewer"


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
    assert group_record(emulator, team_id)["users"] == ["user-ada", "user-grace"]
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
    assert group_record(emulator, team_id)["users"] == ["user-ada", "user-grace"]
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
