"""The rotation messages name the account by the name the spec gives it, not only its id
(issue 18)."""

from __future__ import annotations

import logging

import pytest

from pulumi_openai_access.emulator.process import SAMPLE
from tests.support.providers import ConfiguredProviders


def checked(providers: ConfiguredProviders, **inputs):
    result = providers.service_account.check({}, {"project_id": SAMPLE.WEB, "name": "deploy-bot", **inputs})
    assert result.failures == []
    return result.inputs


def test_a_planned_and_a_made_key_name_the_account(providers: ConfiguredProviders, caplog: pytest.LogCaptureFixture):
    provider = providers.service_account
    created = provider.create(checked(providers, rotation="2026-01"))
    news = checked(providers, key_expires_in_seconds=3600, rotation="2026-02", key_renew_before_seconds=3599)
    with caplog.at_level(logging.INFO):
        provider.diff(created.id, created.outs, news)
        provider.update(created.id, created.outs, news)
    account_id = created.outs["service_account_id"]
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith(f"service account 'deploy-bot' ({created.id}): a new key is planned") for m in messages), messages
    assert any(m.startswith(f"service account 'deploy-bot' ({account_id}): making a new key") for m in messages), messages
