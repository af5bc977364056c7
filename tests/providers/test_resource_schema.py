"""``check`` and ``diff`` as the schema derives them, shown on ``ProjectUser`` and
``UserRoleAssignment``: local decisions, made with no API at all. (``ServiceAccount`` and
``ExclusiveProjectAccess`` add rules of their own, proven in their modules.)

No emulator runs here and no key is configured: if either method tried to reach the API,
these tests would fail with a missing-key or connection error.
"""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc

from pulumi_openai_access.providers.project_user import ProjectUserProvider
from pulumi_openai_access.providers.user_role_assignment import UserRoleAssignmentProvider


@pytest.fixture(autouse=True)
def no_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # the discard port: nothing listens


def failures(provider, news: dict) -> dict[str, str]:
    return {f.property: f.reason for f in provider.check({}, news).failures}


MEMBER = {"project_id": "proj_abc", "email": "ada@example.com", "role": "member"}
ASSIGNMENT = {"project_id": "proj_abc", "user_id": "user-ada", "role_id": "role-api-project-viewer"}


class TestProjectUserCheck:
    def test_valid_inputs_are_normalized(self):
        result = ProjectUserProvider().check({}, {**MEMBER, "name": None, "added_at": None})
        assert result.failures == []
        assert result.inputs == {**MEMBER, "adopt": False}

    @pytest.mark.parametrize(
        "change, prop, words",
        [
            ({"project_id": None}, "project_id", "required"),
            ({"project_id": "abc"}, "project_id", "proj_abc123"),
            ({"role": "admin"}, "role", "'owner', 'member'"),
            ({"role": None}, "role", "'owner', 'member'"),
            ({"email": "not-an-email"}, "email", "email address"),
            ({"email": None}, "user_id", "one of user_id or email is required"),
            ({"user_id": "user-ada"}, "email", "not both"),
            ({"adopt": "yes"}, "adopt", "true or false"),
            ({"favourite": "x"}, "favourite", "not an input"),
        ],
    )
    def test_bad_input_names_the_property_and_what_is_allowed(self, change, prop, words):
        found = failures(ProjectUserProvider(), {**MEMBER, **change})
        assert prop in found, found
        assert words in found[prop]

    def test_bad_user_id_shape(self):
        found = failures(ProjectUserProvider(), {"project_id": "proj_abc", "user_id": "ada", "role": "owner"})
        assert "user-abc123" in found["user_id"]

    def test_every_failure_is_reported_at_once(self):
        found = failures(ProjectUserProvider(), {"project_id": "x", "role": "boss"})
        assert set(found) == {"project_id", "user_id", "role"}

    def test_unknown_values_are_not_judged_in_preview(self):
        news = {"project_id": rpc.UNKNOWN, "user_id": rpc.UNKNOWN, "role": "owner"}
        assert failures(ProjectUserProvider(), news) == {}


class TestProjectUserDiff:
    OLDS = {
        "project_id": "proj_abc", "user_id": "user-ada", "email": "ada@example.com", "name": "Ada",
        "role": "member", "added_at": 1700000000.0, "adopt": False, "requested_email": "Ada@Example.com",
        "__provider": "old-pickle",
    }

    def diff(self, **news):
        inputs = {"project_id": "proj_abc", "email": "Ada@Example.com", "role": "member", "adopt": False,
                  "__provider": "new-pickle"}
        inputs.update(news)
        inputs = {k: v for k, v in inputs.items() if v is not None}
        return ProjectUserProvider().diff("proj_abc/user-ada", self.OLDS, inputs)

    def test_nothing_changed_even_with_a_new_provider_pickle(self):
        assert self.diff().changes is False

    def test_email_letter_case_is_no_change(self):
        assert self.diff(email="ADA@example.COM").changes is False

    def test_naming_the_same_user_by_id_is_no_change(self):
        assert self.diff(email=None, user_id="user-ada").changes is False

    def test_role_change_updates_in_place(self):
        result = self.diff(role="owner")
        assert result.changes is True and result.replaces == []

    def test_adopt_change_updates_in_place(self):
        result = self.diff(adopt=True)
        assert result.changes is True and result.replaces == []

    def test_other_user_or_project_replaces(self):
        assert self.diff(email="grace@example.com").replaces == ["email"]
        assert self.diff(email=None, user_id="user-grace").replaces == ["user_id"]
        assert self.diff(project_id="proj_xyz").replaces == ["project_id"]

    def test_unknown_project_in_preview_counts_as_replace(self):
        assert self.diff(project_id=rpc.UNKNOWN).replaces == ["project_id"]


class TestUserRoleAssignmentCheckAndDiff:
    def test_valid_inputs(self):
        result = UserRoleAssignmentProvider().check({}, ASSIGNMENT)
        assert result.failures == []
        assert result.inputs == {**ASSIGNMENT, "adopt": False}

    @pytest.mark.parametrize("role_id", ["viewer", "", None, "role api"])
    def test_bad_role_id(self, role_id):
        found = failures(UserRoleAssignmentProvider(), {**ASSIGNMENT, "role_id": role_id})
        assert "role-api-project-viewer" in found["role_id"]

    def test_by_email_is_accepted(self):
        news = {"project_id": "proj_abc", "email": "ada@example.com", "role_id": "role_01J1F8PROJ"}
        assert failures(UserRoleAssignmentProvider(), news) == {}

    def test_every_api_input_replaces_and_adopt_updates(self):
        olds = {**ASSIGNMENT, "adopt": False, "name": "Viewer", "requested_email": None}
        provider = UserRoleAssignmentProvider()
        assert provider.diff("x", olds, {**ASSIGNMENT}).changes is False
        assert provider.diff("x", olds, {**ASSIGNMENT, "role_id": "role_01ABC"}).replaces == ["role_id"]
        assert provider.diff("x", olds, {**ASSIGNMENT, "user_id": "user-bob"}).replaces == ["user_id"]
        adopt = provider.diff("x", olds, {**ASSIGNMENT, "adopt": True})
        assert adopt.changes is True and adopt.replaces == []
