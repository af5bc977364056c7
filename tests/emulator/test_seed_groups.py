"""The seed's group sections: loaded with every problem named by its path, dumped back by
``/_emulator/state`` in the same form, and a dump fed back as a seed is the same organization."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_openai_access.emulator.seed import SeedError, build_state, dump_state

BASE: dict[str, Any] = {
    "users": [{"id": "user-a", "email": "a@example.com", "name": "A", "role": "reader", "is_scim_managed": True},
              {"id": "user-b", "email": "b@example.com", "name": "B", "role": "reader"}],
    "projects": [{"id": "proj_x", "name": "X"}, {"id": "proj_old", "name": "Old", "status": "archived"}],
}


def seed(**sections: Any) -> dict[str, Any]:
    return {**BASE, **sections}


def test_groups_load_and_dump_in_seed_form(emulator: Any) -> None:
    emulator.reset(seed(
        groups=[{"id": "group_1", "name": "data", "users": ["user-a", "B@example.com"]},
                {"name": "IdP", "is_scim_managed": True}],
        project_groups=[{"project_id": "proj_x", "group_name": "data", "role": "owner"},
                        {"project_id": "proj_x", "group_name": "IdP", "role": "member"}],
        group_role_assignments=[{"project_id": "proj_x", "group_id": "group_1", "role_id": "role-api-project-viewer"}],
    ))
    state = emulator.state()
    idp = state["groups"][1]["id"]
    assert [(g["id"], g["name"], g["is_scim_managed"], g["users"]) for g in state["groups"]] == [
        ("group_1", "data", False, ["user-a", "user-b"]), (idp, "IdP", True, [])]
    assert [(p["group_id"], p["role"]) for p in state["project_groups"]] == [("group_1", "owner"), (idp, "member")]
    assert [(a["group_id"], a["role_id"]) for a in state["group_role_assignments"]] == [
        ("group_1", "role-api-project-viewer")]
    assert state["users"][0]["is_scim_managed"] is True and "is_scim_managed" not in state["users"][1]
    assert dump_state(build_state(state)) == state


def test_a_role_change_by_assignments_dumps_as_the_grant_role(emulator: Any) -> None:
    """A grant's owner/member role is the predefined role its group holds (behaviour.py)."""
    emulator.reset(seed(
        groups=[{"id": "group_1", "name": "data"}],
        project_groups=[{"project_id": "proj_x", "group_id": "group_1", "role": "member"}],
        group_role_assignments=[{"project_id": "proj_x", "group_id": "group_1", "role_id": "role-api-project-owner"}],
    ))
    state = emulator.state()
    assert [p["role"] for p in state["project_groups"]] == ["owner"]
    assert [a["role_id"] for a in state["group_role_assignments"]] == ["role-api-project-member"]
    assert dump_state(build_state(state)) == state


@pytest.mark.parametrize("sections, problem", [
    ({"groups": [{"name": ""}]}, "groups[0].name: must be a non-empty string"),
    ({"groups": [{"name": "x" * 256}]}, "groups[0].name: must be at most 255 characters"),
    ({"groups": [{"name": "g", "users": ["nobody@example.com"]}]}, "groups[0].users[0]: no user 'nobody@example.com'"),
    ({"groups": [{"name": "g", "is_scim_managed": "yes"}]}, "groups[0].is_scim_managed: must be true or false"),
    ({"groups": [{"name": "g"}], "project_groups": [{"project_id": "proj_x", "group_name": "g", "group_id": "x",
                                                      "role": "member"}]},
     "project_groups[0]: give exactly one of 'group_id' and 'group_name'"),
    ({"groups": [{"name": "g"}, {"name": "g"}],
      "project_groups": [{"project_id": "proj_x", "group_name": "g", "role": "member"}]},
     "project_groups[0].group_name: 2 groups are named 'g'"),
    ({"groups": [{"name": "g"}], "project_groups": [{"project_id": "proj_x", "group_name": "g", "role": "admin"}]},
     "project_groups[0].role: must be one of owner, member"),
    ({"groups": [{"name": "g"}], "project_groups": [{"project_id": "proj_old", "group_name": "g", "role": "member"}]},
     "archived projects have no groups"),
    ({"groups": [{"name": "g"}],
      "group_role_assignments": [{"project_id": "proj_x", "group_name": "g", "role_id": "role-api-project-viewer"}]},
     "group_role_assignments[0]: group"),
])
def test_bad_group_seeds_name_the_path(sections: dict[str, Any], problem: str) -> None:
    with pytest.raises(SeedError) as caught:
        build_state(seed(**sections))
    assert any(problem in p for p in caught.value.problems), caught.value.problems
