"""Group-teams under Pulumi's mocks: what a stack registers for ``group`` and ``external_group``
teams, and the spec errors they bring, each with its path."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_openai_access.components import AccessSpecError, OrganizationAccess, TeamAccess
from pulumi_openai_access.components import expiry
from pulumi_openai_access.components.access_spec import parse_access_spec
from pulumi_openai_access.components.exclusive_access import declared_people
from pulumi_openai_access.components.group_teams import group_access_summary, group_teams
from pulumi_openai_access.components.stack_program import readable_group_summary
from tests.support.recording_monitor import RecordingMonitor, install_recording_monitor

WEB, DATA = "proj_Web0000000000000000000000", "proj_Data000000000000000000000"
VIEWER = "role-api-project-viewer"

SPEC = {
    "teams": {
        "data": {"group": "data-team", "members": ["ada@example.com", "user-Grace00000000000000000"],
                 "grants": {DATA: {"role": "member", "roles": [VIEWER]}}},
        "ml": {"external_group": "ML Engineers", "grants": {WEB: "owner"}},
        "web": {"members": ["ada@example.com"], "grants": {DATA: "owner"}},
    }
}


@pytest.fixture
def monitor() -> RecordingMonitor:
    return install_recording_monitor()


def settle(*resources: pulumi.Resource) -> pulumi.Output:
    return pulumi.Output.all(*[r.urn for r in resources])


@pulumi.runtime.test
def test_group_teams_declare_a_group_its_users_and_its_grants(monitor):
    organization = OrganizationAccess("org", SPEC)

    def check(_):
        groups = monitor.of_type(":Group")
        assert {name: g.inputs for name, g in groups.items()} == {
            "group/data-team": {"name": "data-team", "adopt": False, "external": False},
            "group/ML Engineers": {"name": "ML Engineers", "adopt": False, "external": True},
        }
        users = monitor.of_type(":GroupUser")
        assert set(users) == {"group/data-team/ada@example.com", "group/data-team/user-Grace00000000000000000"}
        assert users["group/data-team/ada@example.com"].inputs["email"] == "ada@example.com"
        grants = monitor.of_type(":ProjectGroup")
        assert set(grants) == {f"{DATA}/group/data-team", f"{WEB}/group/ML Engineers"}
        data = grants[f"{DATA}/group/data-team"].inputs
        assert (data["project_id"], data["role"], data["roles"]) == (DATA, "member", [VIEWER])
        # Ada reaches DATA both ways: the per-person team keeps its own membership.
        assert set(monitor.of_type(":ProjectUser")) == {f"{DATA}/ada@example.com"}

    declared = organization.groups.values()
    return settle(*[d.group for d in declared], *[u for d in declared for u in d.users.values()],
                  *[g for d in declared for g in d.grants.values()]).apply(check)


@pulumi.runtime.test
def test_team_access_takes_the_group_as_a_keyword(monitor):
    team = TeamAccess("ml", {"grants": {WEB: "member"}}, external_group="group_01J1F8ABCD")

    def check(_):
        assert monitor.of_type(":Group")["group/group_01J1F8ABCD"].inputs["external"] is True
        assert monitor.of_type(":GroupUser") == {} and monitor.of_type(":ProjectUser") == {}

    return settle(team.groups["ml"].group, *team.groups["ml"].grants.values()).apply(check)


@pytest.mark.parametrize("teams, problem", [
    ({"t": {"group": "g", "external_group": "h", "members": ["a@x.io"], "grants": {WEB: "owner"}}},
     "teams.t: give group (a group this stack manages) or external_group"),
    ({"t": {"external_group": "h", "members": ["a@x.io"], "grants": {WEB: "owner"}}},
     "teams.t: an external_group's users are not managed here"),
    ({"t": {"group": " ", "members": ["a@x.io"], "grants": {WEB: "owner"}}}, "teams.t.group: must be a group name of 1 to 255 characters with something besides spaces, got ' '"),
    ({"t": {"group": "g" * 256, "members": ["a@x.io"], "grants": {WEB: "owner"}}},
     "teams.t.group: must be at most 255 characters, got 256"),
    ({"a": {"group": "g", "members": ["a@x.io"], "grants": {WEB: "owner"}},
      "b": {"external_group": "g", "grants": {DATA: "owner"}}},
     "teams.b.external_group: group 'g' is team 'a' already"),
    ({"t": {"grants": {WEB: "owner"}}}, "teams.t: a team needs members (or an external_group)"),
])
def test_bad_group_teams_name_the_path(teams, problem):
    with pytest.raises(AccessSpecError) as caught:
        parse_access_spec({"teams": teams})
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_the_summary_names_each_group_grant_and_who_it_reaches():
    access = group_access_summary(group_teams(parse_access_spec(SPEC), expiry.now()))
    assert access[DATA]["data-team"] == {"role": "member", "roles": [VIEWER], "team": "data",
                                         "members": ["ada@example.com", "user-Grace00000000000000000"]}
    assert readable_group_summary(access) == [
        f"{DATA}: group data-team member +{VIEWER} (data): ada@example.com, user-Grace00000000000000000",
        f"{WEB}: group ML Engineers owner (ml): its users as the identity provider keeps them",
    ]


def test_organization_exclusive_counts_group_team_members_as_declared():
    people = declared_people(parse_access_spec(SPEC))
    assert {"email": "ada@example.com"} in people and {"user_id": "user-Grace00000000000000000"} in people
