"""``merge_grants``: teams that overlap give one grant per (project, person), the highest role
and the union of extra roles; a person named by email in one team and by id in another is one
person when the spec links the two somewhere; contradictions fail with their paths."""

from __future__ import annotations

import pytest

from pulumi_openai_access.components import AccessSpecError, parse_access_spec
from pulumi_openai_access.components.grant_merge import merge_grants

WEB, DATA = "proj_Web0", "proj_Data0"
ADA_ID = "user-Ada"


def merged(teams: dict) -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    return [(g.project_id, g.member.key, g.role, g.extra_roles, g.teams)
            for g in merge_grants(parse_access_spec({"teams": teams}))]


def test_overlapping_teams_give_one_grant_with_the_highest_role_and_every_extra_role():
    assert merged({
        "web": {"members": ["ada@example.com", "alan@example.com"],
                "grants": {WEB: {"role": "member", "roles": ["role_b"]}}},
        "leads": {"members": ["Ada@Example.com"], "grants": {WEB: {"role": "owner", "roles": ["role_a"]}, DATA: "member"}},
    }) == [
        (DATA, "ada@example.com", "member", (), ("leads",)),
        (WEB, "ada@example.com", "owner", ("role_a", "role_b"), ("leads", "web")),
        (WEB, "alan@example.com", "member", ("role_b",), ("web",)),
    ]


def test_a_person_linked_by_email_and_id_is_one_person_in_every_team():
    grants = merge_grants(parse_access_spec({"teams": {
        "a": {"members": [{"email": "ada@example.com", "user_id": ADA_ID}], "grants": {WEB: "member"}},
        "b": {"members": [ADA_ID], "grants": {WEB: "owner"}},
        "c": {"members": ["ADA@example.com"], "grants": {DATA: "member"}},
    }}))
    assert [(g.project_id, g.member.email, g.member.user_id, g.role) for g in grants] == [
        (DATA, "ada@example.com", ADA_ID, "member"),
        (WEB, "ada@example.com", ADA_ID, "owner"),
    ]


@pytest.mark.parametrize("teams, problem", [
    ({"a": {"members": [{"email": "a@example.com", "user_id": "user-One"}], "grants": {WEB: "member"}},
      "b": {"members": [{"email": "a@example.com", "user_id": "user-Two"}], "grants": {WEB: "member"}}},
     "teams.b.members.0: a@example.com / user-Two conflicts with a@example.com / user-One or a@example.com / "
     "user-Two elsewhere: one person has one email and one user id"),
    ({"a": {"members": ["a@example.com", "A@example.com"], "grants": {WEB: "member"}}},
     "teams.a.members.1: A@example.com is listed twice in team 'a'"),
])
def test_contradictions_fail_with_their_paths(teams, problem):
    with pytest.raises(AccessSpecError) as raised:
        merge_grants(parse_access_spec({"teams": teams}))
    assert raised.value.problems == [problem]
