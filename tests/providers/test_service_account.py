"""``ServiceAccountProvider`` against the emulator over real sockets, method by method: the
check and diff rules, drift, and the interrupted-run rule. (The order of a key's replacement
is proven with ``replace_key`` in ``test_service_account_keys.py``.)"""

from __future__ import annotations

import logging
import time

import pytest

from pulumi_openai_access.emulator.process import SAMPLE, SERVICE_ACCOUNTS, EmulatorProcess, Fault
from pulumi_openai_access.providers.admin_api import AdminClient
from tests.support.providers import ConfiguredProviders

PROJECT = SAMPLE.WEB


def admin(emulator: EmulatorProcess) -> AdminClient:
    return AdminClient(emulator.admin_key, emulator.base_url)


def accounts(emulator: EmulatorProcess) -> list[dict]:
    return emulator.state()["service_accounts"]


def key_ids(emulator: EmulatorProcess, account_id: str) -> set[str]:
    return {k["id"] for k in emulator.state()["api_keys"] if k["service_account_id"] == account_id}


def checked(providers: ConfiguredProviders, **inputs):
    result = providers.service_account.check({}, {"project_id": PROJECT, "name": "ci", **inputs})
    assert result.failures == [], result.failures
    return result.inputs


def create(providers: ConfiguredProviders, **inputs):
    return providers.service_account.create(checked(providers, **inputs))


@pytest.mark.parametrize("inputs, prop, fragment", [
    ({"project_id": "web"}, "project_id", "proj_abc123"),
    ({"name": ""}, "name", "name is required"),
    ({"name": "x" * 256}, "name", "at most 255"),
    ({"role": "admin"}, "role", "'member' or 'owner'"),
    ({"key_expires_in_seconds": 0}, "key_expires_in_seconds", "above zero"),
    ({"key_expires_in_seconds": 1.5}, "key_expires_in_seconds", "whole number"),
    ({"key_scopes": "api.model.request"}, "key_scopes", "list of"),
    ({"rotation": 3}, "rotation", "must be a string"),
    ({"key_renew_before_seconds": 60}, "key_renew_before_seconds", "needs key_expires_in_seconds"),
    ({"key_expires_in_seconds": 60, "key_renew_before_seconds": 60}, "key_renew_before_seconds", "less than"),
    ({"api_keys": ["sk-set-by-hand"]}, "api_keys", "not an input"),
])
def test_check_names_the_property_and_what_is_allowed(providers, inputs, prop, fragment):
    result = providers.service_account.check({}, {"project_id": PROJECT, "name": "ci", **inputs})
    assert [(f.property, fragment in f.reason) for f in result.failures] == [(prop, True)], result.failures


def test_check_defaults_the_role_and_casts_engine_floats(providers):
    inputs = checked(providers, key_expires_in_seconds=3600.0)
    assert inputs["role"] == "member" and inputs["key_expires_in_seconds"] == 3600
    assert isinstance(inputs["key_expires_in_seconds"], int)


def test_create_makes_one_account_and_one_working_key(providers, emulator):
    result = create(providers, role="owner", key_expires_in_seconds=3600, key_scopes=["api.model.request"])
    outs = result.outs
    assert result.id == f"{PROJECT}/{outs['service_account_id']}"
    assert (outs["name"], outs["role"]) == ("ci", "owner")
    assert emulator.key_works(outs["api_key"])
    assert outs["api_key_expires_at"] == outs["created_at"] + 3600
    (key,) = emulator.state()["api_keys"]
    assert key["id"] == outs["api_key_id"] and key["scopes"] == ["api.model.request"]
    assert [a["role"] for a in accounts(emulator)] == ["owner"]


def test_read_keeps_the_key_from_state_and_drops_a_deleted_account(providers, emulator):
    created = create(providers)
    read = providers.service_account.read(created.id, created.outs)
    assert read.outs == created.outs
    assert read.inputs == {p: created.outs[p] for p in read.inputs} and "api_key" not in read.inputs
    admin(emulator).delete_service_account(PROJECT, created.outs["service_account_id"])
    providers.new_process()  # a refresh's provider process: no listing from before the change
    assert providers.service_account.read(created.id, created.outs).id == ""


def test_a_key_deleted_out_of_band_is_drift_and_the_update_makes_a_new_one(providers, emulator):
    provider = providers.service_account
    created = create(providers)
    admin(emulator).delete_project_api_key(PROJECT, created.outs["api_key_id"])
    providers.new_process()
    read = provider.read(created.id, created.outs)
    assert (read.outs["api_key"], read.outs["api_key_id"]) == (None, None)
    news = checked(providers)
    assert provider.diff(created.id, read.outs, news).changes
    updated = provider.update(created.id, read.outs, news).outs
    assert emulator.key_works(updated["api_key"])
    assert key_ids(emulator, created.outs["service_account_id"]) == {updated["api_key_id"]}


def test_an_expired_key_is_renewed_and_deleted(providers, emulator):
    provider = providers.service_account
    created = create(providers, key_expires_in_seconds=1)
    time.sleep(2.1)
    read = provider.read(created.id, created.outs)
    assert read.outs["api_key"] is None and read.outs["api_key_id"] == created.outs["api_key_id"]
    news = checked(providers, key_expires_in_seconds=1)
    updated = provider.update(created.id, read.outs, news).outs
    assert key_ids(emulator, created.outs["service_account_id"]) == {updated["api_key_id"]}


def test_automatic_renewal_is_decided_in_diff_without_a_request(providers, emulator):
    provider = providers.service_account
    created = create(providers, key_expires_in_seconds=3600, key_renew_before_seconds=600)
    before = emulator.requests().total
    same = checked(providers, key_expires_in_seconds=3600, key_renew_before_seconds=600)
    assert not provider.diff(created.id, created.outs, same).changes
    due = checked(providers, key_expires_in_seconds=3600, key_renew_before_seconds=3599)
    assert provider.diff(created.id, created.outs, due).changes  # within the window now
    assert emulator.requests().total == before


def test_name_and_role_update_in_place_and_keep_the_key(providers, emulator):
    provider = providers.service_account
    created = create(providers)
    news = checked(providers, name="ci-renamed", role="owner")
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes and diff.replaces == []
    updated = provider.update(created.id, created.outs, news).outs
    assert (updated["name"], updated["role"], updated["api_key_id"]) == ("ci-renamed", "owner", created.outs["api_key_id"])
    assert provider.diff(created.id, created.outs, checked(providers, project_id=SAMPLE.DATA)).replaces == ["project_id"]


def test_delete_removes_the_account_and_its_keys(providers, emulator):
    created = create(providers)
    providers.service_account.delete(created.id, created.outs)
    assert accounts(emulator) == [] and emulator.state()["api_keys"] == []
    providers.service_account.delete(created.id, created.outs)  # already gone: fine


def test_a_dropped_create_answer_makes_one_account_with_a_new_key(providers, emulator):
    emulator.set_faults(Fault("POST", SERVICE_ACCOUNTS, "drop_after"))
    outs = create(providers).outs
    assert len(accounts(emulator)) == 1
    # The first key's value was lost: it was deleted and replaced by one whose value we have.
    assert key_ids(emulator, outs["service_account_id"]) == {outs["api_key_id"]}
    assert emulator.key_works(outs["api_key"])


def test_the_leftover_of_an_interrupted_create_is_taken_over_and_its_keys_left_alone(providers, emulator, caplog):
    leftover = admin(emulator).create_service_account(PROJECT, "ci")
    with caplog.at_level(logging.WARNING):
        outs = create(providers).outs
    assert outs["service_account_id"] == leftover.id and len(accounts(emulator)) == 1
    assert key_ids(emulator, leftover.id) == {leftover.api_key.id, outs["api_key_id"]}
    assert "taking it over" in caplog.text and leftover.api_key.id in caplog.text


@pytest.mark.parametrize("existing", [[("ci", "member"), ("ci", "member")], [("ci", "owner")]])
def test_accounts_that_cannot_be_told_apart_fail_without_creating(providers, emulator, existing):
    client = admin(emulator)
    for name, role in existing:
        made = client.create_service_account(PROJECT, name)
        if role != "member":
            client.update_service_account(PROJECT, made.id, role=role)
    with pytest.raises(ValueError) as raised:
        create(providers)
    assert "already has service account(s) named 'ci'" in str(raised.value)
    assert len(accounts(emulator)) == len(existing)


def test_the_key_never_shows_in_logs(providers, emulator, caplog):
    with caplog.at_level(logging.DEBUG):
        emulator.set_faults(Fault("POST", SERVICE_ACCOUNTS, "drop_after"))
        outs = create(providers, rotation="a").outs
        providers.service_account.update(f"{PROJECT}/{outs['service_account_id']}", outs, checked(providers, rotation="b"))
    assert "sk-svcacct-" not in caplog.text


def test_refreshing_many_accounts_costs_two_listings_not_two_gets_each(providers, emulator):
    created = [create(providers, name=f"bot-{i}") for i in range(5)]
    providers.new_process()
    before = emulator.requests()
    for result in created:
        assert providers.service_account.read(result.id, result.outs).outs == result.outs
    after = emulator.requests()
    assert after.total - before.total == 2  # the project's service accounts, and its API keys


# The rotation messages name the account by the name the spec gives it, not only its id.
def test_a_planned_and_a_made_key_name_the_account(providers: ConfiguredProviders, caplog: pytest.LogCaptureFixture):
    provider = providers.service_account
    created = provider.create(checked(providers, name="deploy-bot", rotation="2026-01"))
    news = checked(providers, name="deploy-bot", key_expires_in_seconds=3600, rotation="2026-02",
                   key_renew_before_seconds=3599)
    with caplog.at_level(logging.INFO):
        provider.diff(created.id, created.outs, news)
        provider.update(created.id, created.outs, news)
    account_id = created.outs["service_account_id"]
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith(f"service account 'deploy-bot' ({created.id}): a new key is planned") for m in messages), messages
    assert any(m.startswith(f"service account 'deploy-bot' ({account_id}): making a new key") for m in messages), messages
