"""Which users a managed group loses: everyone ``members`` does not name, never a declared
member however the stack names them."""

from __future__ import annotations

from pulumi_openai_access.providers.admin_api.models import GroupUserRecord
from pulumi_openai_access.providers.group_user_decision import normalize_references, undeclared_users

ADA = GroupUserRecord(id="user-ada", email="ada@example.com", name="Ada")
GRACE = GroupUserRecord(id="user-grace", email="Grace@Example.com", name="Grace")
ALAN = GroupUserRecord(id="user-alan", email=None, name="Alan")  # listed without an email


def live(*users: GroupUserRecord) -> dict[str, GroupUserRecord]:
    return {user.id: user for user in users}


def no_lookup(email: str) -> str | None:
    raise AssertionError(f"looked up {email} although every listed user was matched")


def test_users_named_by_id_or_email_in_any_case_stay_and_the_others_go():
    assert undeclared_users(["user-ada", "GRACE@example.COM"], live(ADA, GRACE), no_lookup) == []
    assert undeclared_users(["ada@example.com"], live(ADA, GRACE, ALAN), lambda email: None) == [ALAN, GRACE]


def test_a_declared_email_the_listing_does_not_show_is_matched_through_the_organization():
    asked = []

    def organization(email: str) -> str | None:
        asked.append(email)
        return {"alan@example.com": "user-alan"}.get(email)

    assert undeclared_users(["ada@example.com", "Alan@Example.com"], live(ADA, GRACE, ALAN), organization) == [GRACE]
    assert asked == ["alan@example.com"]  # only the email no listed user shows


def test_nobody_declared_removes_everyone_and_an_empty_group_removes_nobody():
    assert undeclared_users([], live(ADA, ALAN), no_lookup) == [ALAN, ADA]
    assert undeclared_users(["ada@example.com"], {}, no_lookup) == []


def test_references_normalize_emails_only():
    assert normalize_references(["B@X.com", "user-AbC", "b@x.com"]) == ["b@x.com", "user-AbC"]
