"""Both list styles across many pages, lazily, and the guard against cursors that go nowhere."""

from __future__ import annotations

import itertools

import pytest

from pulumi_openai_access.providers.admin_api import AdminClient, PaginationError
from pulumi_openai_access.emulator.process import PROJECT_USERS, USER_ROLES
from tests.support.client import FAST, StubServer, client_for, json_reply

PROJECT = "proj_BigProject00000000000000"
USERS = 260  # legacy pages hold 100: three pages
ROLES = 1050  # RBAC pages hold 1000: two pages
ORG_USERS_ROUTE = "/v1/organization/users"
PROJECT_ROLES_ROUTE = "/v1/projects/{project_id}/roles"


def _user_id(i: int) -> str:
    return f"user-Big{i:021d}"


def _big_seed() -> dict:
    users = [{"id": _user_id(i), "email": f"u{i}@example.com", "name": f"User {i}", "role": "reader"}
             for i in range(USERS)]
    roles = [{"id": f"role_{i:026d}", "project_id": PROJECT, "name": f"Role {i}", "permissions": ["p.read"]}
             for i in range(ROLES)]
    return {
        "users": users,
        "projects": [{"id": PROJECT, "name": "Big"}],
        "roles": roles,
        "memberships": [{"project_id": PROJECT, "user_id": u["id"], "role": "member"} for u in users],
        "role_assignments": [{"project_id": PROJECT, "user_id": _user_id(0), "role_id": r["id"]} for r in roles],
    }


@pytest.fixture
def big(emulator):
    emulator.reset(_big_seed())
    return emulator


def test_legacy_lists_page_through_lazily(big):
    client = client_for(big)
    members = client.list_project_users(PROJECT)
    assert big.requests().count("GET", PROJECT_USERS) == 0  # nothing fetched before iterating
    first = next(members)
    assert first.id == _user_id(0)
    assert big.requests().count("GET", PROJECT_USERS) == 1  # one page, not all of them
    rest = list(members)
    assert [m.id for m in [first, *rest]] == [_user_id(i) for i in range(USERS)]
    assert big.requests().count("GET", PROJECT_USERS) == 3  # 100 + 100 + 60


def test_legacy_list_stops_after_the_pages_it_needs(big):
    client = client_for(big)
    assert len(list(itertools.islice(client.list_organization_users(), 150))) == 150
    assert big.requests().count("GET", ORG_USERS_ROUTE) == 2
    assert len({u.id for u in client.list_organization_users()}) == USERS


def test_organization_users_filtered_by_email(big):
    found = list(client_for(big).list_organization_users(emails=["U7@EXAMPLE.COM", "u8@example.com"]))
    assert sorted(u.id for u in found) == [_user_id(7), _user_id(8)]


def test_next_cursor_lists_page_through(big):
    client = client_for(big)
    assigned = list(client.list_project_user_roles(PROJECT, _user_id(0)))
    assert len(assigned) == ROLES and len({r.id for r in assigned}) == ROLES
    assert big.requests().count("GET", USER_ROLES) == 2
    roles = client.list_project_roles(PROJECT)
    next(roles)
    assert big.requests().count("GET", PROJECT_ROLES_ROUTE) == 1
    # the custom roles plus the three predefined ones
    assert len(list(roles)) + 1 == ROLES + 3
    assert big.requests().count("GET", PROJECT_ROLES_ROUTE) == 2


@pytest.mark.parametrize("page, problem", [
    ({"object": "list", "data": [{"id": "role_1", "name": "r"}], "has_more": True, "next": None}, "no cursor"),
    ({"object": "list", "data": [{"id": "role_1", "name": "r"}], "has_more": True}, "no cursor"),
    ({"object": "list", "data": [{"id": "role_1", "name": "r"}], "has_more": True, "next": "same"}, "already used"),
])
def test_next_cursor_guard(page, problem):
    with StubServer(lambda method, path: json_reply(page)) as stub:
        client = AdminClient("sk-admin-stub", stub.base_url, retry=FAST)
        with pytest.raises(PaginationError, match=problem) as info:
            list(client.list_organization_roles())
    assert info.value.path == "/organization/roles" and info.value.method == "GET"
    assert len(stub.seen) <= 2  # stopped at once, no endless loop


def test_legacy_cursor_guard():
    # The cursor cycles between two pages: caught when it comes back.
    pages = {"a": "b", "b": "a"}

    def answer(method, path):
        after = path.partition("after=")[2] or "a"
        return json_reply({"object": "list", "data": [{"id": f"user-{after}", "role": "member"}],
                           "first_id": after, "last_id": pages[after], "has_more": True})

    with StubServer(answer) as stub:
        client = AdminClient("sk-admin-stub", stub.base_url, retry=FAST)
        with pytest.raises(PaginationError, match="already used"):
            list(client.list_project_users("proj_x"))
    assert len(stub.seen) == 3
    assert all("limit=100" in path for _, path, _ in stub.seen)
