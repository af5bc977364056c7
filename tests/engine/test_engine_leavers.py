"""Leavers through the real engine (``organization: {exclusive, max_removals}``): people the
stack declares nowhere are removed from the organization, named by the refreshed preview
first; over ``max_removals`` nobody is removed and they are listed; owners, service accounts'
users, SCIM-managed users, declared people (an expired entry and a pending invite included)
stay; a failed listing, turning it off, and destroy remove nobody."""

from __future__ import annotations

from typing import Any

import requests

from pulumi_openai_access.emulator.process import INVITES, ORGANIZATION_USER, SAMPLE, Fault

EXCLUSIVE_ORGANIZATION_TYPE = "pulumi-python:dynamic/openai:ExclusiveOrganizationAccess"
TEMP = "user-Temp0000000000000000000"


def seed_with_rail_cases(emulator) -> None:
    """The sample organization, plus a service account's user, a SCIM-managed user, a
    temporary worker, and a pending invite of someone the spec declares."""
    seed = emulator.state()
    seed["users"] += [
        {"id": "user-Bot0000000000000000000", "email": "bot@example.com", "name": "ci", "role": "reader",
         "is_service_account": True},
        {"id": "user-Scim000000000000000000", "email": "sam@example.com", "name": "Sam", "role": "reader",
         "is_scim_managed": True},
        {"id": TEMP, "email": "temp@example.com", "name": "Temp Worker", "role": "reader"},
    ]
    seed["invites"] = [{"email": "new@example.com", "role": "reader", "projects": [{"id": SAMPLE.DATA, "role": "member"}]}]
    emulator.reset(seed)


def spec(*contractors: str, **organization: Any) -> dict[str, Any]:
    """WEB as it is (alan, katherine, ada); edsger declared with access long expired; a pending
    invitee; ``contractors`` members of DATA; barbara and the temporary worker declared nowhere
    unless they are among the contractors."""
    teams: dict[str, Any] = {
        "web": {"members": ["alan@example.com", "katherine@example.com"],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}}},
        "web-owner": {"members": ["ada@example.com"], "grants": {SAMPLE.WEB: "owner"}},
        "data": {"members": [{"email": "edsger@example.com", "expires": "2020-01-01"}, "new@example.com"],
                 "grants": {SAMPLE.DATA: "member"}},
    }
    if contractors:
        teams["contractors"] = {"members": list(contractors), "grants": {SAMPLE.DATA: "member"}}
    return {"adopt": True, "invite": True, "organization": {"exclusive": True, **organization}, "teams": teams}


def user_ids(emulator) -> set[str]:
    return {user["id"] for user in emulator.state()["users"]}


def removals(op) -> int:
    return op.requests.count("DELETE", ORGANIZATION_USER)


def test_leavers_are_previewed_then_removed_within_the_rails(engine_stack, emulator):
    seed_with_rail_cases(emulator)
    everyone = user_ids(emulator)
    stack = engine_stack("leavers", spec=spec(max_removals=1))

    refused = stack.up(expect_failure=True)
    assert "2 people would be removed from it, more than max_removals=1; nobody was removed" in refused.everything
    assert "barbara@example.com (Barbara Liskov, reader)" in refused.everything
    assert "temp@example.com (Temp Worker, reader)" in refused.everything
    assert removals(refused) == 0 and user_ids(emulator) == everyone

    # Declared, they stay; dropped from the spec, the preview names them and up removes them.
    stack.spec = spec("barbara@example.com", "temp@example.com", max_removals=2)
    assert removals(stack.up()) == 0
    stack.spec = spec(max_removals=2)
    preview = stack.preview()
    assert "no longer declared anywhere, up removes from it" in preview.everything
    assert "barbara@example.com, temp@example.com" in preview.everything
    done = stack.up()
    assert removals(done) == 2
    assert user_ids(emulator) == everyone - {SAMPLE.BARBARA, TEMP}  # owners, bot, SCIM, edsger stay
    [resource] = stack.resources(EXCLUSIVE_ORGANIZATION_TYPE)
    kept = {k["email"]: k["reason"] for k in resource["outputs"]["kept"]}
    assert set(kept) == {"grace@example.com", "bot@example.com", "sam@example.com"}  # ada is declared

    # Someone joins outside the stack: the refreshed preview names them, up removes them.
    answer = requests.post(f"{emulator.base_url}/organization/invites", headers=emulator.auth_headers, timeout=10,
                           json={"email": "outsider@example.com", "role": "reader", "projects": []}).json()
    joined = emulator.accept_invite(answer["id"])["user"]["id"]
    stack.refresh()
    named = stack.preview().everything
    assert "as of the last refresh, up removes from it: outsider@example.com (outsider, reader)" in named
    assert removals(stack.up()) == 1 and joined not in user_ids(emulator)
    assert stack.up().requests.writes() == {}

    assert removals(stack.destroy()) == 0  # destroying the stack removes nobody from the organization
    assert user_ids(emulator) == everyone - {SAMPLE.BARBARA, TEMP}


def test_a_failed_listing_or_turning_it_off_removes_nobody(engine_stack, emulator):
    seed_with_rail_cases(emulator)
    everyone = user_ids(emulator)
    stack = engine_stack("leavers-off", spec=spec(max_removals=0))
    dry_run = stack.up(expect_failure=True)  # 0: a dry run that names them
    assert "temp@example.com" in dry_run.everything and removals(dry_run) == 0

    stack.spec = spec(max_removals=5)
    emulator.set_faults(Fault("GET", "/v1/organization/users", "status", status=500, count=50))
    failed = stack.up(expect_failure=True)
    assert removals(failed) == 0 and user_ids(emulator) == everyone
    emulator.set_faults()

    stack.spec = {**spec(), "organization": {"exclusive": False}}
    off = stack.up()
    assert removals(off) == 0 and user_ids(emulator) == everyone
    assert stack.resources(EXCLUSIVE_ORGANIZATION_TYPE) == []
    assert off.requests.count("POST", INVITES) == 0  # the pending invite was taken over, never re-sent
