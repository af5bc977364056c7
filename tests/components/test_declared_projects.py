"""Projects and custom roles in the spec: the issue's format, every bad input with its path
before anything is registered, and the resource graph (keys resolved to ids through outputs)."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_openai_access.components import AccessSpecError, OrganizationAccess, parse_access_spec
from tests.support.recording_monitor import RecordingMonitor, install_recording_monitor

WEB = "proj_Web0000000000000000000000"

SPEC = {
    "projects": {"checkout": {"name": "Checkout service"}},
    "project_roles": {"checkout": {"evaluator": {"permissions": ["api.model.read", "api.model.request"],
                                                 "description": "Runs evaluations"}}},
    "teams": {"payments": {"members": ["ada@example.com"],
                           "grants": {"checkout": {"role": "owner", "roles": ["evaluator"]}}}},
    "service_accounts": {"checkout": {"deploy-bot": {}}},
    "exclusive": ["checkout"],
}


def test_the_issue_spec_parses():
    spec = parse_access_spec(SPEC)
    assert spec.projects["checkout"].name == "Checkout service"
    assert spec.role_name("checkout", "evaluator") == "evaluator"
    assert spec.exclusive_projects == ("checkout",)


def test_order_in_the_spec_does_not_matter():
    reordered = {key: SPEC[key] for key in ("exclusive", "service_accounts", "teams", "project_roles", "projects")}
    assert parse_access_spec(reordered) == parse_access_spec(SPEC)


def with_(**changes):
    return {**SPEC, **changes}


@pytest.mark.parametrize("spec, line", [
    (with_(projects={"checkout": {"name": ""}}),
     "projects.checkout.name: is required: a project name such as 'Checkout service'"),
    (with_(projects={"checkout": {"name": "Checkout"}, "checkout-2": {"name": "Checkout"}}),
     "projects.checkout-2.name: 'Checkout' is also the name of projects.checkout"),
    (with_(projects={"checkout": {"name": "Checkout"}, "proj_abc": {"name": "Other"}}),
     "projects.proj_abc.[key]: 'proj_abc' looks like a project id"),
    (with_(project_roles={"checkout": {"evaluator": {"permissions": []}}}),
     "project_roles.checkout.evaluator.permissions: must be a non-empty list of permissions"),
    (with_(project_roles={"checkout": {"evaluator": {"permissions": "api.model.read"}}}),
     "project_roles.checkout.evaluator.permissions: must be a non-empty list of permissions"),
    (with_(project_roles={"checkout": {"evaluator": {"permissions": ["api.model.read", 7]}}}),
     "project_roles.checkout.evaluator.permissions: must be a non-empty list of permissions such as "
     "'api.model.read' (non-empty strings), got [7]"),
    (with_(project_roles={WEB: {"evaluator": {"permissions": ["p"]}}}),
     "teams.payments.grants.checkout.roles: 'evaluator' is not a project role id such as "
     "'role-api-project-viewer' or 'role_01J1F8PROJ', nor a role declared for checkout under project_roles"),
    (with_(project_roles={"billing": {"evaluator": {"permissions": ["p"]}}}),
     "project_roles.billing: 'billing' is not a project id such as 'proj_abc123', nor a project declared "
     "under projects (declared: checkout)"),
    (with_(service_accounts={"chekout": {"bot": {}}}), "service_accounts.chekout: 'chekout' is not a project id"),
    (with_(exclusive=["checkout", "nope"]), "exclusive: 'nope' is not a project id"),
    (with_(project_roles={"checkout": {"role_x": {"permissions": ["p"]}}}),
     "project_roles.checkout.role_x.[key]: 'role_x' looks like a role id"),
    (with_(project_roles={"checkout": {"a": {"permissions": ["p"], "name": "Same"},
                                       "b": {"permissions": ["p"], "name": "Same"}}}),
     "project_roles.checkout.b: the role name 'Same' is also that of project_roles.checkout.a"),
    (with_(projects={"checkout": {"name": "C", "residency": "MOON"}}), "projects.checkout.residency"),
])
def test_every_bad_input_is_named_with_its_path(spec, line):
    with pytest.raises(AccessSpecError) as raised:
        parse_access_spec(spec)
    assert any(problem.startswith(line) for problem in raised.value.problems), raised.value.problems


def test_field_and_reference_problems_come_out_together():
    spec = with_(projects={"checkout": {"name": " "}}, service_accounts={"nope": {"bot": {}}})
    with pytest.raises(AccessSpecError) as raised:
        parse_access_spec(spec)
    assert [p.split(":")[0] for p in raised.value.problems] == ["projects.checkout.name", "service_accounts.nope"]


@pytest.fixture
def monitor() -> RecordingMonitor:
    return install_recording_monitor()


@pulumi.runtime.test
def test_keys_become_resources_and_ids_flow_as_outputs(monitor):
    organization = OrganizationAccess("org", SPEC)

    def check(_):
        (project,) = monitor.of_type(":Project").values()
        (role,) = monitor.of_type(":ProjectRole").values()
        (member,) = monitor.of_type(":ProjectUser").values()
        (account,) = monitor.of_type(":ServiceAccount").values()
        (exclusive,) = monitor.of_type(":ExclusiveProjectAccess").values()
        assert (project.name, project.inputs["name"], project.inputs["adopt"]) == ("checkout", "Checkout service",
                                                                                  False)
        assert (role.name, role.inputs["role_name"], role.inputs["project_id"]) == (
            "checkout/role/evaluator", "evaluator", "checkout-id")
        assert role.inputs["permissions"] == ["api.model.read", "api.model.request"]
        assert (member.name, member.inputs["project_id"], member.inputs["roles"]) == (
            "checkout/ada@example.com", "checkout-id", ["checkout/role/evaluator-id"])
        assert (account.name, account.inputs["project_id"]) == ("checkout/service-account/deploy-bot", "checkout-id")
        assert (exclusive.name, exclusive.inputs["project_id"]) == ("checkout/exclusive", "checkout-id")
        assert exclusive.inputs["members"] == [{"email": "ada@example.com", "roles": ["checkout/role/evaluator-id"]}]
        # The engine orders creates by these: the project, then its role, then who carries it.
        assert project.urn in role.dependencies and role.urn in member.dependencies

    resources = [*organization.memberships.values(), *organization.service_accounts.values(),
                 *organization.exclusive_access.values()]
    return pulumi.Output.all(*[r.urn for r in resources]).apply(check)


@pulumi.runtime.test
def test_an_invite_to_a_declared_project_gets_its_id(monitor):
    spec = {**SPEC, "invite": True, "exclusive": False}
    organization = OrganizationAccess("org", spec)

    def check(_):
        (invite,) = monitor.of_type(":Invite").values()
        assert invite.inputs["projects"] == [{"id": "checkout-id", "role": "owner"}]

    return pulumi.Output.all(*[i.urn for i in organization.invites.values()]).apply(check)
