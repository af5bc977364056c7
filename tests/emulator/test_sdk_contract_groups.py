"""The official openai SDK against the emulator's group endpoints: groups, their users, project
grants and their roles, each driven through ``client.admin.organization...`` and checked on
the typed results the SDK parses (see test_sdk_contract.py for why the SDK is the judge)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization import Group, GroupDeleteResponse, GroupUpdateResponse
from openai.types.admin.organization.groups import (
    OrganizationGroupUser,
    UserCreateResponse,
    UserDeleteResponse,
    UserRetrieveResponse,
)
from openai.types.admin.organization.projects import GroupDeleteResponse as ProjectGroupDeleteResponse
from openai.types.admin.organization.projects import ProjectGroup
from openai.types.admin.organization.projects.groups import (
    RoleCreateResponse,
    RoleDeleteResponse,
    RoleListResponse,
    RoleRetrieveResponse,
)

from pulumi_openai_access.emulator.process import (
    GROUP_USERS,
    GROUPS,
    PROJECT_GROUPS,
    SAMPLE,
    EmulatorProcess,
)
from pulumi_openai_access.providers.admin_api import behaviour

SEED: dict[str, Any] = {
    "users": [{"id": f"user-g{i:02d}", "email": f"g{i:02d}@example.com", "name": f"G {i}", "role": "reader",
               **({"is_scim_managed": True} if i == 0 else {})} for i in range(5)],
    "projects": [{"id": "proj_one", "name": "One"}, {"id": "proj_two", "name": "Two"}],
    "roles": [{"id": "role_custom", "project_id": "proj_one", "name": "Custom", "permissions": ["p"]}],
    "groups": [
        {"id": "group_data", "name": "data", "users": ["user-g01", "g02@example.com"]},
        {"id": "group_idp", "name": "IdP Engineers", "is_scim_managed": True, "users": ["user-g00"]},
    ],
    "project_groups": [{"project_id": "proj_one", "group_name": "data", "role": "member"}],
    "group_role_assignments": [{"project_id": "proj_one", "group_id": "group_data", "role_id": "role_custom"}],
}


@pytest.fixture
def org(emulator: EmulatorProcess) -> Any:
    emulator.reset(SEED)
    client = openai.OpenAI(admin_api_key=emulator.admin_key, api_key="unused", base_url=emulator.base_url,
                           max_retries=0)
    return client.admin.organization


def test_groups_create_retrieve_rename_list_delete(org: Any, emulator: EmulatorProcess) -> None:
    created = org.groups.create(name="platform")
    assert isinstance(created, Group)
    assert created.id.startswith("group_") and (created.name, created.is_scim_managed, created.group_type) == (
        "platform", False, "group")

    assert org.groups.retrieve(created.id).created_at == created.created_at
    renamed = org.groups.update(created.id, name="platform-team")
    assert isinstance(renamed, GroupUpdateResponse) and renamed.name == "platform-team"

    page = org.groups.list(limit=2)
    assert [g.id for g in page.data] == ["group_data", "group_idp"] and page.has_more and page.next
    assert [g.name for g in org.groups.list(limit=2)] == ["data", "IdP Engineers", "platform-team"]
    assert emulator.requests().count("GET", GROUPS) == 1 + 2

    deleted = org.groups.delete(created.id)
    assert isinstance(deleted, GroupDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == ("group.deleted", created.id, True)
    with pytest.raises(openai.NotFoundError):
        org.groups.retrieve(created.id)


def test_group_names_are_checked(org: Any) -> None:
    for name in ("", "x" * (behaviour.GROUP_NAME_MAX_LENGTH + 1)):
        with pytest.raises(openai.BadRequestError) as caught:
            org.groups.create(name=name)
        assert caught.value.param == "name"


def test_group_users_add_retrieve_list_remove(org: Any, emulator: EmulatorProcess) -> None:
    added = org.groups.users.create("group_data", user_id="user-g03")
    assert isinstance(added, UserCreateResponse)
    assert (added.object, added.group_id, added.user_id) == ("group.user", "group_data", "user-g03")

    details = org.groups.users.retrieve("user-g03", group_id="group_data")
    assert isinstance(details, UserRetrieveResponse) and (details.email, details.user_type) == (
        "g03@example.com", "user")

    # The users list is newest first by default (spec), and pages with `next`.
    listed = list(org.groups.users.list("group_data", limit=2))
    assert all(isinstance(u, OrganizationGroupUser) for u in listed)
    assert [u.id for u in listed] == ["user-g03", "user-g02", "user-g01"]
    assert [u.id for u in org.groups.users.list("group_data", order="asc")] == ["user-g01", "user-g02", "user-g03"]
    assert emulator.requests().count("GET", GROUP_USERS) == 2 + 1

    with pytest.raises(openai.BadRequestError) as caught:
        org.groups.users.create("group_data", user_id="user-g03")
    assert behaviour.ALREADY_IN_GROUP_FRAGMENT in caught.value.message

    removed = org.groups.users.delete("user-g03", group_id="group_data")
    assert isinstance(removed, UserDeleteResponse) and (removed.object, removed.deleted) == ("group.user.deleted", True)
    with pytest.raises(openai.NotFoundError):
        org.groups.users.delete("user-g03", group_id="group_data")


def test_scim_managed_groups_refuse_every_write_but_project_grants(org: Any) -> None:
    assert org.groups.retrieve("group_idp").is_scim_managed is True
    assert org.users.retrieve("user-g00").is_scim_managed is True
    writes = (
        lambda: org.groups.update("group_idp", name="renamed"),
        lambda: org.groups.delete("group_idp"),
        lambda: org.groups.users.create("group_idp", user_id="user-g04"),
        lambda: org.groups.users.delete("user-g00", group_id="group_idp"),
    )
    for write in writes:
        with pytest.raises(openai.BadRequestError) as caught:
            write()
        assert behaviour.SCIM_MANAGED_FRAGMENT in caught.value.message
    granted = org.projects.groups.create("proj_two", group_id="group_idp", role=SAMPLE.OWNER_ROLE)
    assert granted.group_name == "IdP Engineers"


def test_project_groups_add_retrieve_list_remove(org: Any, emulator: EmulatorProcess) -> None:
    granted = org.projects.groups.create("proj_two", group_id="group_data", role=SAMPLE.OWNER_ROLE)
    assert isinstance(granted, ProjectGroup)
    assert (granted.object, granted.project_id, granted.group_id, granted.group_name, granted.group_type) == (
        "project.group", "proj_two", "group_data", "data", "group")

    fetched = org.projects.groups.retrieve("group_data", project_id="proj_two", group_type="group")
    assert fetched.created_at == granted.created_at
    org.projects.groups.create("proj_two", group_id="group_idp", role=SAMPLE.MEMBER_ROLE)
    assert [g.group_id for g in org.projects.groups.list("proj_two", limit=1)] == ["group_data", "group_idp"]
    assert emulator.requests().count("GET", PROJECT_GROUPS) == 2
    with pytest.raises(openai.BadRequestError) as caught:
        org.projects.groups.list("proj_two", limit=behaviour.PROJECT_GROUP_PAGE_MAX + 1)
    assert caught.value.param == "limit"

    with pytest.raises(openai.BadRequestError) as caught:
        org.projects.groups.create("proj_two", group_id="group_data", role=SAMPLE.MEMBER_ROLE)
    assert behaviour.ALREADY_MEMBER_FRAGMENT in caught.value.message

    removed = org.projects.groups.delete("group_data", project_id="proj_two")
    assert isinstance(removed, ProjectGroupDeleteResponse) and removed.object == "project.group.deleted"
    with pytest.raises(openai.NotFoundError):
        org.projects.groups.retrieve("group_data", project_id="proj_two")


def test_project_group_roles_list_assign_retrieve_unassign(org: Any) -> None:
    roles = org.projects.groups.roles
    # The grant's own role is listed among its roles (behaviour.py), with the extra one.
    listed = list(roles.list("group_data", project_id="proj_one"))
    assert all(isinstance(r, RoleListResponse) for r in listed)
    assert [r.id for r in listed] == [SAMPLE.MEMBER_ROLE, "role_custom"]
    assert all(r.assignment_sources is None for r in listed)

    created = roles.create("group_data", project_id="proj_one", role_id=SAMPLE.VIEWER_ROLE)
    assert isinstance(created, RoleCreateResponse)
    assert (created.object, created.group.id, created.group.scim_managed, created.role.id) == (
        "group.role", "group_data", False, SAMPLE.VIEWER_ROLE)
    fetched = roles.retrieve(SAMPLE.VIEWER_ROLE, project_id="proj_one", group_id="group_data")
    assert isinstance(fetched, RoleRetrieveResponse) and fetched.name == "Viewer"

    with pytest.raises(openai.BadRequestError):
        roles.create("group_data", project_id="proj_one", role_id=SAMPLE.VIEWER_ROLE)
    with pytest.raises(openai.BadRequestError):  # no grant in proj_two yet
        roles.create("group_data", project_id="proj_two", role_id=SAMPLE.VIEWER_ROLE)

    deleted = roles.delete(SAMPLE.VIEWER_ROLE, project_id="proj_one", group_id="group_data")
    assert isinstance(deleted, RoleDeleteResponse) and (deleted.object, deleted.deleted) == ("group.role.deleted", True)
    with pytest.raises(openai.NotFoundError):
        roles.retrieve(SAMPLE.VIEWER_ROLE, project_id="proj_one", group_id="group_data")


def test_group_access_is_not_listed_as_membership(org: Any) -> None:
    """behaviour.GROUP_USERS_LISTED_AS_PROJECT_USERS / GROUP_ROLES_LISTED_FOR_USERS: a group's
    users reach the project through the group only, invisible to the project users routes."""
    assert not behaviour.GROUP_USERS_LISTED_AS_PROJECT_USERS and not behaviour.GROUP_ROLES_LISTED_FOR_USERS
    assert [u.id for u in org.projects.users.list("proj_one")] == []
    with pytest.raises(openai.NotFoundError):
        org.projects.users.retrieve("user-g01", project_id="proj_one")
    assert list(org.projects.users.roles.list("user-g01", project_id="proj_one")) == []
