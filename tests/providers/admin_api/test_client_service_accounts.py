"""The client's service-account and project API key endpoints against the emulator: the
lifecycle, the typed errors, and creates whose outcome is unknown never making two."""

from __future__ import annotations

import logging
import time

import pytest

from pulumi_openai_access.emulator.process import (
    SAMPLE,
    SERVICE_ACCOUNT_KEYS,
    SERVICE_ACCOUNTS,
    Fault,
)
from pulumi_openai_access.providers.admin_api import (
    AmbiguousWriteError,
    ApiKeyExpiredError,
    InvalidRequestError,
    NotFoundError,
    ProjectArchivedError,
    ServerError,
)
from tests.support.client import client_for, error_text

PROJECT = SAMPLE.WEB


def accounts_named(emulator, name: str) -> list[dict]:
    return [sa for sa in emulator.state()["service_accounts"] if sa["name"] == name]


def keys_of(emulator, service_account_id: str) -> list[dict]:
    return [k for k in emulator.state()["api_keys"] if k["service_account_id"] == service_account_id]


def test_service_account_lifecycle(emulator):
    client = client_for(emulator)
    created = client.create_service_account(PROJECT, "deploy-bot", expires_in_seconds=3600)
    assert (created.name, created.role) == ("deploy-bot", "member")
    assert created.api_key is not None and created.api_key.expires_at == created.api_key.created_at + 3600
    value = created.api_key.value.get_secret_value()
    assert value.startswith("sk-svcacct-") and emulator.key_works(value)
    # The value is a SecretStr: the model's repr and str never show it.
    assert value not in repr(created) and value not in str(created)

    assert client.get_service_account(PROJECT, created.id).name == "deploy-bot"
    assert [sa.id for sa in client.list_service_accounts(PROJECT)] == [created.id]
    renamed = client.update_service_account(PROJECT, created.id, name="deployer", role="owner")
    assert (renamed.name, renamed.role) == ("deployer", "owner")

    second = client.create_service_account_key(PROJECT, created.id, name="rotated", scopes=["api.model.request"])
    assert second.name == "rotated" and second.expires_at is None
    keys = client.service_account_keys(PROJECT, created.id)
    assert {k.id for k in keys} == {created.api_key.id, second.id}
    assert all(k.owner.service_account_id == created.id for k in keys)

    client.delete_project_api_key(PROJECT, created.api_key.id)
    assert not emulator.key_works(value)
    assert emulator.key_works(second.value.get_secret_value())
    client.delete_service_account(PROJECT, created.id)
    assert not emulator.key_works(second.value.get_secret_value())  # the account's keys go with it
    assert emulator.state()["api_keys"] == []
    with pytest.raises(NotFoundError):
        client.get_service_account(PROJECT, created.id)


def test_account_only_has_no_key_and_role_none(emulator):
    created = client_for(emulator).create_service_account(PROJECT, "bare", create_service_account_only=True)
    assert created.api_key is None and created.role == "none"
    assert keys_of(emulator, created.id) == []


def test_key_expiry_and_update(emulator):
    client = client_for(emulator)
    account = client.create_service_account(PROJECT, "short-lived", expires_in_seconds=1)
    key = account.api_key
    updated = client.update_project_api_key(PROJECT, key.id, scopes=["api.all.read"])
    assert updated.id == key.id
    time.sleep(2.1)
    assert not emulator.key_works(key.value.get_secret_value())
    listed = client.get_project_api_key(PROJECT, key.id)
    assert listed.expired(time.time())  # still listed, with its expiry in the past
    with pytest.raises(ApiKeyExpiredError):
        client.update_project_api_key(PROJECT, key.id, expires_in_seconds=60)


@pytest.mark.parametrize("call, error", [
    (lambda c: c.get_service_account(PROJECT, "svc_acct_missing"), NotFoundError),
    (lambda c: c.get_project_api_key(PROJECT, "key_missing"), NotFoundError),
    (lambda c: c.create_service_account(PROJECT, "x", expires_in_seconds=0), InvalidRequestError),
    (lambda c: c.create_service_account(PROJECT, "x", expires_in_seconds=5, create_service_account_only=True),
     InvalidRequestError),
    (lambda c: c.update_service_account(PROJECT, "svc_acct_missing", role="owner"), NotFoundError),
    (lambda c: c.create_service_account("proj_Archived000000000000000", "x"), ProjectArchivedError),
])
def test_errors_are_typed(emulator, call, error):
    emulator.reset({**emulator.state(), "projects": [
        *emulator.state()["projects"], {"id": "proj_Archived000000000000000", "name": "old", "status": "archived"}]})
    with pytest.raises(error):
        call(client_for(emulator))


@pytest.mark.parametrize("fault", [
    Fault("POST", SERVICE_ACCOUNTS, "drop_after"),
    Fault("POST", SERVICE_ACCOUNTS, "drop_before"),
    Fault("POST", SERVICE_ACCOUNTS, "status", status=503),
])
def test_create_with_an_unknown_outcome_never_makes_two_accounts(emulator, fault, caplog):
    client = client_for(emulator)
    other = client.create_service_account(PROJECT, "ci")  # someone else's, same name
    emulator.set_faults(fault)
    with caplog.at_level(logging.INFO):
        created = client.create_service_account(PROJECT, "ci")
    assert created.id != other.id
    assert len(accounts_named(emulator, "ci")) == 2  # the other one and exactly one of ours
    if fault.action == "drop_after":
        # Found by reading back: the account is ours, its key's value was lost with the answer.
        assert created.api_key is None and "was applied (read back)" in caplog.text
    else:
        assert created.api_key is not None


def test_two_new_accounts_with_one_name_are_ambiguous(emulator):
    client = client_for(emulator)
    # The dropped create is applied, and before its read-back "someone else" creates an
    # account with the same name: the read-back sees two new ones.
    emulator.set_faults(Fault("POST", SERVICE_ACCOUNTS, "drop_after"))
    original_list = client.list_service_accounts
    calls = []

    def list_and_interfere(project_id):
        calls.append(project_id)
        if len(calls) == 2:  # the read-back after the dropped attempt
            client_for(emulator).create_service_account(project_id, "ci", create_service_account_only=True)
        return original_list(project_id)

    client.list_service_accounts = list_and_interfere  # type: ignore[method-assign]
    with pytest.raises(AmbiguousWriteError) as raised:
        client.create_service_account(PROJECT, "ci")
    assert "2 new service account named 'ci'" in str(raised.value)
    assert len(accounts_named(emulator, "ci")) == 2  # and no third


def test_key_create_with_an_unknown_outcome_leaves_no_stray_key(emulator, caplog):
    client = client_for(emulator)
    account = client.create_service_account(PROJECT, "ci")
    emulator.set_faults(Fault("POST", SERVICE_ACCOUNT_KEYS, "drop_after"))
    with caplog.at_level(logging.INFO):
        key = client.create_service_account_key(PROJECT, account.id, name="next")
    # The dropped attempt's key (value lost) was deleted; the one returned works.
    assert {k["id"] for k in keys_of(emulator, account.id)} == {account.api_key.id, key.id}
    assert emulator.key_works(key.value.get_secret_value())
    assert "whose value was lost" in caplog.text
    assert key.value.get_secret_value() not in caplog.text


def test_key_create_gives_up_on_persistent_5xx_without_creating(emulator):
    client = client_for(emulator)
    account = client.create_service_account(PROJECT, "ci")
    emulator.set_faults(Fault("POST", SERVICE_ACCOUNT_KEYS, "status", status=500, count=10))
    with pytest.raises(ServerError) as raised:
        client.create_service_account_key(PROJECT, account.id)
    assert len(keys_of(emulator, account.id)) == 1
    assert account.api_key.value.get_secret_value() not in error_text(raised.value)
