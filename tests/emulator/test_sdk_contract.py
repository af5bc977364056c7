"""The official openai SDK against the emulator: every /v1 endpoint the emulator serves,
driven through ``client.admin.organization...`` and checked on the typed results it parses.

The SDK was written by neither this project nor its emulator, so agreeing with it checks
the emulator's paths, query encoding (``emails[]=``), JSON shapes, pagination fields and
error envelope against the published API description.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization import OrganizationUser, Project, Role
from openai.types.admin.organization.projects import (
    APIKeyDeleteResponse,
    ProjectAPIKey,
    ProjectServiceAccount,
    ProjectUser,
    ServiceAccountCreateResponse,
    ServiceAccountDeleteResponse,
    UserDeleteResponse,
)
from openai.types.admin.organization.projects.service_accounts import APIKeyCreateResponse
from openai.types.admin.organization.projects.users import (
    RoleCreateResponse,
    RoleDeleteResponse,
    RoleListResponse,
    RoleRetrieveResponse,
)

from pulumi_openai_access.providers.admin_api import behaviour
from pulumi_openai_access.emulator.process import (
    PROJECT_USERS,
    SAMPLE,
    SERVICE_ACCOUNTS,
    USER_ROLES,
    EmulatorProcess,
    Fault,
)


def make_client(emulator: EmulatorProcess, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(admin_api_key=key or emulator.admin_key, api_key="unused", base_url=emulator.base_url,
                         max_retries=0)


@pytest.fixture
def org(emulator: EmulatorProcess) -> Any:
    """``client.admin.organization`` of an SDK client pointed at the emulator."""
    return make_client(emulator).admin.organization


def many_members_seed(count: int) -> dict[str, Any]:
    users = [{"id": f"user-m{i:02d}", "email": f"m{i:02d}@example.com", "name": f"M {i}", "role": "reader"}
             for i in range(count)]
    roles = [{"id": f"role_c{i}", "project_id": "proj_big", "name": f"Custom {i}", "permissions": ["p"]}
             for i in range(4)]
    role_ids = [*behaviour.PREDEFINED_PROJECT_ROLE_IDS, *(r["id"] for r in roles)]
    return {
        "users": users,
        "projects": [{"id": f"proj_{n}", "name": n, **({"status": "archived"} if n == "old" else {})}
                     for n in ("big", "a", "b", "old", "c")],
        "roles": roles,
        "memberships": [{"project_id": "proj_big", "user_id": u["id"], "role": "member"} for u in users],
        "role_assignments": [{"project_id": "proj_big", "user_id": "user-m00", "role_id": r} for r in role_ids],
    }


# --- project users -----------------------------------------------------------------------------------

def test_project_users_create_retrieve_update_delete(org: Any) -> None:
    by_id = org.projects.users.create(SAMPLE.DATA, role="member", user_id=SAMPLE.BARBARA)
    assert isinstance(by_id, ProjectUser)
    assert (by_id.object, by_id.id, by_id.role, by_id.email) == (
        "organization.project.user", SAMPLE.BARBARA, "member", "barbara@example.com")
    assert by_id._request_id and by_id._request_id.startswith("req_")

    fetched = org.projects.users.retrieve(SAMPLE.BARBARA, project_id=SAMPLE.DATA)
    assert fetched.id == SAMPLE.BARBARA and fetched.added_at == by_id.added_at

    updated = org.projects.users.update(SAMPLE.BARBARA, project_id=SAMPLE.DATA, role="owner")
    assert isinstance(updated, ProjectUser) and updated.role == "owner"

    deleted = org.projects.users.delete(SAMPLE.BARBARA, project_id=SAMPLE.DATA)
    assert isinstance(deleted, UserDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == ("organization.project.user.deleted", SAMPLE.BARBARA, True)


def test_project_users_create_by_email(org: Any) -> None:
    added = org.projects.users.create(SAMPLE.WEB, role="owner", email="Barbara@Example.com")
    assert (added.id, added.role) == (SAMPLE.BARBARA, "owner")


def test_project_users_list_auto_paginates(emulator: EmulatorProcess, org: Any) -> None:
    emulator.reset(many_members_seed(7))
    page = org.projects.users.list("proj_big", limit=3)
    assert [u.id for u in page.data] == ["user-m00", "user-m01", "user-m02"]
    assert page.has_more is True and page.last_id == "user-m02" and page.has_next_page()
    assert [u.id for u in org.projects.users.list("proj_big", limit=3)] == [f"user-m{i:02d}" for i in range(7)]
    assert emulator.requests().count("GET", PROJECT_USERS) == 1 + 3


# --- role assignments -------------------------------------------------------------------------------

def test_role_assignments_create_retrieve_list_delete(org: Any) -> None:
    roles = org.projects.users.roles
    created = roles.create(SAMPLE.KATHERINE, project_id=SAMPLE.WEB, role_id=SAMPLE.KEY_MANAGER)
    assert isinstance(created, RoleCreateResponse) and created.object == "user.role"
    assert isinstance(created.user, OrganizationUser) and created.user.id == SAMPLE.KATHERINE
    assert isinstance(created.role, Role)
    assert (created.role.id, created.role.predefined_role, created.role.resource_type) == (
        SAMPLE.KEY_MANAGER, False, "api.project")

    details = roles.retrieve(SAMPLE.KEY_MANAGER, project_id=SAMPLE.WEB, user_id=SAMPLE.KATHERINE)
    assert isinstance(details, RoleRetrieveResponse)
    assert (details.id, details.name) == (SAMPLE.KEY_MANAGER, "API Key Manager")
    assert details.permissions == created.role.permissions

    listed = list(roles.list(SAMPLE.KATHERINE, project_id=SAMPLE.WEB))
    assert [r.id for r in listed] == [SAMPLE.KEY_MANAGER] and isinstance(listed[0], RoleListResponse)

    deleted = roles.delete(SAMPLE.KEY_MANAGER, project_id=SAMPLE.WEB, user_id=SAMPLE.KATHERINE)
    assert isinstance(deleted, RoleDeleteResponse)
    assert (deleted.object, deleted.deleted) == ("user.role.deleted", True)
    assert list(roles.list(SAMPLE.KATHERINE, project_id=SAMPLE.WEB)) == []


def test_role_assignments_list_follows_next_in_both_orders(emulator: EmulatorProcess, org: Any) -> None:
    emulator.reset(many_members_seed(1))
    expected = [*behaviour.PREDEFINED_PROJECT_ROLE_IDS, "role_c0", "role_c1", "role_c2", "role_c3"]
    page = org.projects.users.roles.list("user-m00", project_id="proj_big", limit=3)
    assert page.has_more is True and page.next and page.has_next_page()
    assert [r.id for r in org.projects.users.roles.list("user-m00", project_id="proj_big", limit=3)] == expected
    assert [r.id for r in org.projects.users.roles.list("user-m00", project_id="proj_big", limit=2,
                                                        order="desc")] == expected[::-1]
    assert emulator.requests().count("GET", USER_ROLES) == 1 + 3 + 4


# --- organization users, roles, projects ----------------------------------------------------------------

def test_users_list_with_emails_filter_and_retrieve(org: Any) -> None:
    found = org.users.list(emails=["GRACE@example.com", "barbara@example.com"])
    assert [u.id for u in found.data] == [SAMPLE.GRACE, SAMPLE.BARBARA]
    assert all(isinstance(u, OrganizationUser) and u.object == "organization.user" for u in found.data)
    assert [u.id for u in org.users.list(limit=2)] == [SAMPLE.ADA, SAMPLE.GRACE, SAMPLE.ALAN, SAMPLE.KATHERINE,
                                                       SAMPLE.EDSGER, SAMPLE.BARBARA]
    grace = org.users.retrieve(SAMPLE.GRACE)
    assert (grace.id, grace.email, grace.role) == (SAMPLE.GRACE, "grace@example.com", "owner")


def test_roles_list_for_the_organization_and_a_project(org: Any) -> None:
    org_roles = list(org.roles.list())
    assert [(r.id, r.resource_type, r.predefined_role) for r in org_roles] == [
        (SAMPLE.BILLING_VIEWER, "api.organization", False)]
    project_roles = list(org.projects.roles.list(SAMPLE.WEB, limit=1))
    assert [r.id for r in project_roles] == [*behaviour.PREDEFINED_PROJECT_ROLE_IDS, SAMPLE.KEY_MANAGER]
    assert all(isinstance(r, Role) and r.object == "role" for r in project_roles)


def test_projects_retrieve_and_list(emulator: EmulatorProcess, org: Any) -> None:
    web = org.projects.retrieve(SAMPLE.WEB)
    assert isinstance(web, Project)
    assert (web.id, web.object, web.name, web.status, web.archived_at) == (
        SAMPLE.WEB, "organization.project", "Web Storefront", "active", None)
    emulator.reset(many_members_seed(1))
    assert [p.id for p in org.projects.list(limit=2)] == ["proj_big", "proj_a", "proj_b", "proj_c"]
    assert [p.id for p in org.projects.list(limit=2, include_archived=True)] == [
        "proj_big", "proj_a", "proj_b", "proj_old", "proj_c"]


# --- errors ------------------------------------------------------------------------------------------------

def test_bad_requests_raise_bad_request_error_with_the_envelope(org: Any) -> None:
    with pytest.raises(openai.BadRequestError) as already:
        org.projects.users.create(SAMPLE.WEB, role="member", user_id=SAMPLE.ADA)
    assert already.value.status_code == behaviour.ALREADY_MEMBER_STATUS
    assert behaviour.ALREADY_MEMBER_FRAGMENT in already.value.message
    assert already.value.type == "invalid_request_error"
    assert already.value.request_id and already.value.request_id.startswith("req_")

    with pytest.raises(openai.BadRequestError) as bad_role:
        org.projects.users.update(SAMPLE.ALAN, project_id=SAMPLE.WEB, role="admin")
    assert bad_role.value.param == "role"

    with pytest.raises(openai.BadRequestError) as both:
        org.projects.users.create(SAMPLE.WEB, role="member", user_id=SAMPLE.BARBARA, email="barbara@example.com")
    assert both.value.param == "user_id"

    with pytest.raises(openai.BadRequestError) as bad_limit:
        org.projects.users.roles.list(SAMPLE.ADA, project_id=SAMPLE.WEB, limit=5000)
    assert bad_limit.value.param == "limit"


def test_missing_things_raise_not_found_error(org: Any) -> None:
    with pytest.raises(openai.NotFoundError) as project:
        org.projects.retrieve("proj_missing")
    assert project.value.status_code == 404
    assert project.value.message.endswith(behaviour.UNKNOWN_PROJECT_MESSAGE.format(project_id="proj_missing"))
    with pytest.raises(openai.NotFoundError):
        org.projects.users.retrieve(SAMPLE.BARBARA, project_id=SAMPLE.WEB)
    with pytest.raises(openai.NotFoundError):
        org.projects.users.roles.delete(SAMPLE.VIEWER_ROLE, project_id=SAMPLE.WEB, user_id=SAMPLE.ADA)
    with pytest.raises(openai.NotFoundError):
        org.users.retrieve("user-ghost")


def test_wrong_key_raises_authentication_error(emulator: EmulatorProcess) -> None:
    client = make_client(emulator, key="sk-admin-not-the-right-one")
    with pytest.raises(openai.AuthenticationError) as failure:
        client.admin.organization.users.list()
    assert failure.value.status_code == 401 and failure.value.code == behaviour.AUTH_FAILED_CODE
    assert "not-the-right-one" not in str(failure.value.body)


def test_throttling_and_faults_raise_the_matching_sdk_errors(emulator: EmulatorProcess, org: Any) -> None:
    emulator.set_rate_limit(1, retry_after="seconds")
    org.users.list()
    with pytest.raises(openai.RateLimitError) as throttled:
        org.users.list()
    assert throttled.value.status_code == 429 and throttled.value.code == behaviour.RATE_LIMITED_CODE
    assert throttled.value.response.headers["retry-after"]

    emulator.set_faults(Fault("GET", "/v1/organization/projects/{project_id}", "status", status=503),
                        Fault("POST", PROJECT_USERS, "drop_after"))
    with pytest.raises(openai.InternalServerError) as unavailable:
        org.projects.retrieve(SAMPLE.WEB)
    assert unavailable.value.status_code == 503
    with pytest.raises(openai.APIConnectionError):
        org.projects.users.create(SAMPLE.DATA, role="member", user_id=SAMPLE.BARBARA)
    assert org.projects.users.retrieve(SAMPLE.BARBARA, project_id=SAMPLE.DATA).role == "member"


# --- service accounts and project API keys ----------------------------------------------------------

def test_service_accounts_create_retrieve_update_list_delete(org: Any) -> None:
    created = org.projects.service_accounts.create(SAMPLE.WEB, name="ci", expires_in_seconds=600)
    assert isinstance(created, ServiceAccountCreateResponse)
    assert (created.object, created.name, created.role) == ("organization.project.service_account", "ci", "member")
    assert created.api_key is not None and created.api_key.value.startswith("sk-svcacct-")
    assert created.api_key.expires_at == created.api_key.created_at + 600

    fetched = org.projects.service_accounts.retrieve(created.id, project_id=SAMPLE.WEB)
    assert isinstance(fetched, ProjectServiceAccount) and fetched.created_at == created.created_at
    updated = org.projects.service_accounts.update(created.id, project_id=SAMPLE.WEB, name="ci-2", role="owner")
    assert (updated.name, updated.role) == ("ci-2", "owner")

    only = org.projects.service_accounts.create(SAMPLE.WEB, name="bare", create_service_account_only=True)
    assert only.api_key is None and only.role == "none"
    assert [sa.id for sa in org.projects.service_accounts.list(SAMPLE.WEB)] == [created.id, only.id]

    deleted = org.projects.service_accounts.delete(created.id, project_id=SAMPLE.WEB)
    assert isinstance(deleted, ServiceAccountDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == (
        "organization.project.service_account.deleted", created.id, True)


def test_service_accounts_list_auto_paginates(emulator: EmulatorProcess, org: Any) -> None:
    ids = [org.projects.service_accounts.create(SAMPLE.DATA, name=f"sa{i}", create_service_account_only=True).id
           for i in range(5)]
    page = org.projects.service_accounts.list(SAMPLE.DATA, limit=2)
    assert page.has_next_page() and [sa.id for sa in page.data] == ids[:2]
    assert [sa.id for sa in org.projects.service_accounts.list(SAMPLE.DATA, limit=2)] == ids


def test_service_account_api_keys_create_retrieve_update_list_delete(emulator: EmulatorProcess, org: Any) -> None:
    account = org.projects.service_accounts.create(SAMPLE.WEB, name="ci")
    key = org.projects.service_accounts.api_keys.create(
        account.id, project_id=SAMPLE.WEB, name="rotated", expires_in_seconds=60, scopes=["api.model.request"])
    assert isinstance(key, APIKeyCreateResponse)
    assert (key.object, key.name, key.expires_at) == (
        "organization.project.service_account.api_key", "rotated", key.created_at + 60)

    fetched = org.projects.api_keys.retrieve(key.id, project_id=SAMPLE.WEB)
    assert isinstance(fetched, ProjectAPIKey)
    assert (fetched.object, fetched.owner.type, fetched.owner_project_access) == (
        "organization.project.api_key", "service_account", "active")
    assert fetched.owner.service_account is not None and fetched.owner.service_account.id == account.id
    assert fetched.redacted_value.startswith("sk-svcac") and key.value not in fetched.model_dump_json()

    updated = org.projects.api_keys.update(key.id, project_id=SAMPLE.WEB, expires_in_seconds=3600, scopes=[])
    assert updated.expires_at is not None and updated.expires_at > key.expires_at
    listed = [k.id for k in org.projects.api_keys.list(SAMPLE.WEB, owner_project_access="any")]
    assert listed == [account.api_key.id, key.id]

    deleted = org.projects.api_keys.delete(key.id, project_id=SAMPLE.WEB)
    assert isinstance(deleted, APIKeyDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == ("organization.project.api_key.deleted", key.id, True)
    with pytest.raises(openai.NotFoundError):
        org.projects.api_keys.retrieve(key.id, project_id=SAMPLE.WEB)


def test_a_service_account_key_authenticates_once_shown_and_not_after_deletion(emulator: EmulatorProcess,
                                                                               org: Any) -> None:
    created = org.projects.service_accounts.create(SAMPLE.WEB, name="app")
    assert created.api_key is not None
    app = openai.OpenAI(api_key=created.api_key.value, base_url=emulator.base_url, max_retries=0)
    assert [m.id for m in app.models.list()]  # the key works on a non-admin endpoint
    with pytest.raises(openai.AuthenticationError):  # and not on the admin API
        make_client(emulator, key=created.api_key.value).admin.organization.projects.service_accounts.list(SAMPLE.WEB)
    with pytest.raises(openai.AuthenticationError):  # the admin key is not a project key
        openai.OpenAI(api_key=emulator.admin_key, base_url=emulator.base_url, max_retries=0).models.list()
    org.projects.service_accounts.delete(created.id, project_id=SAMPLE.WEB)
    with pytest.raises(openai.AuthenticationError) as gone:
        app.models.list()
    assert gone.value.code == behaviour.AUTH_FAILED_CODE


def test_service_account_errors(org: Any) -> None:
    with pytest.raises(openai.NotFoundError):
        org.projects.service_accounts.retrieve("svc_acct_nobody", project_id=SAMPLE.WEB)
    with pytest.raises(openai.BadRequestError) as both:
        org.projects.service_accounts.create(SAMPLE.WEB, name="x", create_service_account_only=True,
                                             expires_in_seconds=5)
    assert both.value.param == "expires_in_seconds"
    with pytest.raises(openai.BadRequestError) as bad_role:
        org.projects.service_accounts.update("svc_acct_x", project_id=SAMPLE.WEB, role="admin")  # type: ignore[arg-type]
    assert bad_role.value.param == "role"
    with pytest.raises(openai.BadRequestError) as bad_filter:
        org.projects.api_keys.list(SAMPLE.WEB, owner_project_access="some")  # type: ignore[arg-type]
    assert bad_filter.value.param == "owner_project_access"


def test_service_account_create_faults_raise_the_matching_sdk_errors(emulator: EmulatorProcess, org: Any) -> None:
    emulator.set_faults(Fault("POST", SERVICE_ACCOUNTS, "status", status=502),
                        Fault("POST", SERVICE_ACCOUNTS, "drop_after"))
    with pytest.raises(openai.InternalServerError):
        org.projects.service_accounts.create(SAMPLE.WEB, name="ci")
    with pytest.raises(openai.APIConnectionError):
        org.projects.service_accounts.create(SAMPLE.WEB, name="ci")
    # The 502 applied nothing; the dropped answer did create one account.
    assert [sa.name for sa in org.projects.service_accounts.list(SAMPLE.WEB)] == ["ci"]
