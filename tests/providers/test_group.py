"""``GroupProvider`` against the emulator: create, adopt, external references, rename in
place, drift, and delete only what the stack created."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import GROUP, GROUPS
from tests.support.groups import checked, out_of_band


def names(emulator) -> list[str]:
    return [g["name"] for g in emulator.state()["groups"]]


def test_create_rename_delete(group_providers, emulator):
    provider = group_providers.group
    created = provider.create(checked(provider, {"name": "data-team"}))
    assert created.outs["created_by_stack"] is True and created.outs["group_id"] == created.id
    assert emulator.requests().count("POST", GROUPS) == 1 and names(emulator)[-1] == "data-team"

    news = checked(provider, {"name": "data"})
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []  # a rename is in place
    assert provider.update(created.id, created.outs, news).outs["group_name"] == "data"
    assert emulator.requests().count("POST", GROUP) == 1 and "data" in names(emulator)

    provider.delete(created.id, {**created.outs, "name": "data"})
    assert "data" not in names(emulator)


def test_adopt_takes_over_one_group_of_that_name_and_releases_it(group_providers, emulator):
    provider = group_providers.group
    adopted = provider.create(checked(provider, {"name": "hand-made", "adopt": True}))
    assert (adopted.id, adopted.outs["created_by_stack"]) == ("group_hand", False)
    provider.delete(adopted.id, adopted.outs)
    assert "hand-made" in names(emulator)
    assert emulator.requests().count("POST", GROUPS) == 0 and emulator.requests().count("DELETE", GROUP) == 0


def test_adopted_group_deleted_only_when_asked(group_providers, emulator):
    provider = group_providers.group
    adopted = provider.create(checked(provider, {"name": "hand-made", "adopt": True, "delete_adopted": True}))
    provider.delete(adopted.id, adopted.outs)
    assert "hand-made" not in names(emulator)


@pytest.mark.parametrize("inputs, message", [
    ({"name": "hand-made"}, "exists already (group_hand)"),
    ({"name": "ML Engineers", "adopt": True}, "managed by the identity provider (SCIM)"),
    ({"name": "ML Engineers"}, "use external_group"),
])
def test_refusals_before_any_write(group_providers, emulator, inputs, message):
    provider = group_providers.group
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        provider.create(checked(provider, inputs))
    assert emulator.requests().count("POST", GROUPS) == 0


def test_several_groups_of_the_name_are_listed(group_providers, emulator):
    out_of_band(emulator, "POST", "/organization/groups", name="hand-made")
    provider = group_providers.group
    with pytest.raises(ValueError, match=r"2 groups are named 'hand-made' \(group_"):
        provider.create(checked(provider, {"name": "hand-made", "adopt": True}))


def test_external_group_by_name_or_id_is_never_written(group_providers, emulator):
    provider = group_providers.group
    by_name = provider.create(checked(provider, {"name": "ML Engineers", "external": True}))
    by_id = provider.create(checked(provider, {"name": "group_idp", "external": True}))
    assert by_name.id == by_id.id == "group_idp" and by_name.outs["is_scim_managed"] is True
    provider.delete(by_name.id, by_name.outs)
    counts = emulator.requests()
    assert [key for key in counts.by_route if not key.startswith("GET")] == []
    with pytest.raises(ValueError, match=r"no group named 'ML Engineer' .*similar names: 'ML Engineers'"):
        provider.create(checked(provider, {"name": "ML Engineer", "external": True}))


def test_refresh_shows_a_rename_out_of_band_and_a_deleted_group(group_providers, emulator):
    provider = group_providers.group
    created = provider.create(checked(provider, {"name": "data-team"}))
    out_of_band(emulator, "POST", f"/organization/groups/{created.id}", name="renamed")
    provider.access.groups._groups.invalidate("all")  # a new refresh, after the listing's lifetime
    read = provider.read(created.id, created.outs)
    assert read.inputs == {"name": "renamed", "adopt": False, "external": False, "delete_adopted": False}
    out_of_band(emulator, "DELETE", f"/organization/groups/{created.id}")
    provider.access.groups._groups.invalidate("all")
    assert provider.read(created.id, created.outs).id == ""


@pytest.mark.parametrize("name, message", [("", "name is required"), ("x" * 256, "at most 255 characters")])
def test_bad_names_fail_check(group_providers, name, message):
    failures = group_providers.group.check({}, {"name": name}).failures
    assert [f.property for f in failures] == ["name"] and message in failures[0].reason
