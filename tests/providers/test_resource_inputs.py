"""The program side of the dynamic resources, under Pulumi's mocks: what a stack registers.

This is what lands in every resource's state: the inputs, and ``__provider``, which must be a
small by-reference pickle with no credentials in it.
"""

from __future__ import annotations

import base64

import dill
import pulumi
import pytest
from pulumi.runtime import rpc

from pulumi_openai_access.providers.exclusive_project_access import (
    ExclusiveProjectAccess,
    ExclusiveProjectAccessProvider,
)
from pulumi_openai_access.providers.project import Project, ProjectProvider
from pulumi_openai_access.providers.project_role import ProjectRole, ProjectRoleProvider
from pulumi_openai_access.providers.project_user import ProjectUser, ProjectUserArgs, ProjectUserProvider
from pulumi_openai_access.providers.service_account import ServiceAccount, ServiceAccountProvider
from pulumi_openai_access.providers.user_role_assignment import UserRoleAssignment, UserRoleAssignmentProvider

SECRET = "sk-admin-program-side-secret-0123456789"


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: dict[str, pulumi.runtime.MockResourceArgs] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered[args.name] = args
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def mocks(monkeypatch: pytest.MonkeyPatch) -> RecordingMocks:
    # A key in both places a careless provider could capture it from.
    monkeypatch.setenv("OPENAI_ADMIN_KEY", SECRET)
    pulumi.runtime.set_all_config({"openai:adminKey": SECRET}, secret_keys=["openai:adminKey"])
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    return recording


def assert_small_keyless_provider(args: pulumi.runtime.MockResourceArgs, provider_class: type) -> None:
    """``__provider`` as registered: under 200 bytes, no key in it, the class by reference."""
    blob = rpc.unwrap_rpc_secret(args.inputs["__provider"])
    assert len(blob) < 200, blob
    decoded = base64.b64decode(blob)
    assert SECRET.encode() not in decoded and b"sk-admin" not in decoded
    assert type(dill.loads(decoded)) is provider_class


@pulumi.runtime.test
def test_project_user_registers_its_inputs_and_a_small_keyless_provider(mocks: RecordingMocks):
    membership = ProjectUser("alice", project_id="proj_abc", email="Alice@Example.com", role="member")

    def check(_):
        args = mocks.registered["alice"]
        assert args.typ == "pulumi-python:dynamic/openai:ProjectUser"
        assert args.inputs["project_id"] == "proj_abc"
        assert args.inputs["email"] == "Alice@Example.com"
        assert args.inputs["role"] == "member"
        assert_small_keyless_provider(args, ProjectUserProvider)

    return membership.urn.apply(check)


@pulumi.runtime.test
def test_args_class_and_keywords_register_the_same_inputs(mocks: RecordingMocks):
    by_args = ProjectUser("by-args", ProjectUserArgs(project_id="proj_abc", user_id="user-abc", role="owner"))
    by_keywords = ProjectUser("by-keywords", project_id="proj_abc", user_id="user-abc", role="owner")

    def check(_):
        def inputs(name: str) -> dict:
            return {k: v for k, v in mocks.registered[name].inputs.items() if k != "__provider"}

        assert inputs("by-args") == inputs("by-keywords")
        assert inputs("by-args")["user_id"] == "user-abc"

    return pulumi.Output.all(by_args.urn, by_keywords.urn).apply(check)


def test_args_and_keywords_together_are_refused(mocks: RecordingMocks):
    with pytest.raises(TypeError, match="not both"):
        ProjectUser("both", ProjectUserArgs(project_id="proj_a", role="owner", user_id="user-a"), role="member")


@pulumi.runtime.test
def test_role_assignment_accepts_outputs_of_a_membership(mocks: RecordingMocks):
    membership = ProjectUser("bob", project_id="proj_abc", user_id="user-bob", role="member")
    assignment = UserRoleAssignment(
        "bob-viewer",
        project_id=membership.project_id,
        user_id=membership.user_id,
        role_id="role-api-project-viewer",
        opts=pulumi.ResourceOptions(depends_on=[membership]),
    )

    def check(_):
        args = mocks.registered["bob-viewer"]
        assert args.typ == "pulumi-python:dynamic/openai:UserRoleAssignment"
        assert args.inputs["project_id"] == "proj_abc"
        assert args.inputs["user_id"] == "user-bob"
        assert args.inputs["role_id"] == "role-api-project-viewer"
        assert_small_keyless_provider(args, UserRoleAssignmentProvider)

    return assignment.urn.apply(check)


@pulumi.runtime.test
def test_exclusive_project_access_registers_its_inputs_and_a_small_keyless_provider(mocks: RecordingMocks):
    exclusive = ExclusiveProjectAccess("web-exclusive", project_id="proj_abc", members=[{"email": "a@example.com"}])

    def check(_):
        args = mocks.registered["web-exclusive"]
        assert args.typ == "pulumi-python:dynamic/openai:ExclusiveProjectAccess"
        assert args.inputs["project_id"] == "proj_abc"
        assert args.inputs["members"] == [{"email": "a@example.com"}]
        assert_small_keyless_provider(args, ExclusiveProjectAccessProvider)

    return exclusive.urn.apply(check)


@pulumi.runtime.test
def test_outputs_are_typed_attributes(mocks: RecordingMocks):
    membership = ProjectUser("carol", project_id="proj_abc", user_id="user-carol", role="owner")
    return pulumi.Output.all(membership.project_id, membership.role).apply(
        lambda values: _assert_equal(values, ["proj_abc", "owner"])
    )


def _assert_equal(actual, expected) -> None:
    assert actual == expected


def test_a_plain_text_key_in_stack_config_is_refused_before_anything_is_registered(monkeypatch):
    """The engine would copy it into state unencrypted, as the dynamic provider's config."""
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    pulumi.runtime.set_all_config({"openai:adminKey": SECRET}, secret_keys=[])
    try:
        with pytest.raises(ValueError, match="--secret openai:adminKey") as raised:
            ProjectUser("plain", project_id="proj_abc", user_id="user-abc", role="member")
        assert SECRET not in str(raised.value)
        with pytest.raises(ValueError, match="OPENAI_ADMIN_KEY"):
            UserRoleAssignment("plain-role", project_id="proj_abc", user_id="user-abc", role_id="role-api-project-viewer")
        assert recording.registered == {}
    finally:
        pulumi.runtime.set_all_config({}, secret_keys=[])


def test_a_stack_can_declare_more_than_a_thousand_resources(mocks: RecordingMocks):
    """pulumi 3.272.0's serialize_provider leaves a pickle patch that stacks up per dynamic
    resource (RecursionError near the 980th); the resources undo it after registering."""
    import pickle

    before = pickle._Pickler._batch_setitems
    for index in range(1200):
        ProjectUser(f"member-{index}", project_id="proj_abc", user_id=f"user-n{index}", role="member")
    UserRoleAssignment("last-role", project_id="proj_abc", user_id="user-n0", role_id="role-api-project-viewer")
    assert pickle._Pickler._batch_setitems is before


@pulumi.runtime.test
def test_service_account_registers_its_inputs_no_key_and_a_small_keyless_provider(mocks: RecordingMocks):
    account = ServiceAccount("ci", project_id="proj_abc", name="ci-bot", rotation="1")

    def check(_):
        args = mocks.registered["ci"]
        assert args.typ == "pulumi-python:dynamic/openai:ServiceAccount"
        assert (args.inputs["project_id"], args.inputs["name"], args.inputs["rotation"]) == ("proj_abc", "ci-bot", "1")
        assert args.inputs.get("api_key") is None  # an output only, seeded empty
        assert_small_keyless_provider(args, ServiceAccountProvider)

    return account.urn.apply(check)


def test_service_account_takes_no_key_as_input_and_documents_its_outputs():
    with pytest.raises(TypeError, match="unknown keyword arguments api_key"):
        ServiceAccount("ci", project_id="proj_abc", name="ci-bot", api_key="sk-chosen-by-hand")
    assert "secret" in ServiceAccount.api_key.__doc__


@pulumi.runtime.test
def test_project_and_project_role_register_their_types_and_a_small_keyless_provider(mocks: RecordingMocks):
    project = Project("checkout", name="Checkout")
    role = ProjectRole("checkout/evaluator", project_id=project.id, role_name="Evaluator",
                       permissions=["api.model.read"])

    def check(_):
        project_args, role_args = mocks.registered["checkout"], mocks.registered["checkout/evaluator"]
        assert project_args.typ == "pulumi-python:dynamic/openai:Project"
        assert role_args.typ == "pulumi-python:dynamic/openai:ProjectRole"
        assert (project_args.inputs["name"], role_args.inputs["project_id"]) == ("Checkout", "checkout-id")
        assert_small_keyless_provider(project_args, ProjectProvider)
        assert_small_keyless_provider(role_args, ProjectRoleProvider)

    return pulumi.Output.all(project.urn, role.urn).apply(check)
