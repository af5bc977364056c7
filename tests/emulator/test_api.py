"""The emulator's /v1 behaviour over real HTTP: shapes, validation, errors and pagination.

The statuses and messages for cases no public source confirms come from ``behaviour``;
these tests hold the emulator to them, since the client recognises errors by them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from pulumi_openai_access.providers.admin_api import behaviour
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess

Call = Callable[..., requests.Response]
PROJ_ARCHIVED = "proj_Archived00000000000000000"


@pytest.fixture
def call(emulator: EmulatorProcess) -> Call:
    """``call("GET", "/organization/users", params=...)`` against /v1 with the admin key."""

    def do(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**emulator.auth_headers, **kwargs.pop("headers", {})}
        return requests.request(method, emulator.base_url + path, headers=headers, timeout=10, **kwargs)

    return do


def assert_error(response: requests.Response, status: int, *, fragment: str = "", param: str | None = None) -> dict:
    """An error answer: the status, OpenAI's envelope with all 4 keys, and a request id."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert fragment in error["message"]
    assert error["param"] == param
    assert re.fullmatch(r"req_[0-9a-f]+", response.headers["x-request-id"])
    return error


def users_seed(count: int, *, members_of: str | None = None) -> dict[str, Any]:
    """An organization with ``count`` users (user-u00…), optionally all members of a project."""
    users = [{"id": f"user-u{i:02d}", "email": f"u{i:02d}@example.com", "name": f"User {i}", "role": "reader"}
             for i in range(count)]
    seed: dict[str, Any] = {"users": users, "projects": [{"id": "proj_one", "name": "One"}]}
    if members_of:
        seed["memberships"] = [{"project_id": members_of, "user_id": u["id"], "role": "member"} for u in users]
    return seed


# --- headers, authentication, routing -----------------------------------------------------------

def test_every_response_has_a_distinct_request_id(emulator: EmulatorProcess, call: Call) -> None:
    responses = [
        call("GET", "/organization/users"),
        call("GET", f"/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.BARBARA}"),
        requests.get(emulator.base_url + "/organization/users", timeout=10),
        requests.get(emulator.root_url + "/_emulator/requests", timeout=10),
        call("GET", "/no/such/route"),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert [r.status_code for r in responses] == [200, 404, 401, 200, 404]
    assert all(re.fullmatch(r"req_[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer sk-admin-wrong-secret", "Basic sk-admin-emulator"])
def test_missing_or_wrong_bearer_is_401_without_echoing_the_key(emulator: EmulatorProcess,
                                                                 authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = requests.get(emulator.base_url + "/organization/users", headers=headers, timeout=10)
    error = assert_error(response, behaviour.AUTH_FAILED_STATUS)
    assert error["code"] == behaviour.AUTH_FAILED_CODE
    assert "wrong-secret" not in response.text and "sk-admin" not in response.text


def test_organization_and_stainless_headers_are_ignored(call: Call) -> None:
    response = call("GET", f"/organization/users/{SAMPLE.ADA}", headers={
        "OpenAI-Organization": "org-somebody-else", "OpenAI-Project": "proj_other",
        "X-Stainless-Retry-Count": "0", "X-Stainless-Lang": "python",
    })
    assert response.status_code == 200
    assert response.json()["id"] == SAMPLE.ADA


@pytest.mark.parametrize("method, path", [
    ("GET", "/organization/nothing"), ("PUT", "/organization/users"), ("GET", "//organization/users"),
])
def test_unknown_route_or_method_is_404_invalid_url(call: Call, method: str, path: str) -> None:
    assert_error(call(method, path), 404, fragment=f"Invalid URL ({method} /v1{path})")


# --- project users: shapes and the happy path ---------------------------------------------------

def test_list_project_users_has_the_first_last_id_envelope(call: Call) -> None:
    body = call("GET", f"/organization/projects/{SAMPLE.WEB}/users").json()
    assert body == {
        "object": "list",
        "data": body["data"],
        "first_id": SAMPLE.ADA,
        "last_id": SAMPLE.KATHERINE,
        "has_more": False,
    }
    assert [(u["id"], u["role"]) for u in body["data"]] == [
        (SAMPLE.ADA, "owner"), (SAMPLE.ALAN, "member"), (SAMPLE.KATHERINE, "member")]
    first = body["data"][0]
    assert set(first) == {"object", "id", "name", "email", "role", "added_at"}
    assert (first["object"], first["email"], first["name"]) == ("organization.project.user", "ada@example.com",
                                                                "Ada Lovelace")
    assert isinstance(first["added_at"], int)


def test_add_by_user_id_then_retrieve_update_and_delete(call: Call) -> None:
    base = f"/organization/projects/{SAMPLE.DATA}/users"
    added = call("POST", base, json={"user_id": SAMPLE.BARBARA, "role": "member"})
    assert added.status_code == 200
    assert added.json()["id"] == SAMPLE.BARBARA and added.json()["role"] == "member"

    assert call("GET", f"{base}/{SAMPLE.BARBARA}").json() == added.json()
    updated = call("POST", f"{base}/{SAMPLE.BARBARA}", json={"role": "owner"})
    assert updated.status_code == 200 and updated.json()["role"] == "owner"
    assert updated.json()["added_at"] == added.json()["added_at"]

    deleted = call("DELETE", f"{base}/{SAMPLE.BARBARA}")
    assert deleted.status_code == 200
    assert deleted.json() == {"object": "organization.project.user.deleted", "id": SAMPLE.BARBARA, "deleted": True}
    assert SAMPLE.BARBARA not in [u["id"] for u in call("GET", base).json()["data"]]


def test_add_by_email_matches_case_insensitively(call: Call) -> None:
    added = call("POST", f"/organization/projects/{SAMPLE.DATA}/users",
                 json={"email": "Barbara@EXAMPLE.com", "role": "owner", "user_id": None})
    assert added.status_code == 200
    assert (added.json()["id"], added.json()["email"]) == (SAMPLE.BARBARA, "barbara@example.com")


# --- project users: errors ------------------------------------------------------------------------

def test_adding_an_existing_member_is_400_already_exists(call: Call) -> None:
    for body in ({"user_id": SAMPLE.ALAN, "role": "member"}, {"email": "ALAN@example.com", "role": "owner"}):
        response = call("POST", f"/organization/projects/{SAMPLE.WEB}/users", json=body)
        assert_error(response, behaviour.ALREADY_MEMBER_STATUS, fragment=behaviour.ALREADY_MEMBER_FRAGMENT)
        assert response.json()["error"]["message"] == behaviour.ALREADY_MEMBER_MESSAGE.format(
            user_id=SAMPLE.ALAN, project_id=SAMPLE.WEB)


@pytest.mark.parametrize("body, param", [
    ({"user_id": "user-NotInTheOrg000000000000", "role": "member"}, "user_id"),
    ({"email": "stranger@example.com", "role": "member"}, "email"),
])
def test_adding_someone_outside_the_organization_is_400(call: Call, body: dict, param: str) -> None:
    response = call("POST", f"/organization/projects/{SAMPLE.WEB}/users", json=body)
    assert_error(response, behaviour.NOT_IN_ORGANIZATION_STATUS, fragment=behaviour.NOT_IN_ORGANIZATION_FRAGMENT,
                 param=param)


@pytest.mark.parametrize("body", [
    {"role": "member"},
    {"role": "member", "user_id": None, "email": None},
    {"role": "member", "user_id": SAMPLE.BARBARA, "email": "barbara@example.com"},
])
def test_create_needs_exactly_one_of_user_id_and_email(call: Call, body: dict) -> None:
    response = call("POST", f"/organization/projects/{SAMPLE.DATA}/users", json=body)
    error = assert_error(response, 400, param=behaviour.CREATE_NEEDS_EXACTLY_ONE_OF[0])
    assert all(name in error["message"] for name in behaviour.CREATE_NEEDS_EXACTLY_ONE_OF)


@pytest.mark.parametrize("kwargs, param, fragment", [
    ({"json": {"user_id": SAMPLE.BARBARA, "role": "admin"}}, "role", "Invalid value for 'role'"),
    ({"json": {"user_id": SAMPLE.BARBARA}}, "role", "Missing required parameter: 'role'"),
    ({"json": {"user_id": SAMPLE.BARBARA, "role": None}}, "role", "Invalid type for 'role'"),
    ({"json": {"user_id": 42, "role": "member"}}, "user_id", "expected a string, but got an integer"),
    ({"json": {"user_id": SAMPLE.BARBARA, "role": "member", "nickname": "b"}}, "nickname", "Unrecognized"),
    ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, None, "could not parse the JSON"),
    ({"json": [{"user_id": SAMPLE.BARBARA}]}, None, "expected a JSON object"),
])
def test_malformed_create_bodies_are_400(call: Call, kwargs: dict, param: str | None, fragment: str) -> None:
    response = call("POST", f"/organization/projects/{SAMPLE.DATA}/users", **kwargs)
    assert_error(response, 400, fragment=fragment, param=param)
    assert call("GET", f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}").status_code == 404


@pytest.mark.parametrize("body, param", [({"role": "viewer"}, "role"), ({}, "role"), ({"role": "owner", "x": 1}, "x")])
def test_invalid_updates_are_400_and_change_nothing(call: Call, body: dict, param: str) -> None:
    path = f"/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.ALAN}"
    assert_error(call("POST", path, json=body), 400, param=param)
    assert call("GET", path).json()["role"] == "member"


@pytest.mark.parametrize("method, body", [("GET", None), ("POST", {"role": "owner"}), ("DELETE", None)])
def test_non_member_is_404_not_a_member(call: Call, method: str, body: dict | None) -> None:
    response = call(method, f"/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.BARBARA}", json=body)
    error = assert_error(response, behaviour.NOT_PROJECT_MEMBER_STATUS, fragment=behaviour.NOT_PROJECT_MEMBER_FRAGMENT)
    assert error["message"] == behaviour.NOT_PROJECT_MEMBER_MESSAGE.format(user_id=SAMPLE.BARBARA,
                                                                          project_id=SAMPLE.WEB)


def membership_calls(new_user: str) -> list[tuple[str, str, dict | None]]:
    """Every user and role-assignment call on one project ({p}); the add is of ``new_user``."""
    return [
        ("GET", "/organization/projects/{p}/users", None),
        ("POST", "/organization/projects/{p}/users", {"user_id": new_user, "role": "member"}),
        ("GET", "/organization/projects/{p}/users/" + SAMPLE.ADA, None),
        ("POST", "/organization/projects/{p}/users/" + SAMPLE.ADA, {"role": "member"}),
        ("DELETE", "/organization/projects/{p}/users/" + SAMPLE.ADA, None),
        ("GET", "/projects/{p}/users/" + SAMPLE.ADA + "/roles", None),
        ("POST", "/projects/{p}/users/" + SAMPLE.ADA + "/roles", {"role_id": SAMPLE.VIEWER_ROLE}),
        ("GET", "/projects/{p}/users/" + SAMPLE.ADA + "/roles/" + SAMPLE.OWNER_ROLE, None),
        ("DELETE", "/projects/{p}/users/" + SAMPLE.ADA + "/roles/" + SAMPLE.OWNER_ROLE, None),
    ]


@pytest.mark.parametrize("method, path, body", [
    *membership_calls(SAMPLE.BARBARA),
    ("GET", "/projects/{p}/roles", None),
    ("GET", "/organization/projects/{p}", None),
])
def test_unknown_project_is_404(call: Call, method: str, path: str, body: dict | None) -> None:
    response = call(method, path.format(p="proj_missing"), json=body)
    error = assert_error(response, behaviour.UNKNOWN_PROJECT_STATUS)
    assert error["message"] == behaviour.UNKNOWN_PROJECT_MESSAGE.format(project_id="proj_missing")


def archived_seed() -> dict[str, Any]:
    return {
        "users": [{"id": SAMPLE.ADA, "email": "ada@example.com", "name": "Ada", "role": "owner"}],
        "projects": [{"id": PROJ_ARCHIVED, "name": "Old", "status": "archived", "archived_at": 1700000000}],
    }


@pytest.mark.parametrize("method, path, body", membership_calls(SAMPLE.ADA))
def test_archived_project_is_400_for_user_and_role_assignment_calls(
    emulator: EmulatorProcess, call: Call, method: str, path: str, body: dict | None
) -> None:
    emulator.reset(archived_seed())
    response = call(method, path.format(p=PROJ_ARCHIVED), json=body)
    error = assert_error(response, behaviour.ARCHIVED_PROJECT_STATUS, fragment=behaviour.ARCHIVED_PROJECT_FRAGMENT)
    assert error["message"] == behaviour.ARCHIVED_PROJECT_MESSAGE.format(project_id=PROJ_ARCHIVED)


def test_archived_project_can_still_be_read(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(archived_seed())
    project = call("GET", f"/organization/projects/{PROJ_ARCHIVED}").json()
    assert (project["status"], project["archived_at"]) == ("archived", 1700000000)
    assert [r["id"] for r in call("GET", f"/projects/{PROJ_ARCHIVED}/roles").json()["data"]] == list(
        behaviour.PREDEFINED_PROJECT_ROLE_IDS)


# --- project users: pagination ---------------------------------------------------------------------

def test_project_users_default_page_is_20_and_pages_chain_by_last_id(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(users_seed(25, members_of="proj_one"))
    first = call("GET", "/organization/projects/proj_one/users").json()
    assert len(first["data"]) == behaviour.LEGACY_PAGE_DEFAULT and first["has_more"] is True
    assert (first["first_id"], first["last_id"]) == ("user-u00", "user-u19")

    seen, after = [], None
    while True:
        page = call("GET", "/organization/projects/proj_one/users", params={"limit": 7, "after": after}).json()
        seen += [u["id"] for u in page["data"]]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert seen == [f"user-u{i:02d}" for i in range(25)]
    assert page["first_id"] == "user-u21" and page["last_id"] == "user-u24"


def test_a_removed_member_is_still_a_valid_after_cursor(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(users_seed(5, members_of="proj_one"))
    page = call("GET", "/organization/projects/proj_one/users", params={"limit": 2}).json()
    assert call("DELETE", f"/organization/projects/proj_one/users/{page['last_id']}").status_code == 200
    rest = call("GET", "/organization/projects/proj_one/users", params={"after": page["last_id"]}).json()
    assert [u["id"] for u in rest["data"]] == ["user-u02", "user-u03", "user-u04"]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "2.5"])
def test_legacy_limit_out_of_range_is_400_naming_limit(call: Call, limit: str) -> None:
    for path in (f"/organization/projects/{SAMPLE.WEB}/users", "/organization/users", "/organization/projects"):
        assert_error(call("GET", path, params={"limit": limit}), 400, fragment="'limit'", param="limit")


def test_legacy_limit_bounds_are_accepted(call: Call) -> None:
    assert len(call("GET", "/organization/users", params={"limit": 1}).json()["data"]) == 1
    assert len(call("GET", "/organization/users", params={"limit": 100}).json()["data"]) == 6


def test_unknown_after_id_is_400_naming_after(call: Call) -> None:
    response = call("GET", f"/organization/projects/{SAMPLE.WEB}/users", params={"after": "user-nobody"})
    assert_error(response, 400, param="after")


# --- role assignments --------------------------------------------------------------------------------

def roles_path(project: str = SAMPLE.WEB, user: str = SAMPLE.KATHERINE) -> str:
    return f"/projects/{project}/users/{user}/roles"


def test_assign_returns_user_role_with_the_org_user_and_the_role(call: Call) -> None:
    response = call("POST", roles_path(), json={"role_id": SAMPLE.MEMBER_ROLE})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"object", "user", "role"} and body["object"] == "user.role"
    assert body["user"] == call("GET", f"/organization/users/{SAMPLE.KATHERINE}").json()
    assert body["user"]["object"] == "organization.user"
    assert body["role"]["object"] == "role" and body["role"]["id"] == SAMPLE.MEMBER_ROLE
    assert set(body["role"]) == {"object", "id", "name", "description", "permissions", "resource_type",
                                 "predefined_role"}
    assert (body["role"]["predefined_role"], body["role"]["resource_type"]) == (True, "api.project")


def test_retrieve_and_list_give_assigned_role_details_without_object(call: Call) -> None:
    details = call("GET", roles_path(user=SAMPLE.ALAN) + "/" + SAMPLE.KEY_MANAGER).json()
    assert "object" not in details
    assert details["id"] == SAMPLE.KEY_MANAGER and details["predefined_role"] is False
    assert {"name", "permissions", "resource_type", "description", "created_at", "updated_at", "created_by",
            "created_by_user_obj", "metadata", "assignment_sources"} <= set(details)
    listing = call("GET", roles_path(user=SAMPLE.ALAN)).json()
    assert listing == {"object": "list", "data": [details], "has_more": False, "next": None}


def test_unassign_returns_deleted_without_id_and_then_404(call: Call) -> None:
    path = roles_path(user=SAMPLE.ALAN) + "/" + SAMPLE.KEY_MANAGER
    response = call("DELETE", path)
    assert response.status_code == 200
    assert response.json() == {"object": "user.role.deleted", "deleted": True}
    for method in ("GET", "DELETE"):
        error = assert_error(call(method, path), behaviour.NOT_ASSIGNED_STATUS)
        assert error["message"] == behaviour.NOT_ASSIGNED_MESSAGE.format(
            role_id=SAMPLE.KEY_MANAGER, user_id=SAMPLE.ALAN, project_id=SAMPLE.WEB)


def test_assigning_twice_is_400_already_assigned(call: Call) -> None:
    response = call("POST", roles_path(user=SAMPLE.ADA), json={"role_id": SAMPLE.OWNER_ROLE})
    assert_error(response, behaviour.ALREADY_ASSIGNED_STATUS, fragment=behaviour.ALREADY_ASSIGNED_FRAGMENT,
                 param="role_id")


def test_assigning_to_a_non_member_is_400(call: Call) -> None:
    response = call("POST", roles_path(user=SAMPLE.BARBARA), json={"role_id": SAMPLE.VIEWER_ROLE})
    assert_error(response, behaviour.ASSIGNEE_NOT_MEMBER_STATUS, fragment=behaviour.ASSIGNEE_NOT_MEMBER_FRAGMENT)
    assert call("GET", roles_path(user=SAMPLE.BARBARA)).json()["data"] == []


@pytest.mark.parametrize("role_id", ["role-api-project-admin", SAMPLE.KEY_MANAGER])
def test_unknown_role_or_another_projects_role_is_404(call: Call, role_id: str) -> None:
    # KEY_MANAGER belongs to WEB, so it does not exist for DATA.
    for method, path, body in (("POST", roles_path(SAMPLE.DATA), {"role_id": role_id}),
                               ("GET", roles_path(SAMPLE.DATA) + "/" + role_id, None)):
        error = assert_error(call(method, path, json=body), behaviour.UNKNOWN_ROLE_STATUS)
        assert error["message"] == behaviour.UNKNOWN_ROLE_MESSAGE.format(role_id=role_id)


def test_organization_roles_are_assignable_in_a_project(call: Call) -> None:
    response = call("POST", roles_path(), json={"role_id": SAMPLE.BILLING_VIEWER})
    assert response.status_code == 200
    assert response.json()["role"]["resource_type"] == "api.organization"


@pytest.mark.parametrize("method, suffix, body", [
    ("GET", "", None), ("POST", "", {"role_id": SAMPLE.VIEWER_ROLE}), ("GET", "/" + SAMPLE.VIEWER_ROLE, None),
])
def test_unknown_user_in_role_paths_is_404(call: Call, method: str, suffix: str, body: dict | None) -> None:
    error = assert_error(call(method, roles_path(user="user-ghost") + suffix, json=body), behaviour.UNKNOWN_USER_STATUS)
    assert error["message"] == behaviour.UNKNOWN_USER_MESSAGE.format(user_id="user-ghost")


@pytest.mark.parametrize("kwargs, param", [
    ({"json": {}}, "role_id"), ({"json": {"role_id": 7}}, "role_id"),
    ({"json": {"role_id": SAMPLE.VIEWER_ROLE, "role": "x"}}, "role"), ({"data": "role_id=x"}, None),
])
def test_malformed_assign_bodies_are_400(call: Call, kwargs: dict, param: str | None) -> None:
    assert_error(call("POST", roles_path(), **kwargs), 400, param=param)


def test_removing_a_member_removes_their_assignments_in_that_project_only(
    emulator: EmulatorProcess, call: Call
) -> None:
    assert call("POST", roles_path(SAMPLE.DATA), json={"role_id": SAMPLE.MEMBER_ROLE}).status_code == 200
    assert call("POST", roles_path(SAMPLE.WEB), json={"role_id": SAMPLE.VIEWER_ROLE}).status_code == 200
    assert call("DELETE", f"/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.KATHERINE}").status_code == 200

    assignments = [(a["project_id"], a["user_id"], a["role_id"]) for a in emulator.state()["role_assignments"]]
    assert (SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.VIEWER_ROLE) not in assignments
    assert (SAMPLE.DATA, SAMPLE.KATHERINE, SAMPLE.MEMBER_ROLE) in assignments
    # Re-adding the member does not bring the old assignment back.
    call("POST", f"/organization/projects/{SAMPLE.WEB}/users", json={"user_id": SAMPLE.KATHERINE, "role": "member"})
    assert call("GET", roles_path(SAMPLE.WEB)).json()["data"] == []


def test_legacy_role_and_rbac_assignments_are_independent(call: Call) -> None:
    member = f"/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.KATHERINE}"
    assert call("POST", roles_path(), json={"role_id": SAMPLE.OWNER_ROLE}).status_code == 200
    assert call("GET", member).json()["role"] == "member"
    assert call("POST", member, json={"role": "owner"}).status_code == 200
    assert [r["id"] for r in call("GET", roles_path()).json()["data"]] == [SAMPLE.OWNER_ROLE]
    assert call("POST", member, json={"role": "member"}).status_code == 200
    assert [r["id"] for r in call("GET", roles_path()).json()["data"]] == [SAMPLE.OWNER_ROLE]


def many_roles_seed() -> dict[str, Any]:
    """Alan in proj_one with all 3 predefined and 5 custom roles assigned (8 assignments)."""
    custom = [{"id": f"role_c{i}", "project_id": "proj_one", "name": f"Custom {i}", "permissions": ["p"]}
              for i in range(5)]
    role_ids = list(behaviour.PREDEFINED_PROJECT_ROLE_IDS) + [r["id"] for r in custom]
    return {
        "users": [{"id": SAMPLE.ALAN, "email": "alan@example.com", "name": "Alan", "role": "reader"}],
        "projects": [{"id": "proj_one", "name": "One"}],
        "roles": custom,
        "memberships": [{"project_id": "proj_one", "user_id": SAMPLE.ALAN, "role": "member"}],
        "role_assignments": [{"project_id": "proj_one", "user_id": SAMPLE.ALAN, "role_id": r} for r in role_ids],
    }


def walk(call: Call, path: str, **params: Any) -> tuple[list[str], list[dict]]:
    """All ids of a next-cursor list, following `next`; also returns the pages."""
    ids, pages, after = [], [], None
    while True:
        page = call("GET", path, params={**params, "after": after}).json()
        assert set(page) == {"object", "data", "has_more", "next"}
        pages.append(page)
        ids += [item["id"] for item in page["data"]]
        if not page["has_more"]:
            assert page["next"] is None
            return ids, pages
        after = page["next"]


def test_role_assignments_page_with_opaque_next_cursor_in_both_orders(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(many_roles_seed())
    path = roles_path("proj_one", SAMPLE.ALAN)
    expected = [a["role_id"] for a in many_roles_seed()["role_assignments"]]
    ids, pages = walk(call, path, limit=3)
    assert ids == expected and [len(p["data"]) for p in pages] == [3, 3, 2]
    assert all(p["next"] not in expected for p in pages)  # opaque, not a role id
    assert walk(call, path, limit=3, order="desc")[0] == expected[::-1]
    assert len(call("GET", path).json()["data"]) == 8  # the default (1000) takes them all


def test_next_cursor_survives_deleting_the_item_it_points_at(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(many_roles_seed())
    path = roles_path("proj_one", SAMPLE.ALAN)
    page = call("GET", path, params={"limit": 3}).json()
    assert call("DELETE", f"{path}/{page['data'][-1]['id']}").status_code == 200
    rest = call("GET", path, params={"after": page["next"]}).json()
    assert [r["id"] for r in rest["data"]] == ["role_c0", "role_c1", "role_c2", "role_c3", "role_c4"]


@pytest.mark.parametrize("params, param", [
    ({"limit": "1001"}, "limit"), ({"limit": "-1"}, "limit"), ({"limit": "x"}, "limit"),
    ({"order": "newest"}, "order"), ({"after": "not-a-cursor"}, "after"), ({"after": "role-api-project-owner"}, "after"),
])
def test_rbac_list_parameters_are_validated(emulator: EmulatorProcess, call: Call, params: dict, param: str) -> None:
    for path in (roles_path(user=SAMPLE.ALAN), "/organization/roles", f"/projects/{SAMPLE.WEB}/roles"):
        assert_error(call("GET", path, params=params), 400, param=param)


def test_a_cursor_from_one_order_is_rejected_in_the_other(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(many_roles_seed())
    path = roles_path("proj_one", SAMPLE.ALAN)
    cursor = call("GET", path, params={"limit": 2}).json()["next"]
    assert_error(call("GET", path, params={"after": cursor, "order": "desc"}), 400, param="after")


def test_rbac_limit_zero_returns_no_items_but_a_usable_cursor(emulator: EmulatorProcess, call: Call) -> None:
    emulator.reset(many_roles_seed())
    path = roles_path("proj_one", SAMPLE.ALAN)
    empty = call("GET", path, params={"limit": 0}).json()
    assert empty["data"] == [] and empty["has_more"] is True and empty["next"]
    assert len(call("GET", path, params={"after": empty["next"]}).json()["data"]) == 8
    assert len(call("GET", path, params={"limit": 1000}).json()["data"]) == 8


# --- organization users, roles, projects ------------------------------------------------------------

def test_org_users_list_and_retrieve(call: Call) -> None:
    body = call("GET", "/organization/users", params={"limit": 4}).json()
    assert [u["id"] for u in body["data"]] == [SAMPLE.ADA, SAMPLE.GRACE, SAMPLE.ALAN, SAMPLE.KATHERINE]
    assert (body["first_id"], body["last_id"], body["has_more"]) == (SAMPLE.ADA, SAMPLE.KATHERINE, True)
    rest = call("GET", "/organization/users", params={"after": body["last_id"]}).json()
    assert [u["id"] for u in rest["data"]] == [SAMPLE.EDSGER, SAMPLE.BARBARA] and rest["has_more"] is False
    user = call("GET", f"/organization/users/{SAMPLE.GRACE}").json()
    assert user == {"object": "organization.user", "id": SAMPLE.GRACE, "name": "Grace Hopper",
                    "email": "grace@example.com", "role": "owner", "added_at": user["added_at"],
                    "is_service_account": False, "is_scim_managed": False}
    error = assert_error(call("GET", "/organization/users/user-ghost"), behaviour.UNKNOWN_USER_STATUS)
    assert error["message"] == behaviour.UNKNOWN_USER_MESSAGE.format(user_id="user-ghost")


@pytest.mark.parametrize("query, expected", [
    ("emails[]=GRACE%40example.com&emails[]=edsger%40example.com", [SAMPLE.GRACE, SAMPLE.EDSGER]),
    ("emails=grace%40example.com&emails=EDSGER%40EXAMPLE.COM", [SAMPLE.GRACE, SAMPLE.EDSGER]),
    ("emails[]=grace%40example.com&emails=ada%40example.com", [SAMPLE.ADA, SAMPLE.GRACE]),
    ("emails[]=nobody%40example.com", []),
])
def test_org_users_email_filter_accepts_both_array_styles(emulator: EmulatorProcess, query: str,
                                                          expected: list[str]) -> None:
    response = requests.get(f"{emulator.base_url}/organization/users?{query}", headers=emulator.auth_headers,
                            timeout=10)
    assert [u["id"] for u in response.json()["data"]] == expected


def test_project_roles_are_the_predefined_ones_plus_the_projects_own(call: Call) -> None:
    web = call("GET", f"/projects/{SAMPLE.WEB}/roles").json()
    assert [r["id"] for r in web["data"]] == [*behaviour.PREDEFINED_PROJECT_ROLE_IDS, SAMPLE.KEY_MANAGER]
    assert set(web) == {"object", "data", "has_more", "next"} and web["has_more"] is False
    predefined = web["data"][:3]
    assert all(r["predefined_role"] and r["resource_type"] == "api.project" and r["permissions"] and r["name"]
               for r in predefined)
    data = call("GET", f"/projects/{SAMPLE.DATA}/roles").json()
    assert [r["id"] for r in data["data"]] == list(behaviour.PREDEFINED_PROJECT_ROLE_IDS)


def test_organization_roles_list_only_organization_roles(call: Call) -> None:
    body = call("GET", "/organization/roles").json()
    assert [(r["id"], r["resource_type"]) for r in body["data"]] == [(SAMPLE.BILLING_VIEWER, "api.organization")]
    assert (body["has_more"], body["next"]) == (False, None)


def test_projects_retrieve_and_list(emulator: EmulatorProcess, call: Call) -> None:
    project = call("GET", f"/organization/projects/{SAMPLE.WEB}").json()
    assert project == {"id": SAMPLE.WEB, "object": "organization.project", "name": "Web Storefront",
                       "created_at": project["created_at"], "archived_at": None, "status": "active",
                       "external_key_id": None}
    emulator.reset({"projects": [{"id": f"proj_{i}", "name": f"P{i}", "status": "archived" if i % 2 else "active"}
                                 for i in range(6)]})
    active = call("GET", "/organization/projects").json()
    assert [p["id"] for p in active["data"]] == ["proj_0", "proj_2", "proj_4"]
    everything = call("GET", "/organization/projects", params={"include_archived": "true", "limit": 4}).json()
    assert [p["id"] for p in everything["data"]] == ["proj_0", "proj_1", "proj_2", "proj_3"]
    assert everything["has_more"] is True and everything["last_id"] == "proj_3"
    assert_error(call("GET", "/organization/projects", params={"include_archived": "maybe"}), 400,
                 param="include_archived")


# --- concurrency ----------------------------------------------------------------------------------------

def test_concurrent_adds_of_one_user_make_one_member(emulator: EmulatorProcess) -> None:
    results: list[int] = []

    def add() -> None:
        response = requests.post(f"{emulator.base_url}/organization/projects/{SAMPLE.DATA}/users",
                                 json={"user_id": SAMPLE.BARBARA, "role": "member"},
                                 headers=emulator.auth_headers, timeout=10)
        results.append(response.status_code)

    threads = [threading.Thread(target=add) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [behaviour.ALREADY_MEMBER_STATUS] * 11
    members = [m for m in emulator.state()["memberships"] if m["project_id"] == SAMPLE.DATA]
    assert [m["user_id"] for m in members].count(SAMPLE.BARBARA) == 1
