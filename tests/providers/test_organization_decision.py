"""Who an exclusive organization removes, rail by rail, without an API."""

from __future__ import annotations

import pytest

from pulumi_openai_access.providers.organization_decision import (
    DeclaredPerson,
    OrganizationUser,
    decide_organization,
)

ADA = OrganizationUser("user-ada", "ada@example.com", "Ada", "owner")
BOB = OrganizationUser("user-bob", "bob@example.com", "Bob", "reader")
EVE = OrganizationUser("user-eve", "Eve@Example.com", "Eve", "reader")
BOT = OrganizationUser("user-bot", "bot@example.com", "ci", "reader", is_service_account=True)
SCIM = OrganizationUser("user-scim", "scim@example.com", "Sam", "reader", is_scim_managed=True)
EVERYONE = [ADA, BOB, EVE, BOT, SCIM]


def removed(declared, users=EVERYONE, max_removals=10) -> list[str]:
    decision = decide_organization(declared, users, max_removals)
    assert not decision.problems, decision.problems
    return [user.user_id for user in decision.removals]


def test_who_is_declared_nowhere_goes():
    assert removed([DeclaredPerson(email="bob@example.com")]) == ["user-eve"]


@pytest.mark.parametrize("person", [DeclaredPerson(user_id="user-eve"), DeclaredPerson(email="EVE@example.COM"),
                                    DeclaredPerson(user_id="user-other", email="eve@example.com")])
def test_a_declared_person_stays_by_id_or_by_email_in_any_letter_case(person):
    assert "user-eve" not in removed([person, DeclaredPerson(email="bob@example.com")])


@pytest.mark.parametrize("user, reason", [
    (ADA, "organization owner"), (BOT, "service account"), (SCIM, "identity provider (SCIM)")])
def test_rails_keep_owners_service_accounts_and_scim_users(user, reason):
    decision = decide_organization([], [user])
    assert decision.removals == ()
    [kept] = decision.kept
    assert kept.user == user and reason in kept.reason


def test_over_max_removals_removes_nobody_and_names_them():
    decision = decide_organization([], EVERYONE, max_removals=1)
    [problem] = decision.problems
    assert "2 people would be removed from it, more than max_removals=1; nobody was removed" in problem
    assert "bob@example.com (Bob, reader)" in problem and "Eve@Example.com (Eve, reader)" in problem
    assert "raise organization.max_removals to at least 2" in problem


def test_max_removals_0_is_a_dry_run_that_names_them():
    [problem] = decide_organization([DeclaredPerson(email="bob@example.com")], EVERYONE, 0).problems
    assert "Eve@Example.com (Eve, reader)" in problem and "bob@" not in problem


def test_exactly_max_removals_is_allowed():
    assert removed([], max_removals=2) == ["user-bob", "user-eve"]
