"""A stack's life through the real Pulumi engine against the emulator over real sockets:
preview, up, a no-op up, drift and refresh, in-place role changes, reorganised teams, destroy.

Each test is one stack whose steps share it; every step checks the engine's result (change
summary, outputs, output text) and what the API saw (the emulator's state and the requests of
that step alone).
"""

from __future__ import annotations

import copy

import requests

from pulumi_openai_access.emulator.process import PROJECT_USER, PROJECT_USERS, SAMPLE, USER_ROLE, USER_ROLES
from tests.support.engine import (
    assert_emulator_matches,
    assert_state_in_emulator,
    assignments_of,
    memberships_of,
    team_spec,
)

BARBARA_WEB = f"{SAMPLE.WEB}/barbara@example.com"
EDSGER_WEB = f"{SAMPLE.WEB}/{SAMPLE.EDSGER}"
BARBARA_DATA = f"{SAMPLE.DATA}/barbara@example.com"
MEMBERSHIPS = (BARBARA_WEB, EDSGER_WEB, BARBARA_DATA)
# the stack, the OrganizationAccess component and 3 memberships (2 of them with an extra role)
ALL = 1 + 1 + len(MEMBERSHIPS)


def test_preview_then_up_then_a_no_op_up(engine_stack, emulator):
    baseline = emulator.state()
    stack = engine_stack("lifecycle", spec=team_spec())

    # 1. preview of an empty stack: every create planned, the API not called at all
    preview = stack.preview()
    assert preview.changes == {"create": ALL}
    for name in MEMBERSHIPS:
        assert any(name in line and "create" in line for line in preview.output), f"{name} not planned:\n{preview.text}"
    assert preview.requests.total == 0, preview.requests
    assert emulator.state() == baseline
    assert stack.resources() == []

    # 2. up creates every membership and assignment, exactly as the spec says
    up = stack.up()
    assert up.changes == {"create": ALL}
    assert up.outputs["access"] == {
        SAMPLE.WEB: {
            "barbara@example.com": {"role": "member", "roles": [SAMPLE.VIEWER_ROLE], "teams": ["storefront"]},
            SAMPLE.EDSGER: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE], "teams": ["storefront"]},
        },
        SAMPLE.DATA: {"barbara@example.com": {"role": "owner", "roles": [], "teams": ["data"]}},
    }
    assert up.requests.writes() == {f"POST {PROJECT_USERS}": 3, f"POST {USER_ROLES}": 2}
    assert not up.requests.faults and not up.requests.rate_limited
    assert_emulator_matches(emulator, stack.spec, baseline)
    memberships = memberships_of(emulator.state())
    assert memberships[(SAMPLE.WEB, SAMPLE.BARBARA)] == "member"
    assert memberships[(SAMPLE.WEB, SAMPLE.EDSGER)] == "member"
    assert memberships[(SAMPLE.DATA, SAMPLE.BARBARA)] == "owner"
    assert {(SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE), (SAMPLE.WEB, SAMPLE.EDSGER, SAMPLE.VIEWER_ROLE)} \
        <= assignments_of(emulator.state())
    managed_memberships, managed_assignments = stack.managed()
    assert managed_memberships == {
        (SAMPLE.WEB, SAMPLE.BARBARA): "member", (SAMPLE.WEB, SAMPLE.EDSGER): "member",
        (SAMPLE.DATA, SAMPLE.BARBARA): "owner",
    }
    assert managed_assignments == {
        (SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE), (SAMPLE.WEB, SAMPLE.EDSGER, SAMPLE.VIEWER_ROLE),
    }
    assert_state_in_emulator(stack)
    after_up = emulator.state()

    # 3. nothing changed: no changes, and not a single request (no write, no read)
    again = stack.up()
    assert again.changes == {"same": ALL}
    assert again.requests.total == 0, again.requests
    assert emulator.state() == after_up


def test_drift_outside_pulumi_is_refreshed_and_repaired(engine_stack, emulator):
    baseline = emulator.state()
    stack = engine_stack("drift", spec=team_spec())
    stack.up()

    # Outside Pulumi, through the API with the admin key: edsger leaves WEB (and with the
    # membership the API ends his role there), barbara becomes a mere member of DATA.
    removed = requests.delete(
        f"{emulator.base_url}/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.EDSGER}",
        headers=emulator.auth_headers, timeout=10,
    )
    changed = requests.post(
        f"{emulator.base_url}/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}",
        headers=emulator.auth_headers, json={"role": "member"}, timeout=10,
    )
    assert removed.status_code == 200 and changed.status_code == 200
    drifted = emulator.state()
    assert (SAMPLE.WEB, SAMPLE.EDSGER) not in memberships_of(drifted)
    assert (SAMPLE.WEB, SAMPLE.EDSGER, SAMPLE.VIEWER_ROLE) not in assignments_of(drifted)

    # refresh shows both: the membership (with its role) deleted, the other one updated
    refresh = stack.refresh()
    assert refresh.changes == {"same": ALL - 2, "delete": 1, "update": 1}, refresh.changes
    assert refresh.requests.writes() == {}, "refresh must only read"
    assert emulator.state() == drifted
    memberships, assignments = stack.managed()
    assert memberships == {
        (SAMPLE.WEB, SAMPLE.BARBARA): "member", (SAMPLE.DATA, SAMPLE.BARBARA): "member",
    }
    assert assignments == {(SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE)}
    refresh_text = refresh.text
    assert EDSGER_WEB in refresh_text and BARBARA_DATA in refresh_text

    # the next up restores the spec: edsger and his role back, barbara owner again
    up = stack.up()
    assert up.changes == {"same": ALL - 2, "create": 1, "update": 1}, up.changes
    assert up.requests.writes() == {
        f"POST {PROJECT_USERS}": 1, f"POST {USER_ROLES}": 1, f"POST {PROJECT_USER}": 1,
    }
    assert_emulator_matches(emulator, stack.spec, baseline)
    assert_state_in_emulator(stack)
    assert stack.managed() == (
        {(SAMPLE.WEB, SAMPLE.BARBARA): "member", (SAMPLE.WEB, SAMPLE.EDSGER): "member",
         (SAMPLE.DATA, SAMPLE.BARBARA): "owner"},
        {(SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE), (SAMPLE.WEB, SAMPLE.EDSGER, SAMPLE.VIEWER_ROLE)},
    )


def test_a_role_change_is_an_in_place_update_and_reorganised_teams_change_nothing(engine_stack, emulator):
    baseline = emulator.state()
    stack = engine_stack("changes", spec=team_spec())
    stack.up()
    urns_before = {r["urn"]: r["id"] for r in stack.resources() if r.get("custom")}

    # barbara: owner → member of DATA in the spec
    spec = copy.deepcopy(stack.spec)
    spec["teams"]["data"]["grants"][SAMPLE.DATA] = "member"
    stack.spec = spec
    preview = stack.preview()
    assert preview.changes == {"same": ALL - 1, "update": 1}
    assert preview.requests.total == 0
    up = stack.up()
    assert up.changes == {"same": ALL - 1, "update": 1}, "a role change must update in place, never replace"
    assert not any("replace" in kind for kind in up.changes)
    assert any(BARBARA_DATA in line and "updat" in line for line in up.output), up.text
    assert up.requests.writes() == {f"POST {PROJECT_USER}": 1}
    assert up.requests.total == 1, up.requests  # the update needs no read
    assert memberships_of(emulator.state())[(SAMPLE.DATA, SAMPLE.BARBARA)] == "member"
    assert_emulator_matches(emulator, spec, baseline)
    assert {r["urn"]: r["id"] for r in stack.resources() if r.get("custom")} == urns_before
    after_update = emulator.state()

    # edsger moves to a new team with the same grants, and the "data" team is renamed:
    # every resource is named after what it manages, so nothing changes and nothing is sent
    reorganised = {
        "teams": {
            "storefront": {
                "members": ["barbara@example.com"],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}},
            },
            "search": {
                "members": [SAMPLE.EDSGER],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}},
            },
            "analytics": {"members": ["barbara@example.com"], "grants": {SAMPLE.DATA: "member"}},
        }
    }
    stack.spec = reorganised
    preview = stack.preview()
    assert preview.changes == {"same": ALL}
    assert preview.requests.total == 0, preview.requests
    up = stack.up()
    assert up.changes == {"same": ALL}
    assert up.requests.total == 0, up.requests
    assert emulator.state() == after_update
    assert {r["urn"]: r["id"] for r in stack.resources() if r.get("custom")} == urns_before
    # only the summary output follows the new team names
    assert up.outputs["access"][SAMPLE.WEB][SAMPLE.EDSGER]["teams"] == ["search"]
    assert up.outputs["access"][SAMPLE.DATA]["barbara@example.com"]["teams"] == ["analytics"]


def test_destroy_removes_what_the_stack_created_and_nothing_else(engine_stack, emulator):
    baseline = emulator.state()
    stack = engine_stack("destroy", spec=team_spec())
    stack.up()
    assert_emulator_matches(emulator, stack.spec, baseline)

    destroy = stack.destroy()
    assert destroy.changes == {"delete": ALL}
    # the API drops a member's roles with the membership: one request per membership
    assert destroy.requests.writes() == {f"DELETE {PROJECT_USER}": 3}
    assert stack.resources() == []
    after = emulator.state()
    # the sample organization's own memberships and roles, untouched (timestamps included)
    assert after["memberships"] == baseline["memberships"]
    assert after["role_assignments"] == baseline["role_assignments"]
    assert after == baseline


def test_an_extra_role_change_updates_the_membership_in_place_and_names_the_roles(engine_stack, emulator):
    baseline = emulator.state()
    stack = engine_stack("extra-roles", spec=team_spec())
    stack.up()
    urns_before = {r["urn"]: r["id"] for r in stack.resources() if r.get("custom")}

    spec = copy.deepcopy(stack.spec)
    spec["teams"]["storefront"]["grants"][SAMPLE.WEB]["roles"] = [SAMPLE.KEY_MANAGER]
    stack.spec = spec
    preview = stack.preview(diff=True)
    assert preview.changes == {"same": ALL - 2, "update": 2}
    assert preview.requests.total == 0
    # the preview names the role removed and the role added, as `~ roles: [ ~ [0]: "old" => "new" ]`
    assert f'"{SAMPLE.VIEWER_ROLE}" => "{SAMPLE.KEY_MANAGER}"' in preview.text, preview.text

    up = stack.up()
    assert up.changes == {"same": ALL - 2, "update": 2}, "extra roles change in place, never replace"
    assert up.requests.writes() == {f"POST {USER_ROLES}": 2, f"DELETE {USER_ROLE}": 2}
    assert_emulator_matches(emulator, spec, baseline)
    assert (SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE) not in assignments_of(emulator.state())
    assert {r["urn"]: r["id"] for r in stack.resources() if r.get("custom")} == urns_before
