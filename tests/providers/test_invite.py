"""The ``Invite`` resource's local decisions: check (with the domain rail worded once for the
spec and the resource) and diff (a pending or lapsed invite is looked at again by each up; a
settled one is quiet)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.providers.invite import SCHEMA, InviteProvider, outside_domains

WEB = "proj_Web0000000000000000000000"


def failures(news: dict) -> dict[str, str]:
    return {f.property: f.reason for f in SCHEMA.check(news).failures}


def test_valid_inputs_are_normalized():
    result = SCHEMA.check({"email": "Ada@Example.com", "projects": [{"id": WEB, "role": "owner"}],
                           "allowed_domains": ["example.com"]})
    assert not result.failures
    assert result.inputs == {"email": "ada@example.com", "role": "reader", "projects": [{"id": WEB, "role": "owner"}],
                             "allowed_domains": ["example.com"]}


@pytest.mark.parametrize("news, prop, words", [
    ({"email": "not-an-email"}, "email", "an email address"),
    ({"email": "a@example.com", "role": "member"}, "role", "'owner' or 'reader'"),
    ({"email": "a@example.com", "projects": [{"id": WEB, "role": "admin"}]}, "projects", "role: member or owner"),
    ({"email": "a@example.com", "projects": [{"id": "web"}]}, "projects", "projects[0]"),
    ({"email": "a@elsewhere.test", "allowed_domains": ["example.com"]}, "email", "not in the domains"),
    ({"email": "a@example.com", "allowed_domains": "example.com"}, "allowed_domains", "list of domain names"),
])
def test_bad_inputs_are_named(news, prop, words):
    assert words in failures(news)[prop]


def test_the_rail_is_worded_once():
    assert outside_domains("a@Example.COM", ["example.com"]) is None
    assert "add its domain to invite_domains" in outside_domains("a@example.org", ["example.com"])


@pytest.mark.parametrize("status, changes", [("pending", True), ("lapsed", True), ("accepted", False), ("member", False)])
def test_diff_looks_again_only_while_the_person_has_not_joined(status, changes):
    inputs = SCHEMA.check({"email": "a@example.com"}).inputs
    result = InviteProvider().diff("a@example.com", {**inputs, "status": status}, inputs)
    assert result.changes is changes and not result.replaces


def test_a_new_address_replaces():
    olds = {**SCHEMA.check({"email": "a@example.com"}).inputs, "status": "pending"}
    result = InviteProvider().diff("a@example.com", olds, SCHEMA.check({"email": "b@example.com"}).inputs)
    assert result.replaces == ["email"]
