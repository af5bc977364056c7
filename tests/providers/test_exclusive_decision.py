"""The exclusive decision on its own: what is undeclared, the rails, ``max_removals``."""

from __future__ import annotations

from pulumi_openai_access.providers.exclusive_decision import (
    DeclaredMember,
    LiveMember,
    LiveRole,
    OrganizationPeople,
    decide,
)

PROJECT = "proj_Test"
OWNER = LiveMember("user-Owner", "owner@example.com", "Olive Owner", "owner")
ADA = LiveMember("user-Ada", "Ada@Example.com", "Ada Lovelace", "member", (LiveRole("role-api-project-viewer", "Viewer"),))
EXTRA = LiveMember("user-Extra", "extra@example.com", "Ed Extra", "member", (LiveRole("role_custom", "Custom"),))
DECLARED_OWNER = DeclaredMember(user_id="user-Owner")


def removed(decision) -> tuple[set[str], set[tuple[str, str]]]:
    return (
        {r.member.user_id for r in decision.members},
        {(r.member.user_id, r.role.role_id) for r in decision.roles},
    )


def test_undeclared_members_go_with_their_roles_and_declared_ones_stay():
    declared = [DECLARED_OWNER, DeclaredMember(email="ada@example.com", roles=("role-api-project-viewer",))]
    decision = decide(PROJECT, declared, [OWNER, ADA, EXTRA], OrganizationPeople())
    assert removed(decision) == ({"user-Extra"}, set())  # the membership takes its roles with it
    assert decision.problems == ()
    assert decision.lines == ["extra@example.com (Ed Extra) from the project (role member; with roles role_custom (Custom))"]


def test_email_in_another_case_and_email_resolved_to_an_id_are_declared():
    listed_without_email = LiveMember("user-Ada", None, "Ada Lovelace", "member")
    organization = OrganizationPeople(ids_by_email={"ada@example.com": "user-Ada"})
    for live in (ADA, listed_without_email):
        decision = decide(PROJECT, [DECLARED_OWNER, DeclaredMember(email="ADA@example.COM", roles=None)],
                          [OWNER, live], organization)
        assert removed(decision) == (set(), set())


def test_undeclared_extra_roles_of_declared_members_are_unassigned_but_never_the_mirror_role():
    roles = (
        LiveRole("role-api-project-member"),  # mirrors their membership role: kept
        LiveRole("role-api-project-owner"),  # not their role: an extra, undeclared
        LiveRole("role_custom"),  # declared, by its short form
        LiveRole("role_group", inherited=True),  # assigned through a group: kept
        LiveRole("role-api-project-viewer"),
    )
    member = LiveMember("user-Ada", "ada@example.com", None, "member", roles)
    declared = [DECLARED_OWNER, DeclaredMember(user_id="user-Ada", roles=("role_cus",))]
    # role_id_matches: "role_cus" does not name "role_custom" (no separator), so it goes.
    decision = decide(PROJECT, declared, [OWNER, member], OrganizationPeople())
    assert removed(decision)[1] == {
        ("user-Ada", "role-api-project-owner"), ("user-Ada", "role_custom"), ("user-Ada", "role-api-project-viewer"),
    }
    declared = [DECLARED_OWNER, DeclaredMember(user_id="user-Ada", roles=("role_custom", "role-api-project-viewer"))]
    assert removed(decide(PROJECT, declared, [OWNER, member], OrganizationPeople()))[1] == {("user-Ada", "role-api-project-owner")}


def test_roles_not_managed_are_left_alone():
    declared = [DECLARED_OWNER, DeclaredMember(user_id="user-Extra", roles=None)]
    assert removed(decide(PROJECT, declared, [OWNER, EXTRA], OrganizationPeople())) == (set(), set())
    declared = [DECLARED_OWNER, DeclaredMember(user_id="user-Extra", roles=())]
    assert removed(decide(PROJECT, declared, [OWNER, EXTRA], OrganizationPeople())) == (set(), {("user-Extra", "role_custom")})


def test_organization_owners_and_service_accounts_are_kept_with_a_reason():
    organization = OrganizationPeople(owners=frozenset({"user-Ada"}), service_accounts=frozenset({"user-Extra"}))
    decision = decide(PROJECT, [DECLARED_OWNER], [OWNER, ADA, EXTRA], organization)
    assert removed(decision) == (set(), set())
    assert {k.member.user_id: k.reason.split(":")[0] for k in decision.kept} == {
        "user-Ada": "organization owner", "user-Extra": "service account",
    }


def test_more_removals_than_max_removals_is_a_problem_that_lists_who_would_go():
    decision = decide(PROJECT, [DECLARED_OWNER], [OWNER, ADA, EXTRA], OrganizationPeople(), max_removals=1)
    (problem,) = decision.problems
    assert "2 removals planned, more than max_removals=1; nothing was removed" in problem
    assert "Ada@Example.com (Ada Lovelace) from the project (role member; with roles role-api-project-viewer (Viewer))" in problem
    assert "raise max_removals to at least 2" in problem
    assert decide(PROJECT, [DECLARED_OWNER], [OWNER, ADA, EXTRA], OrganizationPeople(), max_removals=2).problems == ()
    assert decide(PROJECT, [DECLARED_OWNER, DeclaredMember(user_id="user-Ada", roles=None),
                            DeclaredMember(user_id="user-Extra", roles=None)],
                  [OWNER, ADA, EXTRA], OrganizationPeople(), max_removals=0).problems == ()


def test_removing_the_last_owners_is_a_problem():
    declared = [DeclaredMember(user_id="user-Ada", roles=None)]
    (problem,) = decide(PROJECT, declared, [OWNER, ADA], OrganizationPeople()).problems
    assert "would leave it without a project owner (it would remove owner@example.com (Olive Owner))" in problem
    # another owner stays (declared, or kept as an organization owner): no problem
    second = LiveMember("user-Two", None, None, "owner")
    assert decide(PROJECT, declared + [DeclaredMember(user_id="user-Two")], [OWNER, ADA, second], OrganizationPeople()).problems == ()
    assert decide(PROJECT, declared, [OWNER, ADA, second], OrganizationPeople(owners=frozenset({"user-Two"}))).problems == ()
    # a project that had no owner to begin with is not left without one by removing members
    assert decide(PROJECT, declared, [ADA, EXTRA], OrganizationPeople()).problems == ()
