"""``ProjectProvider`` against the emulator over real sockets: check, create and adopt by
name, rename in place, refresh of a rename or archive made outside, destroy that archives
only what the stack created."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import PROJECTS, SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api import AdminClient
from tests.support.providers import ConfiguredProviders


def admin(emulator: EmulatorProcess) -> AdminClient:
    return AdminClient(emulator.admin_key, emulator.base_url)


def checked(providers: ConfiguredProviders, **inputs):
    result = providers.project.check({}, {"name": "Checkout", **inputs})
    assert result.failures == [], result.failures
    return result.inputs


def status_of(emulator: EmulatorProcess, project_id: str) -> str:
    return next(p["status"] for p in emulator.state()["projects"] if p["id"] == project_id)


@pytest.mark.parametrize("inputs, prop, fragment", [
    ({"name": ""}, "name", "name is required"),
    ({"name": "   "}, "name", "something besides spaces"),
    ({"name": None}, "name", "name is required"),
    ({"name": "x" * 256}, "name", "at most 255"),
    ({"residency": "MOON"}, "residency", "'EU_STORAGE_PROCESSING'"),
    ({"adopt": "yes"}, "adopt", "true or false"),
    ({"owner": "ada"}, "owner", "not an input"),
])
def test_check_names_the_property_and_what_is_allowed(providers, inputs, prop, fragment):
    failures = providers.project.check({}, {"name": "Checkout", **inputs}).failures
    assert [f.property for f in failures] == [prop]
    assert fragment in failures[0].reason


def test_create_rename_in_place_and_destroy_archives(emulator, providers):
    created = providers.project.create(checked(providers, residency="GLOBAL"))
    assert created.id.startswith("proj_")
    assert (created.outs["name"], created.outs["status"], created.outs["adopted"]) == ("Checkout", "active", False)
    assert created.outs["created_at"] > 0 and created.outs["residency"] == "GLOBAL"

    news = checked(providers, name="Checkout service", residency="GLOBAL")
    diff = providers.project.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    updated = providers.project.update(created.id, created.outs, news)
    assert updated.outs["name"] == "Checkout service"
    assert admin(emulator).get_project(created.id).name == "Checkout service"
    assert providers.project.diff(created.id, updated.outs, news).changes is False

    providers.project.delete(created.id, updated.outs)
    assert status_of(emulator, created.id) == "archived"
    providers.project.delete(created.id, updated.outs)  # archived already: done


def test_a_new_residency_replaces(providers):
    created = providers.project.create(checked(providers))
    assert providers.project.diff(created.id, created.outs, checked(providers)).changes is False
    diff = providers.project.diff(created.id, created.outs, checked(providers, residency="EU_STORAGE_PROCESSING"))
    assert diff.replaces == ["residency"]


def test_refresh_sees_a_rename_and_an_archive_made_outside(emulator, providers):
    created = providers.project.create(checked(providers))
    admin(emulator).update_project(created.id, name="Renamed by hand")
    read = providers.project.read(created.id, created.outs)
    assert (read.id, read.outs["name"], read.inputs["name"]) == (created.id, "Renamed by hand", "Renamed by hand")
    diff = providers.project.diff(created.id, read.outs, checked(providers))
    assert diff.changes and diff.replaces == []  # up renames it back, in place

    admin(emulator).archive_project(created.id)
    read = providers.project.read(created.id, read.outs)
    assert read.outs["status"] == "archived" and read.outs["archived_at"]
    diff = providers.project.diff(created.id, read.outs, checked(providers))
    assert diff.changes and diff.replaces == ["name"]  # it cannot come back: a new one replaces it


def test_adopt_takes_over_exactly_one_active_project_and_destroy_releases_it(emulator, providers):
    adopted = providers.project.create(checked(providers, name="Web Storefront", adopt=True))
    assert (adopted.id, adopted.outs["adopted"]) == (SAMPLE.WEB, True)
    assert emulator.requests().count("POST", PROJECTS) == 0
    providers.project.delete(adopted.id, adopted.outs)
    assert status_of(emulator, SAMPLE.WEB) == "active"


def test_a_name_in_use_fails_without_adopt_and_several_fail_with_their_ids(emulator, providers):
    with pytest.raises(ValueError, match=f"exists already \\({SAMPLE.WEB}\\).*adopt"):
        providers.project.create(checked(providers, name="Web Storefront"))
    other = admin(emulator).create_project("Web Storefront")
    with pytest.raises(ValueError, match=f"2 active projects.*{SAMPLE.WEB}, {other.id}"):
        providers.project.create(checked(providers, name="Web Storefront", adopt=True))
    assert emulator.requests().count("POST", PROJECTS) == 1  # only the one made above


def test_adopt_without_a_match_creates_and_then_archives(emulator, providers):
    created = providers.project.create(checked(providers, adopt=True))
    assert created.outs["adopted"] is False
    providers.project.delete(created.id, created.outs)
    assert status_of(emulator, created.id) == "archived"


def test_refresh_of_a_project_that_is_gone_drops_it(providers):
    assert providers.project.read("proj_gone", {"name": "x"}).id == ""
