"""Key rotation, when and how: when a service account's key must be replaced (``renewal_reason``,
local, no API call), and replacing it with no moment without a valid key (``replace_key``,
against the emulator)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import PROJECT_API_KEY, SAMPLE, SERVICE_ACCOUNT_KEYS, EmulatorProcess, Fault
from pulumi_openai_access.providers.access_gateway import AccessGateway
from pulumi_openai_access.providers.admin_api import InvalidRequestError
from pulumi_openai_access.providers.service_account_keys import KeyOptions, renewal_reason, replace_key
from tests.support.client import client_for

NOW = 1_800_000_000
KEPT = {"api_key": "sk-svcacct-x", "api_key_id": "key_x", "api_key_expires_at": None,
        "key_expires_in_seconds": None, "key_scopes": None, "rotation": "1"}


@pytest.mark.parametrize("olds, news, reason", [
    ({}, {}, None),
    ({"rotation": "1"}, {"rotation": "2"}, "rotation changed"),
    ({}, {"key_scopes": ["api.model.request"]}, "key_scopes changed"),
    ({"key_expires_in_seconds": 3600.0}, {"key_expires_in_seconds": 3600}, None),  # the engine's floats
    ({"api_key_id": None}, {}, "the key is gone"),
    ({"api_key": None}, {}, "the key is gone"),  # expired, as read found it
    ({"api_key_expires_at": NOW}, {}, "the key has expired"),
    ({"api_key_expires_at": NOW + 100}, {"key_renew_before_seconds": 100}, "within key_renew_before_seconds"),
    ({"api_key_expires_at": NOW + 101}, {"key_renew_before_seconds": 100}, None),
    ({"api_key_expires_at": NOW + 10}, {}, None),  # no renewal window: used until it expires
])
def test_renewal_reason(olds, news, reason):
    found = renewal_reason({**KEPT, **olds}, {**{k: KEPT[k] for k in ("key_expires_in_seconds", "key_scopes",
                                                                        "rotation")}, **news}, NOW)
    assert (found is None) if reason is None else (found is not None and reason in found), found


def test_key_options_cast_the_engines_floats():
    options = KeyOptions.from_inputs({"key_expires_in_seconds": 60.0, "key_scopes": ("a",)})
    assert options == KeyOptions(60, ["a"]) and isinstance(options.expires_in_seconds, int)


def key_ids(emulator: EmulatorProcess, account_id: str) -> set[str]:
    return {k["id"] for k in emulator.state()["api_keys"] if k["service_account_id"] == account_id}


def test_a_new_key_exists_before_the_old_one_goes_and_a_failed_delete_takes_it_back(emulator):
    access = AccessGateway(client_for(emulator))
    account = access.create_service_account(SAMPLE.WEB, "ci", expires_in_seconds=None, known=[])
    old = account.api_key
    emulator.set_faults(Fault("DELETE", PROJECT_API_KEY, "status", status=400, message="refused"))
    with pytest.raises(InvalidRequestError, match="refused"):
        replace_key(access, SAMPLE.WEB, account.id, "ci", KeyOptions(None, None), [old.id])
    # The old key's delete came after the new key existed, and failed: the old key still works,
    # and the new one, which nobody has seen, was taken back.
    assert emulator.requests().count("POST", SERVICE_ACCOUNT_KEYS) == 1
    assert emulator.key_works(old.value.get_secret_value()) and key_ids(emulator, account.id) == {old.id}

    emulator.set_faults()
    new = replace_key(access, SAMPLE.WEB, account.id, "ci", KeyOptions(60, ["api.model.request"]), [old.id])
    assert key_ids(emulator, account.id) == {new.id} and new.expires_at is not None
    assert emulator.key_works(new.value.get_secret_value()) and not emulator.key_works(old.value.get_secret_value())
