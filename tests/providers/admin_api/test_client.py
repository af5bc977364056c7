"""Every endpoint method against the emulator, and every error the API can answer mapped to its type."""

from __future__ import annotations

import logging
import threading
import pickle

import pytest

from pulumi_openai_access.providers.admin_api import (
    AdminApiError,
    AdminClient,
    AlreadyAssignedError,
    AlreadyMemberError,
    AssigneeNotMemberError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    NotInOrganizationError,
    PermissionDeniedError,
    ProjectArchivedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    behaviour,
)
from pulumi_openai_access.emulator.process import SAMPLE, Fault
from tests.support.client import (
    memberships,
    FAST,
    StubServer,
    assert_secret_free,
    client_for,
    error_text,
    json_reply,
)

NO_RETRY = FAST.__class__(max_attempts=1)
WRONG_KEY = "sk-admin-WRONGkey0123456789abcdef"


def test_membership_lifecycle(emulator):
    client = client_for(emulator)
    added = client.add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA)
    assert (added.id, added.role, added.email) == (SAMPLE.BARBARA, "member", "barbara@example.com")
    assert client.get_project_user(SAMPLE.WEB, SAMPLE.BARBARA) == added
    assert client.update_project_user(SAMPLE.WEB, SAMPLE.BARBARA, "owner").role == "owner"
    assert SAMPLE.BARBARA in {m.id for m in client.list_project_users(SAMPLE.WEB)}
    assert client.remove_project_user(SAMPLE.WEB, SAMPLE.BARBARA) is None
    assert memberships(emulator, SAMPLE.WEB, SAMPLE.BARBARA) == []


def test_add_member_by_email(emulator):
    added = client_for(emulator).add_project_user(SAMPLE.DATA, role="owner", email="Barbara@Example.com")
    assert added.id == SAMPLE.BARBARA and added.role == "owner"


def test_add_member_needs_exactly_one_of_user_id_and_email(emulator):
    client = client_for(emulator)
    with pytest.raises(ValueError):
        client.add_project_user(SAMPLE.WEB, role="member")
    with pytest.raises(ValueError):
        client.add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA, email="barbara@example.com")
    assert emulator.requests().total == 0


def test_role_assignment_lifecycle(emulator):
    client = client_for(emulator)
    assignment = client.assign_project_user_role(SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.KEY_MANAGER)
    assert assignment.user.id == SAMPLE.KATHERINE and assignment.role.id == SAMPLE.KEY_MANAGER
    assert assignment.role.resource_type == "api.project" and not assignment.role.predefined_role
    got = client.get_project_user_role(SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.KEY_MANAGER)
    assert got.id == SAMPLE.KEY_MANAGER and got.permissions == assignment.role.permissions
    assert [r.id for r in client.list_project_user_roles(SAMPLE.WEB, SAMPLE.KATHERINE)] == [SAMPLE.KEY_MANAGER]
    assert client.unassign_project_user_role(SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.KEY_MANAGER) is None
    assert list(client.list_project_user_roles(SAMPLE.WEB, SAMPLE.KATHERINE)) == []


def test_organization_users_roles_and_projects(emulator):
    client = client_for(emulator)
    ada = client.get_organization_user(SAMPLE.ADA)
    assert ada.email == "ada@example.com" and ada.role == "owner"
    assert [u.id for u in client.list_organization_users(emails=["ADA@example.com"])] == [SAMPLE.ADA]
    assert SAMPLE.BILLING_VIEWER in {r.id for r in client.list_organization_roles()}
    project_roles = {r.id: r for r in client.list_project_roles(SAMPLE.WEB)}
    assert {SAMPLE.OWNER_ROLE, SAMPLE.MEMBER_ROLE, SAMPLE.VIEWER_ROLE, SAMPLE.KEY_MANAGER} <= set(project_roles)
    project = client.get_project(SAMPLE.WEB)
    assert project.status == "active" and not project.is_archived


def test_ids_are_path_segments_not_paths(emulator):
    client = client_for(emulator)
    for bad in ("", ".", ".."):
        with pytest.raises(ValueError):
            client.get_project_user(SAMPLE.WEB, bad)
    with pytest.raises(NotFoundError):  # quoted, so it cannot climb to another route
        client.get_project_user(SAMPLE.WEB, "../../users")


# --- error mapping -----------------------------------------------------------------------------

def _archived_seed(emulator):
    state = emulator.state()
    for project in state["projects"]:
        if project["id"] == SAMPLE.DATA:
            project["status"] = "archived"
    state["memberships"] = [m for m in state["memberships"] if m["project_id"] != SAMPLE.DATA]
    state["role_assignments"] = [a for a in state["role_assignments"] if a["project_id"] != SAMPLE.DATA]
    return state


@pytest.mark.parametrize("call, expected", [
    (lambda c: c.add_project_user(SAMPLE.WEB, role="member", user_id=SAMPLE.ADA), AlreadyMemberError),
    (lambda c: c.add_project_user(SAMPLE.WEB, role="member", user_id="user-Nobody"), NotInOrganizationError),
    (lambda c: c.add_project_user(SAMPLE.WEB, role="member", email="nobody@example.com"), NotInOrganizationError),
    (lambda c: c.add_project_user(SAMPLE.WEB, role="admin", user_id=SAMPLE.BARBARA), InvalidRequestError),
    (lambda c: c.get_project_user(SAMPLE.WEB, SAMPLE.BARBARA), NotFoundError),
    (lambda c: c.update_project_user(SAMPLE.WEB, SAMPLE.BARBARA, "owner"), NotFoundError),
    (lambda c: c.remove_project_user(SAMPLE.WEB, SAMPLE.BARBARA), NotFoundError),
    (lambda c: c.get_project("proj_Nope"), NotFoundError),
    (lambda c: list(c.list_project_users("proj_Nope")), NotFoundError),
    (lambda c: c.get_organization_user("user-Nobody"), NotFoundError),
    (lambda c: c.assign_project_user_role(SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE), AssigneeNotMemberError),
    (lambda c: c.assign_project_user_role(SAMPLE.WEB, SAMPLE.ADA, SAMPLE.OWNER_ROLE), AlreadyAssignedError),
    (lambda c: c.assign_project_user_role(SAMPLE.WEB, SAMPLE.ALAN, "role_Nope"), NotFoundError),
    (lambda c: c.get_project_user_role(SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.VIEWER_ROLE), NotFoundError),
    (lambda c: c.unassign_project_user_role(SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.VIEWER_ROLE), NotFoundError),
])
def test_error_mapping(emulator, call, expected):
    with pytest.raises(AdminApiError) as info:
        call(client_for(emulator))
    error = info.value
    assert type(error) is expected
    assert error.status in (400, 404) and error.error_type == "invalid_request_error"
    assert error.request_id and error.request_id.startswith("req")
    assert error.method in ("GET", "POST", "DELETE") and error.path.startswith("/")
    assert error.message in str(error) and error.request_id in str(error)
    assert error.attempts == 1  # 4xx are not retried
    assert emulator.requests().total <= 2  # (add by email may look the user up on a retry; not here)


@pytest.mark.parametrize("call", [
    lambda c: list(c.list_project_users(SAMPLE.DATA)),
    lambda c: c.add_project_user(SAMPLE.DATA, role="member", user_id=SAMPLE.BARBARA),
    lambda c: c.remove_project_user(SAMPLE.DATA, SAMPLE.GRACE),
    lambda c: c.assign_project_user_role(SAMPLE.DATA, SAMPLE.GRACE, SAMPLE.VIEWER_ROLE),
])
def test_archived_project(emulator, call):
    emulator.reset(_archived_seed(emulator))
    client = client_for(emulator)
    assert client.get_project(SAMPLE.DATA).is_archived
    with pytest.raises(ProjectArchivedError) as info:
        call(client)
    assert info.value.status == behaviour.ARCHIVED_PROJECT_STATUS


@pytest.mark.parametrize("status, expected", [
    (403, PermissionDeniedError), (401, AuthenticationError), (429, RateLimitedError), (500, ServerError),
    (503, ServerError), (409, AdminApiError), (422, InvalidRequestError),
])
def test_injected_statuses(emulator, status, expected):
    emulator.set_faults(Fault("GET", "*", "status", status=status, retry_after=7, count=5))
    with pytest.raises(AdminApiError) as info:
        client_for(emulator, retry=NO_RETRY).get_project(SAMPLE.WEB)
    assert type(info.value) is expected and info.value.status == status
    assert info.value.retry_after == 7.0
    assert emulator.requests().faults == {"GET /v1/organization/projects/{project_id}": 1}


def test_wrong_key_is_an_authentication_error_that_never_shows_the_key(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as info:
        client_for(emulator, key=WRONG_KEY).get_project(SAMPLE.WEB)
    assert info.value.code == behaviour.AUTH_FAILED_CODE and info.value.status == 401
    assert_secret_free(error_text(info.value) + caplog.text, WRONG_KEY)
    # and it survives pickling (errors may cross process boundaries), still without the key
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is AuthenticationError and copy.status == 401 and str(copy) == str(info.value)


def test_a_server_echoing_the_key_is_scrubbed(emulator):
    echo = f"Incorrect API key provided: {emulator.admin_key} (also seen masked as sk-admin-****ator)"
    emulator.set_faults(Fault("GET", "*", "status", status=401, message=echo))
    with pytest.raises(AuthenticationError) as info:
        client_for(emulator).get_project(SAMPLE.WEB)
    assert_secret_free(error_text(info.value), emulator.admin_key)
    assert "sk-admin-****" not in error_text(info.value)
    assert "Incorrect API key provided" in info.value.message


def test_non_json_error_body_still_gives_a_typed_error():
    html = b"<html><body><h1>502 Bad Gateway</h1>\n<p>upstream went away</p></body></html>"
    with StubServer(lambda method, path: (502, {"Content-Type": "text/html", "x-request-id": "req_gw"}, html)) as stub:
        with pytest.raises(ServerError) as info:
            AdminClient("sk-admin-stub", stub.base_url, retry=NO_RETRY).get_project("proj_x")
    error = info.value
    assert error.status == 502 and error.request_id == "req_gw" and error.error_type is None
    assert "502 Bad Gateway" in error.message and "upstream went away" in error.message
    assert "\n" not in error.message


def test_empty_error_body_and_non_json_success():
    replies = iter([(404, {}, b""), (200, {"Content-Type": "text/plain"}, b"ok")])
    with StubServer(lambda method, path: next(replies)) as stub:
        client = AdminClient("sk-admin-stub", stub.base_url, retry=NO_RETRY)
        with pytest.raises(NotFoundError, match="empty response body"):
            client.get_project("proj_x")
        with pytest.raises(UnexpectedResponseError, match="not JSON"):
            client.get_project("proj_x")


def test_unexpected_success_shape():
    with StubServer(lambda method, path: json_reply({"object": "organization.project"})) as stub:
        with pytest.raises(UnexpectedResponseError, match="not a valid Project.*id"):
            AdminClient("sk-admin-stub", stub.base_url, retry=NO_RETRY).get_project("proj_x")


def test_models_keep_fields_the_api_adds():
    reply = {"id": "proj_x", "object": "organization.project", "status": "archived", "archived_at": 5,
             "created_at": 1, "brand_new_field": {"a": 1}}
    with StubServer(lambda method, path: json_reply(reply)) as stub:
        project = AdminClient("sk-admin-stub", stub.base_url).get_project("proj_x")
    assert project.is_archived and project.model_extra == {"brand_new_field": {"a": 1}}


def test_requests_carry_the_bearer_key_and_nothing_follows_redirects():
    with StubServer(lambda method, path: (302, {"Location": "http://127.0.0.1:9/elsewhere"}, b"")) as stub:
        with pytest.raises(AdminApiError) as info:
            AdminClient("sk-admin-stub", stub.base_url, retry=NO_RETRY).get_project("proj_x")
    assert info.value.status == 302
    assert len(stub.seen) == 1 and stub.seen[0][2]["Authorization"] == "Bearer sk-admin-stub"


def test_empty_email_filter_matches_nobody(emulator):
    assert list(client_for(emulator).list_organization_users(emails=[])) == []
    assert emulator.requests().total == 0
    with pytest.raises(TypeError):
        client_for(emulator).list_organization_users(emails="ada@example.com")


def test_one_session_per_thread_and_close(emulator):
    client = client_for(emulator)
    client.get_project(SAMPLE.WEB)
    client.get_project(SAMPLE.WEB)
    threads = [threading.Thread(target=client.get_project, args=(SAMPLE.WEB,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(client._transport._sessions) == 4  # this thread's plus one per worker thread
    with client:
        pass  # leaving closes the sessions ...
    assert client._transport._sessions == []
    assert client.get_project(SAMPLE.WEB).id == SAMPLE.WEB  # ... and new ones are made on demand
