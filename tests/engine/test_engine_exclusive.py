"""Exclusive projects through the real Pulumi engine against the emulator: who the spec does not
declare is shown by refresh + preview and removed by up, within the rails.

The sample organization's WEB project: ada (organization owner, project owner), alan (member,
with the custom KEY_MANAGER role) and katherine (member). DATA: grace (organization owner,
owner), katherine and edsger (members).
"""

from __future__ import annotations

from typing import Any

import requests

from pulumi_openai_access.emulator.process import PROJECT_USER, SAMPLE, USER_ROLE, EmulatorProcess, Fault
from pulumi_openai_access.providers.admin_api.retry import RetryPolicy
from tests.support.engine import assignments_of, memberships_of

EXCLUSIVE_TYPE = "pulumi-python:dynamic/openai:ExclusiveProjectAccess"


def web_spec(**options: Any) -> dict[str, Any]:
    """alan (by email, in another letter case) and katherine (by id) declared in WEB, as they
    are; barbara owner of DATA."""
    return {
        "adopt": True,
        "teams": {
            "web": {
                "members": ["Alan@Example.COM", SAMPLE.KATHERINE],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.KEY_MANAGER]}},
            },
            "data": {"members": ["barbara@example.com"], "grants": {SAMPLE.DATA: "owner"}},
        },
        **options,
    }


def api(emulator: EmulatorProcess, method: str, path: str, body: dict[str, Any] | None = None) -> None:
    """A change made outside Pulumi, with the admin key."""
    response = requests.request(method, f"{emulator.base_url}{path}", headers=emulator.auth_headers, json=body,
                                timeout=10)
    assert response.status_code == 200, response.text


def add_member(emulator: EmulatorProcess, project_id: str, user_id: str, role: str = "member") -> None:
    api(emulator, "POST", f"/organization/projects/{project_id}/users", {"user_id": user_id, "role": role})


def assign(emulator: EmulatorProcess, project_id: str, user_id: str, role_id: str) -> None:
    api(emulator, "POST", f"/projects/{project_id}/users/{user_id}/roles", {"role_id": role_id})


def exclusive_outputs(stack) -> dict[str, dict[str, Any]]:
    return {r["id"]: r["outputs"] for r in stack.resources(EXCLUSIVE_TYPE)}


def test_out_of_band_access_is_previewed_by_name_after_refresh_and_removed_by_up(engine_stack, emulator):
    stack = engine_stack("exclusive", spec=web_spec(exclusive=[SAMPLE.WEB]))
    first = stack.up()
    assert first.changes.get("create") == 6, first.changes  # stack, component, 3 memberships, 1 exclusive
    # everyone in WEB is declared, or kept: ada is an organization owner
    assert first.requests.writes() == {"POST /v1/projects/{project_id}/users/{user_id}/roles": 1,
                                       "POST /v1/organization/projects/{project_id}/users": 1}
    (outputs,) = exclusive_outputs(stack).values()
    assert outputs["kept"] == [{"email": "ada@example.com", "name": "Ada Lovelace", "user_id": SAMPLE.ADA,
                                "reason": "organization owner: keeps access to every project anyway"}]
    settled = emulator.state()

    # Outside Pulumi: barbara joins WEB, alan gets the viewer role there; in DATA (not
    # exclusive), edsger's undeclared membership was there all along.
    add_member(emulator, SAMPLE.WEB, SAMPLE.BARBARA)
    assign(emulator, SAMPLE.WEB, SAMPLE.ALAN, SAMPLE.VIEWER_ROLE)
    drifted = emulator.state()

    # A preview without refresh compares with the last state: it cannot know, and says nothing.
    stale = stack.preview()
    assert "update" not in stale.changes, stale.changes
    assert stale.requests.total == 0

    refresh = stack.refresh()
    assert refresh.changes.get("update") == 1, refresh.changes
    assert refresh.requests.writes() == {}
    assert "up removes the undeclared members barbara@example.com (Barbara Liskov, member)" in refresh.everything
    (outputs,) = exclusive_outputs(stack).values()
    assert [m["email"] for m in outputs["undeclared_members"]] == ["barbara@example.com"]
    assert [(r["email"], r["role_id"]) for r in outputs["undeclared_roles"]] == [
        ("alan@example.com", SAMPLE.VIEWER_ROLE)
    ]

    # The preview names who and what goes: in the diff, and in one line per project.
    preview = stack.preview(diff=True)
    assert preview.changes.get("update") == 1, preview.changes
    assert preview.requests.writes() == {}
    for text in ("barbara@example.com", "Barbara Liskov", SAMPLE.VIEWER_ROLE, "undeclared_members"):
        assert text in preview.text, f"{text} not in the preview:\n{preview.text}"
    plain = stack.preview()
    assert "up removes the undeclared members barbara@example.com (Barbara Liskov, member)" in plain.everything
    assert f"roles {SAMPLE.VIEWER_ROLE} of alan@example.com" in plain.everything
    assert emulator.state() == drifted

    up = stack.up()
    assert up.changes.get("update") == 1, up.changes
    assert up.requests.writes() == {f"DELETE {PROJECT_USER}": 1, f"DELETE {USER_ROLE}": 1}
    # back to what the spec says in WEB; DATA keeps its undeclared edsger and katherine
    assert emulator.state()["memberships"] == settled["memberships"]
    assert assignments_of(emulator.state()) == assignments_of(settled)
    assert (SAMPLE.DATA, SAMPLE.EDSGER) in memberships_of(emulator.state())
    (outputs,) = exclusive_outputs(stack).values()
    assert outputs["undeclared_members"] == [] and outputs["undeclared_roles"] == []

    again = stack.up(refresh=True)
    assert "update" not in again.changes, again.changes
    assert again.requests.writes() == {}

    # Exclusivity off: the resource goes, and nobody with it, not even who came since.
    add_member(emulator, SAMPLE.WEB, SAMPLE.EDSGER)
    stack.spec = web_spec()
    off = stack.up(refresh=True)
    assert off.changes.get("delete") == 1, off.changes
    assert off.requests.writes() == {}
    assert (SAMPLE.WEB, SAMPLE.EDSGER) in memberships_of(emulator.state())
    assert exclusive_outputs(stack) == {}


def test_max_removals_exceeded_fails_before_removing_anything(engine_stack, emulator):
    # alan is no longer declared in WEB: one removal, over max_removals 0 (a dry run).
    spec = web_spec(exclusive=[SAMPLE.WEB], max_removals=0)
    spec["teams"]["web"]["members"] = [SAMPLE.KATHERINE]
    stack = engine_stack("max-removals", spec=spec)
    before = emulator.state()

    failed = stack.up(expect_failure=True)
    assert f"project {SAMPLE.WEB}: 1 removal planned, more than max_removals=0; nothing was removed" in failed.error
    assert "alan@example.com (Alan Turing) from the project (role member; with roles " \
           f"{SAMPLE.KEY_MANAGER} (API Key Manager))" in failed.error
    assert "raise max_removals to at least 1" in failed.error
    assert not any(key.startswith("DELETE") for key in failed.requests.writes()), failed.requests.writes()
    assert (SAMPLE.WEB, SAMPLE.ALAN) in memberships_of(emulator.state())
    assert exclusive_outputs(stack) == {}, "a failed exclusive create is not in state"

    stack.spec = {**spec, "max_removals": 1}
    up = stack.up()
    assert up.requests.writes() == {f"DELETE {PROJECT_USER}": 1}
    assert set(memberships_of(before)) - set(memberships_of(emulator.state())) == {(SAMPLE.WEB, SAMPLE.ALAN)}


def test_the_last_owner_is_never_removed(engine_stack, emulator):
    # Outside Pulumi, DATA's only owner becomes edsger (grace, an organization owner, a member).
    api(emulator, "POST", f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.EDSGER}", {"role": "owner"})
    api(emulator, "POST", f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.GRACE}", {"role": "member"})
    before = emulator.state()
    spec = {"adopt": True, "exclusive": [SAMPLE.DATA],
            "teams": {"data": {"members": [SAMPLE.KATHERINE], "grants": {SAMPLE.DATA: "member"}}}}
    stack = engine_stack("owner-rail", spec=spec)

    failed = stack.up(expect_failure=True)
    assert "would leave it without a project owner (it would remove edsger@example.com (Edsger Dijkstra))" \
        in failed.error, failed.error
    assert failed.requests.writes() == {}
    assert emulator.state() == before


def test_a_fault_during_removals_converges_on_the_next_up(engine_stack, emulator):
    stack = engine_stack("exclusive-faults", spec=web_spec(exclusive=[SAMPLE.WEB]))
    stack.up()
    add_member(emulator, SAMPLE.WEB, SAMPLE.BARBARA)
    add_member(emulator, SAMPLE.WEB, SAMPLE.EDSGER)
    stack.refresh()

    attempts = RetryPolicy().max_attempts
    emulator.set_faults(Fault("DELETE", PROJECT_USER, "status", status=500, retry_after=0, count=attempts))
    failed = stack.up(expect_failure=True)
    assert "The emulator injected this 500 fault." in failed.error, failed.error
    assert failed.requests.faults == {f"DELETE {PROJECT_USER}": attempts}
    left = memberships_of(emulator.state())
    assert (SAMPLE.WEB, SAMPLE.BARBARA) in left and (SAMPLE.WEB, SAMPLE.EDSGER) in left  # stopped at the first

    emulator.set_faults()
    recovered = stack.up()  # no refresh needed: the failed update left the recorded list in state
    assert recovered.requests.writes() == {f"DELETE {PROJECT_USER}": 2}
    after = memberships_of(emulator.state())
    assert (SAMPLE.WEB, SAMPLE.BARBARA) not in after and (SAMPLE.WEB, SAMPLE.EDSGER) not in after
    assert (SAMPLE.WEB, SAMPLE.ALAN) in after and (SAMPLE.WEB, SAMPLE.KATHERINE) in after


def test_a_member_dropped_from_the_spec_is_removed_once_and_counts_towards_max_removals(engine_stack, emulator):
    stack = engine_stack("exclusive-drop", spec=web_spec(exclusive=[SAMPLE.WEB]))
    stack.up()
    spec = web_spec(exclusive=[SAMPLE.WEB], max_removals=0)
    spec["teams"]["web"]["members"] = ["alan@example.com"]
    stack.spec = spec

    refused = stack.up(expect_failure=True)
    assert "1 removal planned, more than max_removals=0" in refused.error, refused.error
    assert (SAMPLE.WEB, SAMPLE.KATHERINE) in memberships_of(emulator.state())

    stack.spec = {**spec, "max_removals": 1}
    up = stack.up()
    assert up.changes == {"same": 4, "update": 1, "delete": 1}, up.changes
    # The exclusive update runs first (the engine deletes dropped resources last); her
    # membership's own delete then finds it gone, which counts as done.
    assert up.requests.writes() == {f"DELETE {PROJECT_USER}": 2}
    assert (SAMPLE.WEB, SAMPLE.KATHERINE) not in memberships_of(emulator.state())
    assert (SAMPLE.WEB, SAMPLE.ALAN) in memberships_of(emulator.state())
    assert stack.managed()[0] == {(SAMPLE.WEB, SAMPLE.ALAN): "member", (SAMPLE.DATA, SAMPLE.BARBARA): "owner"}


def test_refresh_always_in_the_project_file_makes_every_preview_current(engine_stack, emulator):
    stack = engine_stack("refresh-always", spec=web_spec(exclusive=[SAMPLE.WEB]))
    stack.up()
    add_member(emulator, SAMPLE.WEB, SAMPLE.BARBARA)
    project_file = stack.work_dir / "Pulumi.yaml"
    project_file.write_text(project_file.read_text() + "options:\n  refresh: always\n")

    preview = stack.preview()
    assert preview.changes.get("update") == 1, preview.changes
    assert "up removes the undeclared members barbara@example.com (Barbara Liskov, member)" in preview.everything
    up = stack.up()
    assert up.requests.writes() == {f"DELETE {PROJECT_USER}": 1}
    assert (SAMPLE.WEB, SAMPLE.BARBARA) not in memberships_of(emulator.state())


def test_destroying_the_stack_removes_only_what_it_declared(engine_stack, emulator):
    stack = engine_stack("exclusive-destroy", spec=web_spec(exclusive=[SAMPLE.WEB]))
    stack.up()
    add_member(emulator, SAMPLE.WEB, SAMPLE.BARBARA)
    stack.refresh()  # barbara recorded as undeclared: still, destroy does not remove her

    destroy = stack.destroy()
    # the three memberships the stack declared (alan, katherine in WEB; barbara in DATA), no more
    assert destroy.requests.writes() == {f"DELETE {PROJECT_USER}": 3}
    left = memberships_of(emulator.state())
    assert (SAMPLE.WEB, SAMPLE.BARBARA) in left and (SAMPLE.WEB, SAMPLE.ADA) in left
