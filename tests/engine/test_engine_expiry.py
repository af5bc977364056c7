"""Access that ends by itself, through the real engine: declared until its ``expires``, shown
ending in the stack outputs, then previewed as a removal and removed by the next ``up``;
a permanent grant of the same person keeps what it gives. "Now" is set with
``$OPENAI_ACCESS_NOW`` (the program runs in this process), never by waiting."""

from __future__ import annotations

from pulumi_openai_access.emulator.process import PROJECT_USER, SAMPLE, USER_ROLE
from tests.support.engine import assignments_of, memberships_of

# barbara: a member of WEB for good, its owner with the viewer role until the end of
# 2026-12-24 (UTC); edsger: a member of WEB until the end of 2026-12-20.
SPEC = {
    "teams": {
        "web": {"members": ["barbara@example.com", {"email": "edsger@example.com", "expires": "2026-12-20"}],
                "grants": {SAMPLE.WEB: "member"}},
        "oncall": {"members": ["barbara@example.com"], "expires": "2026-12-24",
                   "grants": {SAMPLE.WEB: {"role": "owner", "roles": [SAMPLE.VIEWER_ROLE]}}},
    },
}


def test_expired_access_is_previewed_then_removed_and_permanent_access_stays(engine_stack, emulator, monkeypatch):
    monkeypatch.setenv("OPENAI_ACCESS_NOW", "2026-12-15T09:00:00Z")
    stack = engine_stack("expiry", spec=SPEC)
    first = stack.up()
    held = memberships_of(emulator.state())
    assert held[(SAMPLE.WEB, SAMPLE.BARBARA)] == "owner" and held[(SAMPLE.WEB, SAMPLE.EDSGER)] == "member"
    assert (SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE) in assignments_of(emulator.state())
    # What ends within 14 days, with the instant each date means (the end of that day, UTC).
    assert first.outputs["access_ending"] == [
        {"project_id": SAMPLE.WEB, "member": "edsger@example.com", "what": "membership", "ends": "2026-12-21T00:00:00Z"},
        {"project_id": SAMPLE.WEB, "member": "barbara@example.com", "what": f"extra role {SAMPLE.VIEWER_ROLE}",
         "ends": "2026-12-25T00:00:00Z"},
        {"project_id": SAMPLE.WEB, "member": "barbara@example.com", "what": "role owner (member after that)",
         "ends": "2026-12-25T00:00:00Z"},
    ]
    assert first.outputs["access"][SAMPLE.WEB]["edsger@example.com"]["ends"] == "2026-12-21T00:00:00Z"
    assert "ends" not in first.outputs["access"][SAMPLE.WEB]["barbara@example.com"]  # a member for good

    # Still 20 December everywhere on Earth's UTC: nothing changes yet.
    monkeypatch.setenv("OPENAI_ACCESS_NOW", "2026-12-20T23:59:59Z")
    assert stack.preview().changes.get("delete", 0) == 0

    monkeypatch.setenv("OPENAI_ACCESS_NOW", "2026-12-21T00:00:00Z")
    preview = stack.preview()
    assert preview.changes.get("delete") == 1, preview.changes
    assert "edsger@example.com: access from web ended at 2026-12-21T00:00:00Z" in preview.text
    assert preview.requests.writes() == {}
    removed = stack.up()
    assert removed.requests.writes() == {f"DELETE {PROJECT_USER}": 1}
    assert (SAMPLE.WEB, SAMPLE.EDSGER) not in memberships_of(emulator.state())

    # The on-call grant ends: barbara stays a member (the permanent grant), without owner and viewer.
    monkeypatch.setenv("OPENAI_ACCESS_NOW", "2026-12-25T00:00:00Z")
    assert stack.preview().changes.get("update") == 1
    demoted = stack.up()
    assert demoted.requests.writes() == {f"POST {PROJECT_USER}": 1, f"DELETE {USER_ROLE}": 1}
    assert memberships_of(emulator.state())[(SAMPLE.WEB, SAMPLE.BARBARA)] == "member"
    assert (SAMPLE.WEB, SAMPLE.BARBARA, SAMPLE.VIEWER_ROLE) not in assignments_of(emulator.state())
    assert demoted.outputs["access_ending"] == []
    assert stack.up().requests.total == 0
