"""``ProjectUserProvider`` against the emulator over real sockets, method by method."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from pulumi_openai_access.emulator.process import PROJECT_USER, PROJECT_USERS, SAMPLE, USER_ROLES, EmulatorProcess
from tests.support.providers import ConfiguredProviders


def memberships(emulator: EmulatorProcess, project_id: str) -> dict[str, str]:
    return {m["user_id"]: m["role"] for m in emulator.state()["memberships"] if m["project_id"] == project_id}


def out_of_band(emulator: EmulatorProcess, method: str, path: str, **body) -> None:
    """A change made outside Pulumi, straight through the API."""
    response = requests.request(method, f"{emulator.base_url}{path}", json=body or None,
                                headers=emulator.auth_headers, timeout=10)
    response.raise_for_status()


def create(providers: ConfiguredProviders, **inputs):
    provider = providers.project_user
    checked = provider.check({}, inputs)
    assert checked.failures == []
    return provider.create(checked.inputs)


def test_create_by_email_adds_the_member_and_returns_every_output(providers, emulator):
    result = create(providers, project_id=SAMPLE.DATA, email="Barbara@Example.com", role="member")
    assert result.id == f"{SAMPLE.DATA}/{SAMPLE.BARBARA}"
    assert result.outs["user_id"] == SAMPLE.BARBARA
    assert result.outs["email"] == "barbara@example.com"
    assert result.outs["name"] == "Barbara Liskov"
    assert result.outs["role"] == "member"
    assert isinstance(result.outs["added_at"], int)
    assert result.outs["requested_email"] == "Barbara@Example.com"
    assert memberships(emulator, SAMPLE.DATA)[SAMPLE.BARBARA] == "member"
    assert emulator.requests().total == 1  # one write, no read


def test_create_by_user_id(providers, emulator):
    result = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.BARBARA, role="owner")
    assert result.outs["requested_email"] is None
    assert memberships(emulator, SAMPLE.WEB)[SAMPLE.BARBARA] == "owner"


def test_existing_member_without_adopt_fails_with_what_exists_and_what_to_do(providers, emulator):
    before = memberships(emulator, SAMPLE.WEB)
    with pytest.raises(ValueError) as raised:
        create(providers, project_id=SAMPLE.WEB, email="alan@example.com", role="owner")
    message = str(raised.value)
    assert "already a member" in message and "role 'member'" in message and "adopt=True" in message
    assert memberships(emulator, SAMPLE.WEB) == before


def test_adopt_takes_over_and_sets_the_role_with_no_add_request(providers, emulator):
    result = create(providers, project_id=SAMPLE.WEB, email="alan@example.com", role="owner", adopt=True)
    assert result.id == f"{SAMPLE.WEB}/{SAMPLE.ALAN}"
    assert result.outs["role"] == "owner" and result.outs["adopt"] is True
    assert memberships(emulator, SAMPLE.WEB)[SAMPLE.ALAN] == "owner"
    counts = emulator.requests()
    assert counts.count("POST", PROJECT_USERS) == 0
    assert counts.count("POST", PROJECT_USER) == 1  # the role change


def test_adopt_of_a_user_who_is_not_yet_a_member_just_adds(providers, emulator):
    result = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.BARBARA, role="member", adopt=True)
    assert result.outs["role"] == "member"
    assert memberships(emulator, SAMPLE.WEB)[SAMPLE.BARBARA] == "member"


def test_user_outside_the_organization_is_told_plainly(providers, emulator):
    with pytest.raises(ValueError, match="not a member of the OpenAI organization.*invite them"):
        create(providers, project_id=SAMPLE.WEB, email="stranger@example.com", role="member")
    assert "stranger" not in str(emulator.state()["memberships"])


def test_read_reports_drift_and_rebuilds_inputs(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, email="barbara@example.com", role="member")
    out_of_band(emulator, "POST", f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}", role="owner")
    providers.new_process()
    read = providers.project_user.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs["role"] == "owner"
    assert read.inputs == {"project_id": SAMPLE.DATA, "email": "barbara@example.com", "role": "owner", "adopt": False}


def test_read_after_removal_outside_pulumi_drops_it(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.BARBARA, role="member")
    out_of_band(emulator, "DELETE", f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}")
    providers.new_process()
    assert providers.project_user.read(created.id, created.outs).id == ""


def test_update_changes_the_role_in_place_and_returns_full_outputs(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.BARBARA, role="member")
    news = {"project_id": SAMPLE.DATA, "user_id": SAMPLE.BARBARA, "role": "owner", "adopt": False}
    updated = providers.project_user.update(created.id, created.outs, news)
    assert updated.outs["role"] == "owner"
    assert set(updated.outs) == set(created.outs)
    assert memberships(emulator, SAMPLE.DATA)[SAMPLE.BARBARA] == "owner"


def test_update_of_only_adopt_sends_nothing(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.BARBARA, role="member")
    before = emulator.requests().total
    news = {"project_id": SAMPLE.DATA, "user_id": SAMPLE.BARBARA, "role": "member", "adopt": True}
    updated = providers.project_user.update(created.id, created.outs, news)
    assert updated.outs["adopt"] is True and updated.outs["name"] == "Barbara Liskov"
    assert emulator.requests().total == before


def test_update_after_removal_outside_pulumi_adds_it_back(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.BARBARA, role="member")
    out_of_band(emulator, "DELETE", f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}")
    news = {"project_id": SAMPLE.DATA, "user_id": SAMPLE.BARBARA, "role": "owner", "adopt": False}
    providers.project_user.update(created.id, created.outs, news)
    assert memberships(emulator, SAMPLE.DATA)[SAMPLE.BARBARA] == "owner"


def test_delete_removes_and_a_second_delete_is_still_success(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.BARBARA, role="member")
    providers.project_user.delete(created.id, created.outs)
    assert SAMPLE.BARBARA not in memberships(emulator, SAMPLE.DATA)
    providers.project_user.delete(created.id, created.outs)  # already gone: no error
    assert SAMPLE.BARBARA not in memberships(emulator, SAMPLE.DATA)


def test_refreshing_many_memberships_costs_one_listing_per_page_not_per_resource(providers, emulator):
    users = [{"id": f"user-Bulk{i:020d}", "email": f"bulk{i}@example.com", "name": f"Bulk {i}", "role": "reader"}
             for i in range(150)]
    project = "proj_Bulk0000000000000000000"
    emulator.reset({
        "users": users,
        "projects": [{"id": project, "name": "Bulk"}],
        "memberships": [{"project_id": project, "user_id": u["id"], "role": "member"} for u in users],
    })
    states = [{"project_id": project, "user_id": u["id"], "role": "member", "adopt": False,
               "requested_email": None, "email": u["email"], "name": u["name"], "added_at": 1.0} for u in users]
    with ThreadPoolExecutor(max_workers=4) as pool:  # the engine reads on four threads
        reads = list(pool.map(lambda s: providers.project_user.read(f"{project}/{s['user_id']}", s), states))
    assert all(read.id for read in reads)
    counts = emulator.requests()
    assert counts.count("GET", PROJECT_USERS) == 2  # 150 members at 100 a page
    assert counts.total == 2


def test_without_any_key_the_error_says_where_to_put_one(emulator, monkeypatch: pytest.MonkeyPatch):
    from pulumi.dynamic import Config, ConfigureRequest

    from pulumi_openai_access.providers.project_user import ProjectUserProvider

    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    provider = ProjectUserProvider()
    provider.configure(ConfigureRequest(Config({"openai:baseUrl": emulator.base_url}, "openai-access")))
    with pytest.raises(ValueError, match="pulumi config set --secret openai:adminKey"):
        provider.create({"project_id": SAMPLE.DATA, "user_id": SAMPLE.BARBARA, "role": "member", "adopt": False})
    assert emulator.requests().total == 0


# --- extra roles (`roles`) --------------------------------------------------------------------
def held(emulator: EmulatorProcess, project_id: str, user_id: str) -> set[str]:
    return {a["role_id"] for a in emulator.state()["role_assignments"]
            if a["project_id"] == project_id and a["user_id"] == user_id}


def test_create_with_roles_adds_then_assigns_with_the_user_id_the_add_answered(providers, emulator):
    result = create(providers, project_id=SAMPLE.DATA, email="barbara@example.com", role="member",
                    roles=[SAMPLE.VIEWER_ROLE, SAMPLE.BILLING_VIEWER])
    assert result.outs["roles"] == sorted([SAMPLE.VIEWER_ROLE, SAMPLE.BILLING_VIEWER])
    assert held(emulator, SAMPLE.DATA, SAMPLE.BARBARA) == {SAMPLE.VIEWER_ROLE, SAMPLE.BILLING_VIEWER}
    counts = emulator.requests()
    assert (counts.count("POST", PROJECT_USERS), counts.count("POST", USER_ROLES)) == (1, 2)


def test_without_roles_the_members_roles_are_neither_read_nor_touched(providers, emulator):
    created = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.BARBARA, role="member")
    assert created.outs["roles"] is None
    providers.project_user.read(created.id, created.outs)
    assert emulator.requests().count("GET", USER_ROLES) == 0


def test_read_reports_a_managed_role_unassigned_out_of_band(providers, emulator):
    created = create(providers, project_id=SAMPLE.DATA, user_id=SAMPLE.KATHERINE, role="member",
                     roles=[SAMPLE.VIEWER_ROLE])
    out_of_band(emulator, "DELETE", f"/projects/{SAMPLE.DATA}/users/{SAMPLE.KATHERINE}/roles/{SAMPLE.VIEWER_ROLE}")
    providers.new_process()
    read = providers.project_user.read(created.id, created.outs)
    assert read.outs["roles"] == [] and read.inputs["roles"] == []
    diff = providers.project_user.diff(created.id, read.outs, {**read.inputs, "roles": [SAMPLE.VIEWER_ROLE]})
    assert diff.changes is True and diff.replaces == []


def test_update_assigns_and_unassigns_the_difference_and_leaves_unlisted_roles(providers, emulator):
    created = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.KATHERINE, role="member",
                     roles=[SAMPLE.VIEWER_ROLE])
    out_of_band(emulator, "POST", f"/projects/{SAMPLE.WEB}/users/{SAMPLE.KATHERINE}/roles", role_id=SAMPLE.MEMBER_ROLE)
    news = {**created.outs, "roles": [SAMPLE.KEY_MANAGER]}
    updated = providers.project_user.update(created.id, created.outs, news)
    assert updated.outs["roles"] == [SAMPLE.KEY_MANAGER]
    assert held(emulator, SAMPLE.WEB, SAMPLE.KATHERINE) == {SAMPLE.KEY_MANAGER, SAMPLE.MEMBER_ROLE}


def test_newly_managed_roles_already_held_need_no_write(providers, emulator):
    """A stack upgraded from UserRoleAssignment children: the membership takes its roles over."""
    olds = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.BARBARA, role="member").outs
    out_of_band(emulator, "POST", f"/projects/{SAMPLE.WEB}/users/{SAMPLE.BARBARA}/roles", role_id=SAMPLE.VIEWER_ROLE)
    before = emulator.requests()
    updated = providers.project_user.update(f"{SAMPLE.WEB}/{SAMPLE.BARBARA}", olds, {**olds, "roles": [SAMPLE.VIEWER_ROLE]})
    assert updated.outs["roles"] == [SAMPLE.VIEWER_ROLE]
    assert emulator.requests().total - before.total == 1  # the member's role listing, no write


def test_adopt_takes_over_held_roles_without_a_write(providers, emulator):
    adopted = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.ALAN, role="member",
                     roles=[SAMPLE.KEY_MANAGER], adopt=True)
    assert adopted.outs["roles"] == [SAMPLE.KEY_MANAGER]
    counts = emulator.requests()
    assert (counts.count("POST", PROJECT_USERS), counts.count("POST", USER_ROLES)) == (0, 0)


def test_a_membership_exactly_as_declared_is_taken_over_without_adopt(providers, emulator):
    """What an interrupted run leaves: the member added, its roles partly assigned."""
    taken = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.ALAN, role="member",
                   roles=[SAMPLE.KEY_MANAGER, SAMPLE.VIEWER_ROLE])
    assert taken.id == f"{SAMPLE.WEB}/{SAMPLE.ALAN}"
    assert held(emulator, SAMPLE.WEB, SAMPLE.ALAN) == {SAMPLE.KEY_MANAGER, SAMPLE.VIEWER_ROLE}
    # The refused add, then the one missing role: nothing is written twice.
    counts = emulator.requests()
    assert (counts.count("POST", PROJECT_USERS), counts.count("POST", USER_ROLES)) == (1, 1)


def test_a_membership_with_an_undeclared_extra_role_is_not_taken_over(providers, emulator):
    with pytest.raises(ValueError) as raised:
        create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.ALAN, role="member", roles=[])
    assert SAMPLE.KEY_MANAGER in str(raised.value) and "adopt=True" in str(raised.value)
    assert held(emulator, SAMPLE.WEB, SAMPLE.ALAN) == {SAMPLE.KEY_MANAGER}


def test_a_role_the_membership_declares_survives_the_delete_of_its_old_assignment(providers, emulator):
    """Upgrading: the ProjectUser's diff runs before the engine deletes the dropped assignment."""
    olds = create(providers, project_id=SAMPLE.WEB, user_id=SAMPLE.ALAN, role="member", adopt=True).outs
    providers.project_user.diff(f"{SAMPLE.WEB}/{SAMPLE.ALAN}", olds, {**olds, "roles": [SAMPLE.KEY_MANAGER]})
    old_assignment = {"project_id": SAMPLE.WEB, "user_id": SAMPLE.ALAN, "role_id": SAMPLE.KEY_MANAGER}
    providers.role_assignment.delete(f"{SAMPLE.WEB}/{SAMPLE.ALAN}/{SAMPLE.KEY_MANAGER}", old_assignment)
    assert held(emulator, SAMPLE.WEB, SAMPLE.ALAN) == {SAMPLE.KEY_MANAGER}
