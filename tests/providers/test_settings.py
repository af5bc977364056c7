"""Where a provider process finds its key, endpoint and request rate: stack config first, then
the environment; the key never shown, and two configurations told apart by a digest of it."""

from __future__ import annotations

import pickle

import pytest

from pulumi_openai_access.providers.settings import ProviderSettings

KEY, OTHER = "sk-admin-settings-test-key", "sk-admin-another-key"
ENV = {"OPENAI_ADMIN_KEY": OTHER, "OPENAI_BASE_URL": "http://127.0.0.1:1", "OPENAI_ADMIN_REQUESTS_PER_MINUTE": "30"}


def test_stack_config_comes_before_the_environment():
    config = {"openai:adminKey": KEY, "openai:baseUrl": "http://127.0.0.1:2", "openai:requestsPerMinute": 120}
    settings = ProviderSettings.resolve(config, ENV)
    assert settings.admin_key.authorization_header() == {"Authorization": f"Bearer {KEY}"}
    assert (settings.base_url, settings.requests_per_minute) == ("http://127.0.0.1:2", 120.0)


def test_the_environment_serves_what_the_config_leaves_out_or_empty():
    settings = ProviderSettings.resolve({"openai:adminKey": ""}, ENV)
    assert settings.admin_key.authorization_header() == {"Authorization": f"Bearer {OTHER}"}
    assert (settings.base_url, settings.requests_per_minute) == ("http://127.0.0.1:1", 30.0)
    nothing = ProviderSettings.resolve(None, {})
    assert (nothing.admin_key, nothing.base_url, nothing.requests_per_minute) == (None, None, None)


@pytest.mark.parametrize("rate", ["0", "-5", "fast"])
def test_a_bad_rate_names_the_setting(rate):
    with pytest.raises(ValueError, match=rf"openai:requestsPerMinute must be a positive number of requests per minute, got '{rate}'"):
        ProviderSettings.resolve({"openai:requestsPerMinute": rate}, {})


def test_the_key_is_never_shown_and_configurations_differ_by_its_digest():
    settings = ProviderSettings.resolve({"openai:adminKey": KEY}, {})
    same = ProviderSettings.resolve({}, {"OPENAI_ADMIN_KEY": KEY})
    other = ProviderSettings.resolve({"openai:adminKey": OTHER}, {})
    assert settings.identity() == same.identity() != other.identity()
    assert KEY not in repr(settings) and KEY not in str(settings.identity())
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(settings)
