"""The client's group endpoints against the emulator: the lifecycle through the same transport,
the typed errors, and writes whose outcome is unknown never applied twice."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_openai_access.emulator.process import GROUP_USERS, GROUPS, PROJECT_GROUPS, SAMPLE, Fault
from pulumi_openai_access.emulator.api import GROUP_ROLES
from pulumi_openai_access.providers.admin_api import (
    AlreadyInGroupError,
    AmbiguousWriteError,
    NotFoundError,
    ScimManagedGroupError,
)
from tests.support.client import client_for

SEED: dict[str, Any] = {
    "users": [{"id": f"user-c{i}", "email": f"c{i}@example.com", "name": f"C {i}", "role": "reader"}
              for i in range(3)],
    "projects": [{"id": "proj_p", "name": "P"}],
    "groups": [{"id": "group_idp", "name": "IdP", "is_scim_managed": True, "users": ["user-c0"]}],
}


@pytest.fixture
def client(emulator: Any) -> Any:
    emulator.reset(SEED)
    return client_for(emulator)


def test_group_lifecycle(client: Any, emulator: Any) -> None:
    group = client.create_group("team")
    assert (group.name, group.is_scim_managed, group.group_type) == ("team", False, "group")
    client.add_group_user(group.id, "user-c1")
    client.add_group_user(group.id, "user-c2")
    assert sorted(u.id for u in client.list_group_users(group.id)) == ["user-c1", "user-c2"]
    assert client.rename_group(group.id, "team-2").name == "team-2"

    granted = client.add_project_group("proj_p", group.id, SAMPLE.MEMBER_ROLE)
    assert (granted.project_id, granted.group_id, granted.group_name) == ("proj_p", group.id, "team-2")
    client.assign_project_group_role("proj_p", group.id, SAMPLE.VIEWER_ROLE)
    assert [r.id for r in client.list_project_group_roles("proj_p", group.id)] == [SAMPLE.MEMBER_ROLE, SAMPLE.VIEWER_ROLE]
    client.unassign_project_group_role("proj_p", group.id, SAMPLE.VIEWER_ROLE)
    assert [g.group_id for g in client.list_project_groups("proj_p")] == [group.id]

    client.remove_group_user(group.id, "user-c2")
    client.remove_project_group("proj_p", group.id)
    with pytest.raises(NotFoundError):
        client.get_project_group("proj_p", group.id)
    client.delete_group(group.id)
    assert [g.id for g in client.list_groups()] == ["group_idp"]
    assert emulator.state()["group_role_assignments"] == [] and emulator.state()["project_groups"] == []


def test_typed_errors(client: Any) -> None:
    with pytest.raises(ScimManagedGroupError):
        client.add_group_user("group_idp", "user-c1")
    with pytest.raises(ScimManagedGroupError):
        client.rename_group("group_idp", "x")
    group = client.create_group("team")
    client.add_group_user(group.id, "user-c1")
    with pytest.raises(AlreadyInGroupError):
        client.add_group_user(group.id, "user-c1")
    with pytest.raises(NotFoundError):
        client.remove_group_user(group.id, "user-c2")


@pytest.mark.parametrize("route", [GROUPS, GROUP_USERS, PROJECT_GROUPS, GROUP_ROLES])
def test_a_lost_answer_never_applies_a_write_twice(client: Any, emulator: Any, route: str) -> None:
    """The answer is dropped after the write applied: the retry reads it back instead."""
    group = client.create_group("team")
    client.add_project_group("proj_p", group.id, SAMPLE.MEMBER_ROLE)
    emulator.set_faults(Fault("POST", route, "drop_after"))
    {
        GROUPS: lambda: client.create_group("other"),
        GROUP_USERS: lambda: client.add_group_user(group.id, "user-c1"),
        PROJECT_GROUPS: lambda: client.add_project_group("proj_p", "group_idp", SAMPLE.OWNER_ROLE),
        GROUP_ROLES: lambda: client.assign_project_group_role("proj_p", group.id, SAMPLE.VIEWER_ROLE),
    }[route]()
    state = emulator.state()
    assert [g["name"] for g in state["groups"]] == ["IdP", "team", "other"][: 3 if route == GROUPS else 2]
    assert len(state["groups"][1]["users"]) == (1 if route == GROUP_USERS else 0)
    assert len(state["project_groups"]) == (2 if route == PROJECT_GROUPS else 1)
    assert len(state["group_role_assignments"]) == (1 if route == GROUP_ROLES else 0)


def test_two_new_groups_of_one_name_while_unknown_is_ambiguous(client: Any, emulator: Any) -> None:
    """Someone made a group of the same name since the caller's listing: nothing tells which is ours."""
    client.create_group("twice")
    emulator.set_faults(Fault("POST", GROUPS, "drop_after"))
    with pytest.raises(AmbiguousWriteError):
        client.create_group("twice", known=[])
    assert [g["name"] for g in emulator.state()["groups"]].count("twice") == 2
