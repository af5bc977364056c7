"""The access spec judges every field that becomes a resource input by the rule that resource
declares: the spec's message is the provider's, under the spec's path. One rule, one message,
whoever reads the value (the spec, a provider's ``check``, the ``openai-access`` command)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pulumi_openai_access.components import AccessSpecError, parse_access_spec
from pulumi_openai_access.providers.exclusive_project_access import ExclusiveProjectAccessProvider
from pulumi_openai_access.providers.invite import InviteProvider
from pulumi_openai_access.providers.project_user import ProjectUserProvider
from pulumi_openai_access.providers.service_account import ServiceAccountProvider

WEB = "proj_Web0000000000000000000000"
TEAM = {"members": ["ada@example.com"], "grants": {WEB: "member"}}
MEMBERSHIP = {"project_id": WEB, "user_id": "user-ada", "role": "member"}
ACCOUNT = {"project_id": WEB, "name": "ci"}
EXCLUSIVE = {"project_id": WEB, "members": [{"user_id": "user-ada"}]}
INVITE = {"email": "ada@example.com"}
LONG = "x" * 256


def spec_problems(spec: dict[str, Any]) -> list[str]:
    with pytest.raises(AccessSpecError) as raised:
        parse_access_spec(spec)
    return raised.value.problems


def check_failures(provider: Any, inputs: dict[str, Any]) -> dict[str, str]:
    return {failure.property: failure.reason for failure in provider.check({}, inputs).failures}


# (spec, where the spec's problem stands, provider, inputs, the failing property, the message both say)
CASES = [
    # A grant's key may also be a declared project's: the provider's words, then what else it could be.
    ({"teams": {"web": {**TEAM, "grants": {"web": "member"}}}}, "teams.web.grants.web:",
     ProjectUserProvider, {**MEMBERSHIP, "project_id": "web"}, "project_id",
     "'web' is not a project id such as 'proj_abc123'"),
    ({"teams": {"web": {**TEAM, "grants": {WEB: "admin"}}}}, f"teams.web.grants.{WEB}.role:",
     ProjectUserProvider, {**MEMBERSHIP, "role": "admin"}, "role", "must be 'owner' or 'member', got 'admin'"),
    ({"teams": {"web": {**TEAM, "grants": {WEB: {"role": "member", "roles": ["viewer"]}}}}},
     f"teams.web.grants.{WEB}.roles:", ProjectUserProvider, {**MEMBERSHIP, "roles": ["viewer"]}, "roles",
     "'viewer' is not a project role id such as 'role-api-project-viewer' or 'role_01J1F8PROJ'"),
    ({"teams": {"web": {**TEAM, "members": ["ada"]}}}, "teams.web.members.0: user_id",
     ProjectUserProvider, {**MEMBERSHIP, "user_id": "ada"}, "user_id",
     "'ada' is not a user id such as 'user-abc123' (an email needs an '@')"),
    ({"teams": {"web": {**TEAM, "members": [{"email": "ada@example"}]}}}, "teams.web.members.0: email",
     ProjectUserProvider, {"project_id": WEB, "email": "ada@example", "role": "member"}, "email",
     "'ada@example' is not an email address such as 'ada@example.com'"),
    ({"teams": {"web": TEAM}, "adopt": "yes"}, "adopt:",
     ProjectUserProvider, {**MEMBERSHIP, "adopt": "yes"}, "adopt", "must be true or false, got 'yes'"),
    ({"service_accounts": {WEB: {LONG: None}}}, f"service_accounts.{WEB}.{LONG}.[key]:",
     ServiceAccountProvider, {**ACCOUNT, "name": LONG}, "name", "must be at most 255 characters, got 256"),
    ({"service_accounts": {WEB: {"ci": "admin"}}}, f"service_accounts.{WEB}.ci.role:",
     ServiceAccountProvider, {**ACCOUNT, "role": "admin"}, "role", "must be 'member' or 'owner', got 'admin'"),
    ({"service_accounts": {WEB: {"ci": {"key_expires_in_seconds": 0}}}},
     f"service_accounts.{WEB}.ci.key_expires_in_seconds:", ServiceAccountProvider,
     {**ACCOUNT, "key_expires_in_seconds": 0}, "key_expires_in_seconds",
     "must be a whole number of seconds above zero, got 0"),
    ({"service_accounts": {WEB: {"ci": {"key_scopes": "api.model.request"}}}},
     f"service_accounts.{WEB}.ci.key_scopes:", ServiceAccountProvider,
     {**ACCOUNT, "key_scopes": "api.model.request"}, "key_scopes",
     "must be a list of permission scopes such as 'api.model.request', got 'api.model.request'"),
    ({"service_accounts": {WEB: {"ci": {"rotation": 3}}}}, f"service_accounts.{WEB}.ci.rotation:",
     ServiceAccountProvider, {**ACCOUNT, "rotation": 3}, "rotation", "must be a string, got 3"),
    ({"teams": {"web": TEAM}, "max_removals": 2.5}, "max_removals:",
     ExclusiveProjectAccessProvider, {**EXCLUSIVE, "max_removals": 2.5}, "max_removals",
     "must be a whole number of at least 0, got 2.5"),
    ({"teams": {"web": TEAM}, "invite": "yes"}, "invite:",
     ProjectUserProvider, {**MEMBERSHIP, "invite": "yes"}, "invite", "must be true or false, got 'yes'"),
    ({"teams": {"web": TEAM}, "invite": True, "invite_domains": ["@example.com"]}, "invite_domains:",
     InviteProvider, {**INVITE, "allowed_domains": ["@example.com"]}, "allowed_domains",
     "must be a non-empty list of domain names such as 'example.com', got ['@example.com']"),
]


@pytest.mark.parametrize("spec, where, provider, inputs, prop, message", CASES)
def test_the_spec_and_the_provider_say_the_same_words(spec, where, provider, inputs, prop, message):
    # (a project or role the spec could also declare by key adds ", nor a … declared under …")
    assert any(problem.startswith(f"{where} {message}") for problem in spec_problems(spec)), spec_problems(spec)
    assert check_failures(provider(), inputs) == {prop: f"{prop} {message}"}


@pytest.mark.parametrize("account, message", [
    ({"key_renew_before_seconds": 60},
     "key_renew_before_seconds needs key_expires_in_seconds: a key that never expires is never renewed"),
    ({"key_expires_in_seconds": 60, "key_renew_before_seconds": 90},
     "key_renew_before_seconds (90) must be less than key_expires_in_seconds (60), or every up would make a new key"),
])
def test_a_rule_over_several_inputs_is_one_message_too(account, message):
    assert spec_problems({"service_accounts": {WEB: {"ci": account}}}) == [f"service_accounts.{WEB}.ci: {message}"]
    assert check_failures(ServiceAccountProvider(), {**ACCOUNT, **account}) == {"key_renew_before_seconds": message}


def test_the_invite_rail_is_one_message_too():
    outside = ("ada@example.com is not in the domains invites may go to (example.org): fix the address, "
               "or add its domain to invite_domains")
    spec = {"teams": {"web": TEAM}, "invite": True, "invite_domains": ["example.org"]}
    assert spec_problems(spec) == [f"teams.web.members.0: {outside}"]
    assert check_failures(InviteProvider(), {**INVITE, "allowed_domains": ["example.org"]}) == {"email": outside}


def test_the_exclusive_members_name_people_by_the_same_rules():
    failures = check_failures(ExclusiveProjectAccessProvider(), {**EXCLUSIVE, "members": [{"user_id": "ada"}]})
    assert failures == {"members": "members[0].user_id 'ada' is not a user id such as 'user-abc123' (an email needs an '@')"}


def test_a_valid_spec_keeps_its_values():
    spec = parse_access_spec({
        "teams": {"web": {"members": ["ada@example.com"], "grants": {WEB: {"role": "owner", "roles": ["role_b", "role_b"]}}}},
        "service_accounts": {WEB: {"ci": {"key_expires_in_seconds": 3600.0, "key_renew_before_seconds": 60}}},
        "max_removals": 0,
    })
    assert spec.teams["web"].grants[WEB].roles == ("role_b",)
    account = spec.service_accounts[WEB]["ci"]
    assert (account.role, account.key_expires_in_seconds) == ("member", 3600)
    assert spec.max_removals == 0 and spec.adopt is False


# --- the lifecycle keys: invite, invite_domains, organization (issue 21) ---------------------


def lifecycle_spec(*members, **top) -> dict:
    return {"teams": {"t": {"members": list(members) or ["ada@example.com"], "grants": {WEB: "member"}}}, **top}


@pytest.mark.parametrize("raw, problem", [
    (lifecycle_spec(invite_domains=["example.com"]),
     "invite_domains: a rail of invite: set `invite: true` too, or drop invite_domains"),
    (lifecycle_spec("ada@example.com", "eve@exmaple.com", invite=True, invite_domains=["example.com"]),
     "teams.t.members.1: eve@exmaple.com is not in the domains invites may go to (example.com)"),
    (lifecycle_spec(invite=True, invite_domains="example.com"),
     "invite_domains: must be a non-empty list of domain names such as 'example.com', got 'example.com'"),
    (lifecycle_spec(invite=True, invite_domains=[]), "invite_domains: must be a non-empty list of domain names"),
    (lifecycle_spec(invite="yes"), "invite: must be true or false, got 'yes'"),
    (lifecycle_spec("ada@example"), "teams.t.members.0: email 'ada@example' is not an email address"),
    (lifecycle_spec(organization={"exclusive": True, "max_removals": -1}),
     "organization.max_removals: must be a whole number of at least 0, got -1"),
    (lifecycle_spec(organization={"exclusive": True, "max_removals": 1.5}),
     "organization.max_removals: must be a whole number of at least 0, got 1.5"),
    (lifecycle_spec(organization={"exclusive": True, "max_removals": "5"}),
     "organization.max_removals: must be a whole number of at least 0, got '5'"),
    (lifecycle_spec(organization={"exclusive": "true"}), "organization.exclusive: must be true or false, got 'true'"),
    (lifecycle_spec(organization={"exclusive": True, "remove": "all"}), "organization.remove: is not a field of the spec"),
    (lifecycle_spec(max_removals=-3), "max_removals: must be a whole number of at least 0, got -3"),
])
def test_bad_lifecycle_input_is_named_with_its_path(raw, problem):
    with pytest.raises(AccessSpecError, match=re.escape(problem)):
        parse_access_spec(raw)


def test_members_by_user_id_are_never_invited_so_no_domain_applies():
    parsed = parse_access_spec(lifecycle_spec("user-Contractor000000000000", {"email": "ext@agency.test", "user_id": "user-X1"},
                                    invite=True, invite_domains=["example.com"]))
    assert parsed.invite and parsed.invite_domains == ("example.com",)


def test_defaults_leave_everything_off():
    parsed = parse_access_spec(lifecycle_spec())
    assert (parsed.invite, parsed.invite_domains) == (False, None)
    assert (parsed.organization.exclusive, parsed.organization.max_removals) == (False, 10)
