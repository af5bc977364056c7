"""The components' resource graph under Pulumi's mocks: what a stack would register."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_openai_access.components import AccessSpecError, OrganizationAccess, TeamAccess
from tests.support.recording_monitor import RecordingMonitor, install_recording_monitor

WEB, DATA = "proj_Web0000000000000000000000", "proj_Data000000000000000000000"
VIEWER, KEYS = "role-api-project-viewer", "role_01J1F8PROJKEYS"


@pytest.fixture
def monitor() -> RecordingMonitor:
    return install_recording_monitor()


def settle(*resources: pulumi.Resource) -> pulumi.Output:
    return pulumi.Output.all(*[r.urn for r in resources])


@pulumi.runtime.test
def test_a_team_declares_one_membership_per_member_and_project_with_its_roles(monitor):
    team = TeamAccess("platform", {
        "members": ["ada@example.com", "user-Alan000000000000000000"],
        "grants": {WEB: "owner", DATA: {"role": "member", "roles": [VIEWER]}},
    })

    def check(_):
        members = monitor.of_type(":ProjectUser")
        assert set(members) == {f"{WEB}/ada@example.com", f"{WEB}/user-Alan000000000000000000",
                                f"{DATA}/ada@example.com", f"{DATA}/user-Alan000000000000000000"}
        ada_web = members[f"{WEB}/ada@example.com"]
        # `roles` is given even when empty: a role dropped from the spec is then unassigned.
        assert ada_web.inputs == {"project_id": WEB, "email": "ada@example.com", "role": "owner", "roles": [],
                                  "adopt": False}
        alan_data = members[f"{DATA}/user-Alan000000000000000000"]
        assert alan_data.inputs["user_id"] == "user-Alan000000000000000000"
        assert alan_data.inputs["roles"] == [VIEWER]
        assert all(m.parent == team_urn[0] for m in members.values())
        assert monitor.of_type(":UserRoleAssignment") == {}

    team_urn: list[str] = []
    return team.urn.apply(lambda urn: team_urn.append(urn)).apply(lambda _: settle(*team.memberships.values())).apply(check)


ORG_SPEC = {
    "teams": {
        "web": {"members": ["ada@example.com", "grace@example.com"], "grants": {WEB: "member"}},
        "web-leads": {"members": ["ADA@example.com"], "grants": {WEB: {"role": "owner", "roles": [KEYS]}}},
        "viewers": {"members": [{"email": "ada@example.com", "user_id": "user-Ada0000000000000000000"}],
                    "grants": {WEB: {"role": "member", "roles": [VIEWER]}}},
    }
}


@pulumi.runtime.test
def test_overlapping_teams_merge_to_one_membership_with_the_highest_role(monitor):
    organization = OrganizationAccess("org", ORG_SPEC)

    def check(_):
        members = monitor.of_type(":ProjectUser")
        assert set(members) == {f"{WEB}/ada@example.com", f"{WEB}/grace@example.com"}
        ada = members[f"{WEB}/ada@example.com"]
        # Linked by the member listed with both: the API is sent the id.
        assert ada.inputs == {"project_id": WEB, "user_id": "user-Ada0000000000000000000", "role": "owner",
                              "roles": sorted([KEYS, VIEWER]), "adopt": False}
        assert members[f"{WEB}/grace@example.com"].inputs["role"] == "member"

    return settle(organization, *organization.memberships.values()).apply(check)


@pulumi.runtime.test
def test_the_summary_says_who_has_what_where_and_through_which_teams(monitor):
    organization = OrganizationAccess("org", ORG_SPEC)
    expected = {WEB: {
        "ada@example.com": {"role": "owner", "roles": sorted([KEYS, VIEWER]), "teams": ["viewers", "web", "web-leads"]},
        "grace@example.com": {"role": "member", "roles": [], "teams": ["web"]},
    }}
    return organization.access.apply(lambda access: _assert(access == expected, access))


def _graph(monitor: RecordingMonitor) -> dict[str, dict]:
    return {r.urn: r.inputs for r in monitor.registrations if r.type.startswith("pulumi-python:")}


def _declare_and_collect(spec: dict) -> dict[str, dict]:
    monitor = install_recording_monitor()
    organization = OrganizationAccess("org", spec)
    return settle(organization, *organization.memberships.values()).apply(lambda _: _graph(monitor))


@pulumi.runtime.test
def test_moving_a_person_between_teams_or_renaming_teams_changes_no_resource():
    before = {"teams": {
        "alpha": {"members": ["ada@example.com", "grace@example.com"], "grants": {WEB: "member"}},
        "beta": {"members": ["alan@example.com"], "grants": {WEB: "member", DATA: "owner"}},
    }}
    after = {"teams": {  # grace moved from alpha to beta's twin; alpha renamed to gamma
        "gamma": {"members": ["ada@example.com"], "grants": {WEB: "member"}},
        "beta": {"members": ["alan@example.com"], "grants": {WEB: "member", DATA: "owner"}},
        "beta-web": {"members": ["grace@example.com"], "grants": {WEB: "member"}},
    }}
    first = _declare_and_collect(before)
    return first.apply(lambda graph_before: _declare_and_collect(after).apply(
        lambda graph_after: _assert(graph_before == graph_after and len(graph_before) == 4, (graph_before, graph_after))))


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"teams": {"web": {"members": [], "grants": {WEB: "member"}}}}, "teams.web.members: a team needs at least one member"),
        ({"teams": {"web": {"members": ["a@example.com"], "grants": {WEB: "admin"}}}}, "teams.web.grants"),
        ({"teams": {"web": {"members": ["a@example.com"], "grants": {WEB: {"role": "member", "roles": ["viewer"]}}}}},
         "'viewer' is not a project role id such as 'role-api-project-viewer' or 'role_01J1F8PROJ', nor a role declared"),
        ({"teams": {"a": {"members": [{"email": "a@example.com", "user_id": "user-One"}], "grants": {WEB: "member"}},
                    "b": {"members": [{"email": "a@example.com", "user_id": "user-Two"}], "grants": {WEB: "member"}}}},
         "one person has one email and one user id"),
        ({"teams": {"a": {"members": ["a@example.com", "A@example.com"], "grants": {WEB: "member"}}}}, "listed twice"),
        ({"teams": {}}, "at least one team, service account, project or project role"),
        ({"service_accounts": {WEB: {"ci": "admin"}}},
         f"service_accounts.{WEB}.ci.role: must be 'member' or 'owner', got 'admin'"),
        ({"service_accounts": {"web": {"ci": None}}}, "service_accounts.web: 'web' is not a project id such as 'proj_abc123', nor a project declared"),
        ({"service_accounts": {WEB: {"ci": {"key_expires_in_seconds": -1}}}},
         f"service_accounts.{WEB}.ci.key_expires_in_seconds: must be a whole number of seconds above zero"),
        ({"service_accounts": {WEB: {"ci": {"key_expires_in_seconds": 60, "key_renew_before_seconds": 90}}}},
         f"service_accounts.{WEB}.ci: key_renew_before_seconds (90) must be less than key_expires_in_seconds"),
        ({"service_accounts": {WEB: {"ci": {"keys": 2}}}}, f"service_accounts.{WEB}.ci.keys: is not a field"),
        ({**ORG_SPEC, "exclusive": [DATA]}, f"exclusive: {DATA} not granted by any team"),
        ({**ORG_SPEC, "exclusive": ["data"]}, "exclusive: 'data' is not a project id such as 'proj_abc123', nor a project declared"),
        ({**ORG_SPEC, "exclusive": WEB}, f"exclusive: must be true, false or a list of project ids or keys, got '{WEB}'"),
        ({**ORG_SPEC, "max_removals": True}, "max_removals: must be a whole number of at least 0, got True"),
        ({**ORG_SPEC, "max_removals": -1}, "max_removals: must be a whole number of at least 0, got -1"),
    ],
)
def test_an_invalid_spec_fails_before_anything_is_registered(monitor, spec, words):
    with pytest.raises(AccessSpecError) as raised:
        OrganizationAccess("org", spec)
    assert words in str(raised.value)
    assert monitor.registrations == []


@pulumi.runtime.test
def test_component_options_reach_every_child(monitor):
    gate = TeamAccess("gate", {"members": ["ada@example.com"], "grants": {DATA: "member"}})
    team = TeamAccess(
        "protected",
        {"members": ["grace@example.com"], "grants": {WEB: {"role": "member", "roles": [VIEWER]}}},
        adopt=True,
        opts=pulumi.ResourceOptions(protect=True, depends_on=[gate]),
    )

    def check(_):
        children = [r for r in monitor.registrations if r.parent and "protected" not in r.name
                    and r.name.startswith(WEB)]
        assert len(children) == 1
        # Depending on a component means depending on its children.
        gate_member = next(r.urn for r in monitor.registrations if r.name == f"{DATA}/ada@example.com")
        for child in children:
            assert child.protect is True
            assert gate_member in child.dependencies
            assert child.inputs["adopt"] is True

    return settle(team, gate, *team.memberships.values()).apply(check)


def _assert(condition: bool, detail) -> None:
    assert condition, detail


@pulumi.runtime.test
def test_service_accounts_are_declared_per_project_with_their_keys_secret(monitor):
    organization = OrganizationAccess("organization", {"service_accounts": {
        WEB: {"deploy-bot": None, "release-bot": {"role": "owner", "key_expires_in_seconds": 3600,
                                                  "key_renew_before_seconds": 600, "rotation": "2026-01"}},
        DATA: {"deploy-bot": "member"},
    }})

    def check(args):
        urn, keys_secret = args
        accounts = monitor.of_type(":ServiceAccount")
        assert set(accounts) == {f"{WEB}/service-account/deploy-bot", f"{WEB}/service-account/release-bot",
                                 f"{DATA}/service-account/deploy-bot"}
        release = accounts[f"{WEB}/service-account/release-bot"]
        assert {k: v for k, v in release.inputs.items() if v is not None} == {
            "project_id": WEB, "name": "release-bot", "role": "owner", "key_expires_in_seconds": 3600,
            "key_renew_before_seconds": 600, "rotation": "2026-01"}
        assert accounts[f"{DATA}/service-account/deploy-bot"].inputs["role"] == "member"
        assert all(a.parent == urn and a.secret_outputs == ("api_key",) for a in accounts.values())
        assert keys_secret

    keys_secret = pulumi.Output.from_input(organization.service_account_keys).is_secret()
    return pulumi.Output.all(organization.urn, keys_secret).apply(
        lambda args: settle(*organization.service_accounts.values()).apply(lambda _: check(args)))


@pulumi.runtime.test
def test_an_exclusive_project_gets_one_authoritative_resource_after_its_memberships(monitor):
    team = TeamAccess("platform", {
        "members": ["Ada@Example.com", {"email": "grace@example.com", "user_id": "user-Grace000000000000000000"}],
        "grants": {WEB: {"role": "owner", "roles": [VIEWER]}, DATA: "member"},
    }, exclusive=[WEB], max_removals=3)

    def check(_):
        (exclusive,) = monitor.of_type(":ExclusiveProjectAccess").values()
        assert exclusive.name == f"{WEB}/exclusive"
        assert exclusive.inputs["project_id"] == WEB and exclusive.inputs["max_removals"] == 3
        # every declared member of WEB, both ways where the spec links them, with their extra roles
        assert exclusive.inputs["members"] == [
            {"email": "ada@example.com", "roles": [VIEWER]},
            {"user_id": "user-Grace000000000000000000", "email": "grace@example.com", "roles": [VIEWER]},
        ]
        web_children = [r.urn for r in monitor.registrations if r.name.startswith(f"{WEB}/") and r is not exclusive]
        assert len(web_children) == 2 and set(web_children) <= set(exclusive.dependencies)
        data_children = [r.urn for r in monitor.registrations if r.name.startswith(f"{DATA}/")]
        assert not set(data_children) & set(exclusive.dependencies)

    return settle(team, *team.exclusive_access.values()).apply(check)


@pulumi.runtime.test
def test_exclusive_true_means_every_granted_project_and_no_option_means_none(monitor):
    org = OrganizationAccess("org", {**ORG_SPEC, "exclusive": True})
    plain = TeamAccess("plain", {"members": ["ada@example.com"], "grants": {DATA: "member"}})
    assert set(org.exclusive_access) == {WEB} and plain.exclusive_access == {}
    return settle(org, plain).apply(lambda _: None)
