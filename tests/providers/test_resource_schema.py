"""``ResourceSchema``: ``check`` and ``diff`` as it derives them, shown on ``ProjectUser`` and
``UserRoleAssignment`` (local decisions, made with no API at all; the other resources' own
rules are proven in their modules), rules over several inputs together, and outputs derived
both ways (API record → outputs → record).

No emulator runs here and no key is configured: if either method tried to reach the API,
these tests would fail with a missing-key or connection error.
"""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc

from pulumi_openai_access.providers.admin_api.models import NewApiKey, ProjectMembership
from pulumi_openai_access.providers.input_checks import positive_seconds
from pulumi_openai_access.providers.project_user import ProjectUserProvider
from pulumi_openai_access.providers.resource_schema import Constraint, Input, Output, RecordOutputs, ResourceSchema
from pulumi_openai_access.providers.shared_inputs import PROJECT
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
            ({"role": "admin"}, "role", "'owner' or 'member'"),
            ({"role": None}, "role", "'owner' or 'member'"),
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


# --- the schema itself: rules over several inputs, outputs both ways --------------------------
def _schema() -> ResourceSchema:
    def shorter(inputs):
        return "short must be shorter than long" if inputs.get("short") >= inputs.get("long") else None

    return ResourceSchema(
        inputs=(PROJECT, Input("short", int, "s", rule=positive_seconds), Input("long", int, "l", rule=positive_seconds)),
        outputs=(Output("thing_id", str, "The thing's id."), Output("made_at", int | None, "When.")),
        constraints=(Constraint("short", ("short", "long"), shorter),),
        records=(RecordOutputs(ProjectMembership, {"thing_id": "id", "made_at": "added_at"}),),
    )


@pytest.mark.parametrize("news, failures", [
    ({"short": 5, "long": 10}, []),
    ({"short": 10, "long": 5}, [("short", "short must be shorter than long")]),
    ({"short": 0, "long": 5}, [("short", "short must be a whole number of seconds above zero, got 0")]),
    ({"short": rpc.UNKNOWN, "long": 5}, []),  # judged when known
])
def test_a_rule_over_several_inputs_is_asked_only_when_each_input_is_known_and_valid(news, failures):
    result = _schema().check({"project_id": "proj_a", **news})
    assert [(f.property, f.reason) for f in result.failures] == failures
    assert _schema().constraint_problems({"short": 10, "long": 5}) == ["short must be shorter than long"]


def test_outputs_come_from_the_inputs_the_record_and_what_the_provider_adds():
    schema = _schema()
    record = ProjectMembership(id="thing-1", role="member", added_at=1700000000)
    outputs = schema.output_values({"project_id": "proj_a", "short": 5, "ignored": 1},
                                   schema.records[0].outputs(record), {"long": 10})
    assert outputs == {"project_id": "proj_a", "short": 5, "long": 10, "thing_id": "thing-1", "made_at": 1700000000}
    with pytest.raises(KeyError, match="not declared"):
        schema.output_values({}, {"made_by": "someone"})


def test_a_record_is_rebuilt_from_stored_outputs():
    fields = RecordOutputs(ProjectMembership, {"user_id": "id", "role": "role", "added_at": "added_at"})
    stored = {"user_id": "user-a", "role": "owner", "added_at": 1700000000.0}  # numbers come back as floats
    rebuilt = fields.record_from(stored)
    assert (rebuilt.id, rebuilt.role, rebuilt.added_at) == ("user-a", "owner", 1700000000)
    assert fields.outputs(rebuilt) == {"user_id": "user-a", "role": "owner", "added_at": 1700000000}
    assert fields.outputs(None) == {"user_id": None, "role": None, "added_at": None}


def test_a_secret_field_becomes_its_value_and_an_undeclared_record_output_is_refused():
    key = RecordOutputs(NewApiKey, {"api_key": "value", "api_key_id": "id"})
    assert key.outputs(NewApiKey(id="key_1", value="sk-abc")) == {"api_key": "sk-abc", "api_key_id": "key_1"}
    with pytest.raises(ValueError, match=r"\['api_key', 'api_key_id'\] are not declared outputs"):
        ResourceSchema(inputs=(PROJECT,), records=(key,))
    assert ResourceSchema(inputs=(PROJECT,)).input("project_id") is PROJECT
