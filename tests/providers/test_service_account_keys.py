"""When a service account's key must be replaced (``renewal_reason``): local, no API call."""

from __future__ import annotations

import pytest

from pulumi_openai_access.providers.service_account_keys import KeyOptions, renewal_reason

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
