"""The spec's lifecycle keys (``invite``, ``invite_domains``, ``organization``): bad input is
one message per problem, with its path, before anything is registered or requested."""

from __future__ import annotations

import re

import pytest

from pulumi_openai_access.components import AccessSpecError, parse_access_spec

WEB = "proj_Web0000000000000000000000"


def spec(*members, **top) -> dict:
    return {"teams": {"t": {"members": list(members) or ["ada@example.com"], "grants": {WEB: "member"}}}, **top}


@pytest.mark.parametrize("raw, problem", [
    (spec(invite_domains=["example.com"]),
     "invite_domains: a rail of invite: set `invite: true` too, or drop invite_domains"),
    (spec("ada@example.com", "eve@exmaple.com", invite=True, invite_domains=["example.com"]),
     "teams.t.members.1: eve@exmaple.com is not in the domains invites may go to (example.com)"),
    (spec(invite=True, invite_domains="example.com"),
     "invite_domains: must be a non-empty list of domain names such as 'example.com', got 'example.com'"),
    (spec(invite=True, invite_domains=[]), "invite_domains: must be a non-empty list of domain names"),
    (spec(invite="yes"), "invite: must be true or false, got 'yes'"),
    (spec("ada@example"), "teams.t.members.0: email 'ada@example' is not an email address"),
    (spec(organization={"exclusive": True, "max_removals": -1}),
     "organization.max_removals: must be a whole number of at least 0, got -1"),
    (spec(organization={"exclusive": True, "max_removals": 1.5}),
     "organization.max_removals: must be a whole number of at least 0, got 1.5"),
    (spec(organization={"exclusive": True, "max_removals": "5"}),
     "organization.max_removals: must be a whole number of at least 0, got '5'"),
    (spec(organization={"exclusive": "true"}), "organization.exclusive: must be true or false, got 'true'"),
    (spec(organization={"exclusive": True, "remove": "all"}), "organization.remove: is not a field of the spec"),
    (spec(max_removals=-3), "max_removals: must be a whole number of at least 0, got -3"),
])
def test_bad_lifecycle_input_is_named_with_its_path(raw, problem):
    with pytest.raises(AccessSpecError, match=re.escape(problem)):
        parse_access_spec(raw)


def test_members_by_user_id_are_never_invited_so_no_domain_applies():
    parsed = parse_access_spec(spec("user-Contractor000000000000", {"email": "ext@agency.test", "user_id": "user-X1"},
                                    invite=True, invite_domains=["example.com"]))
    assert parsed.invite and parsed.invite_domains == ("example.com",)


def test_defaults_leave_everything_off():
    parsed = parse_access_spec(spec())
    assert (parsed.invite, parsed.invite_domains) == (False, None)
    assert (parsed.organization.exclusive, parsed.organization.max_removals) == (False, 10)
