"""The issue's spec through the real engine: a project, its custom role, a team's membership
with that role, a service account and exclusivity, all created from nothing in one up after a
preview of 0 requests; exclusive from birth without a listing; a second up of 0 requests."""

from __future__ import annotations

from pulumi_openai_access.emulator.process import PROJECT_ROLES, PROJECT_USERS, PROJECTS, SAMPLE, SERVICE_ACCOUNTS
from tests.support.engine import EngineStack

SPEC = {
    "projects": {"checkout": {"name": "Checkout service"}},
    "project_roles": {"checkout": {"evaluator": {"permissions": ["api.model.read", "api.model.request"],
                                                 "description": "Runs evaluations"}}},
    "teams": {"payments": {"members": ["barbara@example.com"],
                           "grants": {"checkout": {"role": "owner", "roles": ["evaluator"]},
                                      SAMPLE.WEB: "member"}}},
    "service_accounts": {"checkout": {"deploy-bot": {}}},
    "exclusive": ["checkout"],
}


def test_the_issue_spec_from_nothing_in_one_up(engine_stack, emulator):
    stack: EngineStack = engine_stack("declared-projects", spec=SPEC)
    preview = stack.preview()
    assert preview.requests.total == 0
    # the stack, the component, the project, the role, two memberships, the account, the exclusive resource
    assert preview.changes.get("create") == 8

    up = stack.up()
    assert up.requests.count("POST", PROJECTS) == 1 and up.requests.count("POST", PROJECT_ROLES) == 1
    # Exclusive from birth: nobody was listed, since nobody but the declared can be there yet.
    assert up.requests.count("GET", PROJECT_USERS) == 0
    state = emulator.state()
    (project,) = [p for p in state["projects"] if p["name"] == "Checkout service"]
    (role,) = [r for r in state["roles"] if r["project_id"] == project["id"]]
    assert (role["name"], role["permissions"]) == ("evaluator", ["api.model.read", "api.model.request"])
    members = {(m["user_id"], m["role"]) for m in state["memberships"] if m["project_id"] == project["id"]}
    assert members == {(SAMPLE.BARBARA, "owner")}
    assert {(a["user_id"], a["role_id"]) for a in state["role_assignments"] if a["project_id"] == project["id"]} == {
        (SAMPLE.BARBARA, role["id"])}
    assert [sa["name"] for sa in state["service_accounts"] if sa["project_id"] == project["id"]] == ["deploy-bot"]
    assert (SAMPLE.WEB, SAMPLE.BARBARA) in {(m["project_id"], m["user_id"]) for m in state["memberships"]}

    again = stack.up()
    assert again.requests.total == 0 and again.changes == {"same": 8}
    assert up.requests.count("GET", SERVICE_ACCOUNTS) >= 1  # the account's create reads before it writes
