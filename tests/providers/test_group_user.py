"""``GroupUserProvider`` against the emulator: one request per change, one shared listing per
group for a refresh, out-of-band removal seen as gone, and SCIM groups never written."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_openai_access.emulator.process import GROUP_USER, GROUP_USERS, GROUPS
from tests.support.groups import checked, out_of_band
from tests.support.providers import ConfiguredProviders


def users_of(emulator, group_id: str) -> list[str]:
    return next(g["users"] for g in emulator.state()["groups"] if g["id"] == group_id)


def add(providers, **inputs):
    provider = providers.group_user
    return provider.create(checked(provider, inputs))


def test_add_by_email_and_remove_one_request_each(group_providers, emulator):
    created = add(group_providers, group_id="group_hand", email="Ada@Example.com")
    assert created.id == "group_hand/user-ada"
    assert (created.outs["email"], created.outs["name"], created.outs["requested_email"]) == (
        "ada@example.com", "Ada", "Ada@Example.com")
    assert emulator.requests().count("POST", GROUP_USERS) == 1 and "user-ada" in users_of(emulator, "group_hand")
    group_providers.group_user.delete(created.id, created.outs)
    assert emulator.requests().count("DELETE", GROUP_USER) == 1 and "user-ada" not in users_of(emulator, "group_hand")


def test_refresh_reads_one_listing_per_group_and_sees_removal(group_providers, emulator):
    created = [add(group_providers, group_id="group_hand", user_id=f"user-{n}") for n in ("ada", "grace")]
    out_of_band(emulator, "DELETE", "/organization/groups/group_hand/users/user-ada")
    ConfiguredProviders.new_process()  # a refresh starts a new provider process
    before = emulator.requests().count("GET", GROUP_USERS)
    with ThreadPoolExecutor(4) as pool:
        reads = list(pool.map(lambda r: group_providers.group_user.read(r.id, r.outs), created))
    assert emulator.requests().count("GET", GROUP_USERS) == before + 1
    assert [r.id for r in reads] == ["", "group_hand/user-grace"]
    assert reads[1].inputs == {"group_id": "group_hand", "user_id": "user-grace"}


def test_users_of_a_scim_group_are_never_written(group_providers, emulator):
    with pytest.raises(ValueError, match=r"'ML Engineers' \(group_idp\) is managed by the identity provider.*"
                                         r"use external_group"):
        add(group_providers, group_id="group_idp", user_id="user-ada")
    assert emulator.requests().count("POST", GROUP_USERS) == 0


def test_someone_outside_the_organization_is_refused(group_providers):
    with pytest.raises(ValueError, match="nobody@example.com is not a member of the OpenAI organization"):
        add(group_providers, group_id="group_hand", email="nobody@example.com")


def test_another_user_replaces(group_providers):
    created = add(group_providers, group_id="group_hand", user_id="user-ada")
    diff = group_providers.group_user.diff(created.id, created.outs, {"group_id": "group_hand", "user_id": "user-grace"})
    assert diff.replaces == ["user_id"]


def test_a_new_group_and_its_users_read_each_listing_once(group_providers, emulator):
    group = group_providers.group.create(checked(group_providers.group, {"name": "new-team"}))
    for person in ("ada", "grace", "alan"):
        add(group_providers, group_id=group.id, email=f"{person}@example.com")
    counts = emulator.requests()
    assert (counts.count("GET", GROUPS), counts.count("GET", GROUP_USERS), counts.count("POST", GROUP_USERS)) == (1, 1, 3)
    assert sorted(users_of(emulator, group.id)) == ["user-ada", "user-alan", "user-grace"]
