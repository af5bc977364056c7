"""Stacks made by earlier releases, upgraded through the real engine.

A stack state written by the release before (``tests/support/release_state.py``), every
resource type in it, loads into today's code: ``up`` makes no write, refresh finds nothing
changed, and destroy removes what it made. The pickled provider paths and the type names are
that contract.

A stack made before ``ProjectUser`` carried its extra roles holds each extra role as a
``UserRoleAssignment`` child of the component. After the upgrade the component declares the
role in the membership's ``roles``, and the engine deletes the old assignment resources at the
end of the ``up``: not one role may be lost.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

import pulumi
from pulumi import automation as auto

from pulumi_openai_access.components import parse_access_spec
from pulumi_openai_access.components.grant_merge import merge_grants
from pulumi_openai_access.emulator.process import SAMPLE, USER_ROLES
from pulumi_openai_access.providers.project_user import ProjectUser
from pulumi_openai_access.providers.user_role_assignment import UserRoleAssignment
from tests.support.engine import ROLE_ASSIGNMENT_TYPE, assert_emulator_matches, spec_access, team_spec
from tests.support.release_state import RELEASE_FIXTURE, release_program


def test_a_stack_written_by_the_release_before_takes_up_with_no_write(engine_stack, emulator):
    fixture = json.loads(RELEASE_FIXTURE.read_text())
    emulator.reset(fixture["emulator"])  # the organization as that release left it
    baseline = emulator.state()
    stack = engine_stack(fixture["stack"], extra=release_program)
    stack.stack.import_stack(auto.Deployment(version=3, deployment=fixture["deployment"]))
    stored_types = {resource["type"] for resource in fixture["deployment"]["resources"]}
    assert {f"pulumi-python:dynamic/openai:{name}" for name in (
        "ProjectUser", "UserRoleAssignment", "ServiceAccount", "ExclusiveProjectAccess")} <= stored_types

    up = stack.up()
    assert up.requests.writes() == {} and set(up.changes) == {"same"}, (up.changes, up.requests.writes())
    assert up.requests.total == 0, "an up with nothing changed decides locally"
    refresh = stack.refresh()  # every provider unpickled from the old state reads its resource
    assert set(refresh.changes) == {"same"}, refresh.changes
    assert refresh.requests.writes() == {}
    assert emulator.state() == baseline
    again = stack.up()
    assert set(again.changes) == {"same"} and again.requests.writes() == {}

    stack.destroy()
    after = emulator.state()
    assert after["service_accounts"] == [] and after["api_keys"] == []
    barbara_web = (SAMPLE.WEB, SAMPLE.BARBARA)
    assert barbara_web not in {(m["project_id"], m["user_id"]) for m in after["memberships"]}
    assert (SAMPLE.WEB, SAMPLE.KATHERINE, SAMPLE.VIEWER_ROLE) not in {
        (a["project_id"], a["user_id"], a["role_id"]) for a in after["role_assignments"]}
    # The exclusive resource never removes on destroy: DATA keeps everyone.
    assert members_of(SAMPLE.DATA, after) == members_of(SAMPLE.DATA, baseline)


def members_of(project_id: str, state: Mapping[str, Any]) -> list[tuple[str, str]]:
    return sorted((m["user_id"], m["role"]) for m in state["memberships"] if m["project_id"] == project_id)


def components_before_roles(spec: Mapping[str, Any]) -> Callable[[], None]:
    """The resource graph the components registered before `roles`: same component type and
    name, a ProjectUser per membership and a UserRoleAssignment per extra role, each waiting
    for its membership."""

    def program() -> None:
        parsed = parse_access_spec(spec)
        component = pulumi.ComponentResource("openai-access:index:OrganizationAccess", "organization")
        for grant in merge_grants(parsed):
            name = f"{grant.project_id}/{grant.member.key}"
            user = {"user_id": grant.member.user_id} if grant.member.user_id else {"email": grant.member.email}
            membership = ProjectUser(name, project_id=grant.project_id, role=grant.role, adopt=parsed.adopt,
                                     opts=pulumi.ResourceOptions(parent=component), **user)
            for role_id in grant.extra_roles:
                UserRoleAssignment(f"{name}/{role_id}", project_id=grant.project_id, role_id=role_id,
                                   adopt=parsed.adopt, **user,
                                   opts=pulumi.ResourceOptions(parent=component, depends_on=[membership]))
        component.register_outputs({})

    return program


def test_a_stack_with_role_assignment_children_upgrades_without_losing_a_role(engine_stack, emulator):
    baseline = emulator.state()
    spec = team_spec()
    stack = engine_stack("upgrade", extra=components_before_roles(spec))
    before = stack.up()
    wanted_memberships, wanted_assignments = spec_access(spec, baseline["users"])
    assert len(stack.resources(ROLE_ASSIGNMENT_TYPE)) == len(wanted_assignments) == 2
    assert before.requests.count("POST", USER_ROLES) == 2
    assert_emulator_matches(emulator, spec, baseline)

    # The package upgraded: the same spec, through today's component.
    stack.extra, stack.spec = None, spec
    upgraded = stack.up()
    memberships = len(wanted_memberships)
    assert upgraded.changes == {"same": 2, "update": memberships, "delete": 2}, upgraded.changes
    assert upgraded.requests.writes() == {}, "the roles are held already: nothing to assign or unassign"
    assert_emulator_matches(emulator, spec, baseline)  # every role still assigned
    assert stack.resources(ROLE_ASSIGNMENT_TYPE) == []
    assert stack.managed() == (wanted_memberships, wanted_assignments)
    assert "stays assigned: a ProjectUser of this stack manages it now" in upgraded.everything

    # Settled: a refresh finds the roles, and the next up has nothing to do.
    refresh = stack.refresh()
    assert set(refresh.changes) == {"same"}, refresh.changes
    again = stack.up()
    assert set(again.changes) == {"same"} and again.requests.total == 0
    assert_emulator_matches(emulator, spec, baseline)
