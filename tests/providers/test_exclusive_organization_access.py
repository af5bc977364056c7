"""``ExclusiveOrganizationAccess``'s check: its inputs judged locally, ``max_removals`` by the
same rule as the spec's; what the program may not set."""

from __future__ import annotations

import pytest

from pulumi_openai_access.providers.exclusive_organization_access import SCHEMA


def failures(news: dict) -> dict[str, str]:
    return {f.property: f.reason for f in SCHEMA.check(news).failures}


def test_defaults_and_normalized_members():
    result = SCHEMA.check({"members": [{"email": "Ada@Example.com"}, {"user_id": "user-bob"}]})
    assert not result.failures
    assert result.inputs == {"members": [{"email": "ada@example.com"}, {"user_id": "user-bob"}], "max_removals": 10,
                             "undeclared_users": []}


@pytest.mark.parametrize("news, prop, words", [
    ({}, "members", "members is required"),
    ({"members": [{"name": "Ada"}]}, "members", "needs a user_id or an email"),
    ({"members": [], "max_removals": -1}, "max_removals", "max_removals must be a whole number of at least 0, got -1"),
    ({"members": [], "max_removals": 2.5}, "max_removals", "whole number"),
    ({"members": [], "undeclared_users": [{"email": "x@example.com"}]}, "undeclared_users", "recorded by refresh"),
])
def test_bad_inputs_are_named(news, prop, words):
    assert words in failures(news)[prop]
