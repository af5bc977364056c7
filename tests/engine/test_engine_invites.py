"""Invites through the real engine (``invite: true``): one POST per person, also behind faults;
pending access is green with 0 writes and shown in the outputs; accepted, the memberships are
managed with no duplicate add and the extra roles assigned; an expired invite is sent again;
a person dropped while pending has their invite deleted; someone else's pending invite is
taken over."""

from __future__ import annotations

import time
from typing import Any

from pulumi_openai_access.emulator.process import INVITE, INVITES, PROJECT_USERS, SAMPLE, USER_ROLES, Fault
from tests.support.engine import assignments_of, memberships_of

NEW = "new.hire@example.com"


def spec(*people: str) -> dict[str, Any]:
    """``people`` owners of WEB with the viewer role, and members of DATA with barbara (who is
    in the organization, in no project)."""
    teams: dict[str, Any] = {"data": {"members": ["barbara@example.com", *people], "grants": {SAMPLE.DATA: "member"}}}
    if people:
        teams["web"] = {"members": list(people), "grants": {SAMPLE.WEB: {"role": "owner", "roles": [SAMPLE.VIEWER_ROLE]}}}
    return {"invite": True, "invite_domains": ["example.com"], "teams": teams}


def invites_of(emulator, email: str) -> list[dict[str, Any]]:
    return [i for i in emulator.state()["invites"] if i["email"] == email]


def user_id_of(emulator, email: str) -> str:
    return next(u["id"] for u in emulator.state()["users"] if u["email"] == email)


def test_invited_pending_then_accepted_then_managed_without_a_duplicate_add(engine_stack, emulator):
    emulator.set_faults(Fault("POST", INVITES, "drop_after"))  # the first answer is lost
    stack = engine_stack("invites", spec=spec(NEW))
    preview = stack.preview()
    assert f"{NEW}: up invites them to the organization (reader) and to {SAMPLE.DATA} as member, " \
           f"{SAMPLE.WEB} as owner" in preview.everything
    first = stack.up()
    [invite] = invites_of(emulator, NEW)  # one invite, though the answer to the POST was lost
    # No membership write for them while they have not joined; barbara is added as usual.
    assert first.requests.writes() == {f"POST {INVITES}": 1, f"POST {PROJECT_USERS}": 1}
    assert sorted((p["id"], p["role"]) for p in invite["projects"]) == [(SAMPLE.DATA, "member"), (SAMPLE.WEB, "owner")]
    assert first.outputs["invites"][NEW]["status"] == "pending"
    assert first.outputs["invites"][NEW]["invite_id"] == invite["id"]
    assert first.outputs["invites"]["barbara@example.com"]["status"] == "member"  # in the organization: nothing sent

    pending = stack.up()
    assert pending.requests.writes() == {}
    assert pending.outputs["invites"][NEW]["status"] == "pending"
    stack.refresh()  # a refresh while they have not joined keeps everything pending
    assert stack.up().requests.writes() == {}
    assert len(invites_of(emulator, NEW)) == 1

    emulator.accept_invite(invite["id"])
    joined = stack.up()
    new_id = user_id_of(emulator, NEW)
    # The invite gave both memberships: no add; the extra role it could not carry is assigned.
    assert joined.requests.writes() == {f"POST {USER_ROLES}": 1}, joined.requests.writes()
    held = memberships_of(emulator.state())
    assert held[(SAMPLE.WEB, new_id)] == "owner" and held[(SAMPLE.DATA, new_id)] == "member"
    assert (SAMPLE.WEB, new_id, SAMPLE.VIEWER_ROLE) in assignments_of(emulator.state())
    assert joined.outputs["invites"][NEW]["status"] == "accepted"

    assert stack.up().requests.total == 0
    stack.refresh()
    assert stack.preview().changes.get("update", 0) == 0


def test_an_expired_invite_is_sent_again_and_a_dropped_person_loses_their_invite(engine_stack, emulator):
    stack = engine_stack("invites-expire", spec=spec(NEW))
    stack.up()
    [first] = invites_of(emulator, NEW)
    # Time passes: the invite expires before they join.
    state = emulator.state()
    for invite in state["invites"]:
        invite.update(status="expired", expires_at=int(time.time()) - 1)
    emulator.reset(state, keep_counters=True)
    resent = stack.up()
    assert resent.requests.writes() == {f"POST {INVITES}": 1}
    statuses = sorted(i["status"] for i in invites_of(emulator, NEW))
    assert statuses == ["expired", "pending"]
    second = next(i for i in invites_of(emulator, NEW) if i["status"] == "pending")
    assert second["id"] != first["id"] and resent.outputs["invites"][NEW]["invite_id"] == second["id"]

    stack.spec = spec()
    dropped = stack.up()
    assert dropped.requests.writes() == {f"DELETE {INVITE}": 1}
    assert [i["status"] for i in invites_of(emulator, NEW)] == ["expired"]
    assert not any(m["user_id"] == NEW for m in emulator.state()["memberships"])


def test_someone_elses_pending_invite_is_taken_over_not_duplicated(engine_stack, emulator):
    seed = emulator.state()
    seed["invites"] = [{"id": "invite-SentByHand", "email": NEW, "role": "reader",
                        "projects": [{"id": SAMPLE.WEB, "role": "member"}]}]
    emulator.reset(seed)
    stack = engine_stack("invites-takeover", spec=spec(NEW))
    first = stack.up()
    assert first.requests.writes() == {f"POST {PROJECT_USERS}": 1}  # barbara's membership; no invite sent
    assert [i["id"] for i in invites_of(emulator, NEW)] == ["invite-SentByHand"]
    assert first.outputs["invites"][NEW] == {"status": "pending", "invite_id": "invite-SentByHand",
                                             "expires_at": emulator.state()["invites"][0]["expires_at"]}
    # Accepted: the hand-made invite gave WEB as member; the stack makes it owner and adds DATA.
    emulator.accept_invite("invite-SentByHand")
    joined = stack.up()
    assert joined.requests.writes() == {f"POST {PROJECT_USERS}": 1, f"POST {PROJECT_USERS}/{{user_id}}": 1,
                                        f"POST {USER_ROLES}": 1}, joined.requests.writes()
    new_id = user_id_of(emulator, NEW)
    held = memberships_of(emulator.state())
    assert held[(SAMPLE.WEB, new_id)] == "owner" and held[(SAMPLE.DATA, new_id)] == "member"


def test_without_invite_a_person_outside_the_organization_is_one_clear_error(engine_stack, emulator):
    stack = engine_stack("invites-off", spec={**spec(NEW), "invite": False, "invite_domains": None})
    failed = stack.up(expect_failure=True)
    assert "set `invite: true` in the spec" in failed.everything
    assert invites_of(emulator, NEW) == []
