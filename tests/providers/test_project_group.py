"""``ProjectGroupProvider`` against the emulator: the grant sent with the predefined role id,
extra roles managed like ``ProjectUser.roles``, a role change in place without a gap, drift,
take-over, and removal of the grant only (never the group's users)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import GROUP_ROLES, PROJECT_GROUPS
from tests.support.groups import checked, out_of_band
from tests.support.providers import ConfiguredProviders

OWNER, MEMBER, VIEWER = "role-api-project-owner", "role-api-project-member", "role-api-project-viewer"


def grants(emulator) -> dict[tuple[str, str], str]:
    return {(p["project_id"], p["group_id"]): p["role"] for p in emulator.state()["project_groups"]}


def extra_roles(emulator, project_id: str, group_id: str) -> list[str]:
    return [a["role_id"] for a in emulator.state()["group_role_assignments"]
            if (a["project_id"], a["group_id"]) == (project_id, group_id)]


def grant(providers, **inputs):
    provider = providers.project_group
    return provider.create(checked(provider, inputs))


def test_grant_with_extra_roles_is_one_write_each(group_providers, emulator):
    created = grant(group_providers, project_id="proj_data", group_id="group_hand", role="member",
                    roles=["role_analyst"])
    assert created.id == "proj_data/group_hand" and created.outs["group_name"] == "hand-made"
    assert grants(emulator) == {("proj_data", "group_hand"): "member"}
    assert extra_roles(emulator, "proj_data", "group_hand") == ["role_analyst"]
    counts = emulator.requests()
    assert (counts.count("POST", PROJECT_GROUPS), counts.count("POST", GROUP_ROLES), len(counts.writes)) == (1, 1, 2)


def test_scim_groups_can_be_granted(group_providers, emulator):
    grant(group_providers, project_id="proj_web", group_id="group_idp", role="owner")
    assert grants(emulator) == {("proj_web", "group_idp"): "owner"}


def test_role_change_in_place_assigns_before_unassigning(group_providers, emulator):
    provider = group_providers.project_group
    created = grant(group_providers, project_id="proj_data", group_id="group_hand", role="member")
    news = checked(provider, {"project_id": "proj_data", "group_id": "group_hand", "role": "owner",
                              "roles": [VIEWER]})
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    emulator.reset(emulator.state(), keep_counters=False)
    provider.update(created.id, created.outs, news)
    assert grants(emulator) == {("proj_data", "group_hand"): "owner"}
    assert extra_roles(emulator, "proj_data", "group_hand") == [VIEWER]  # not the grant's own role
    roles = "/projects/proj_data/groups/group_hand/roles"
    assert [(w["method"], w["path"]) for w in emulator.requests().writes] == [
        ("POST", roles), ("DELETE", f"{roles}/{MEMBER}"), ("POST", roles)]


def test_refresh_sees_drift_and_update_repairs_it(group_providers, emulator):
    provider = group_providers.project_group
    created = grant(group_providers, project_id="proj_data", group_id="group_hand", role="member",
                    roles=["role_analyst"])
    out_of_band(emulator, "DELETE", "/projects/proj_data/groups/group_hand/roles/role_analyst")
    ConfiguredProviders.new_process()
    read = provider.read(created.id, created.outs)
    assert read.inputs["roles"] == [] and read.inputs["role"] == "member"
    provider.update(created.id, read.outs, created.outs)
    assert extra_roles(emulator, "proj_data", "group_hand") == ["role_analyst"]

    out_of_band(emulator, "DELETE", "/organization/projects/proj_data/groups/group_hand")
    ConfiguredProviders.new_process()
    assert provider.read(created.id, created.outs).id == ""


def test_delete_removes_the_grant_never_the_users(group_providers, emulator):
    created = grant(group_providers, project_id="proj_data", group_id="group_hand", role="member")
    group_providers.project_group.delete(created.id, created.outs)
    assert grants(emulator) == {}
    assert next(g["users"] for g in emulator.state()["groups"] if g["id"] == "group_hand") == ["user-alan"]


def test_an_existing_grant_is_taken_over_only_as_declared_or_adopted(group_providers, emulator):
    out_of_band(emulator, "POST", "/organization/projects/proj_data/groups", group_id="group_hand", role=OWNER)
    with pytest.raises(ValueError, match="already has access to project proj_data with role 'owner'.*adopt=True"):
        grant(group_providers, project_id="proj_data", group_id="group_hand", role="member")
    same = grant(group_providers, project_id="proj_data", group_id="group_hand", role="owner")
    assert same.id == "proj_data/group_hand"
    grant(group_providers, project_id="proj_data", group_id="group_hand", role="member", adopt=True)
    assert grants(emulator) == {("proj_data", "group_hand"): "member"}
    assert extra_roles(emulator, "proj_data", "group_hand") == []


@pytest.mark.parametrize("inputs, prop", [
    ({"project_id": "proj_data", "group_id": "group_hand", "role": "admin"}, "role"),
    ({"project_id": "proj_data", "group_id": "", "role": "member"}, "group_id"),
    ({"project_id": "proj_data", "group_id": "group_hand", "role": "member", "roles": ["admin"]}, "roles"),
])
def test_bad_inputs_fail_check(group_providers, inputs, prop):
    assert [f.property for f in group_providers.project_group.check({}, inputs).failures] == [prop]
