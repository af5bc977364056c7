"""Role ids as the API answers them: longer forms, and the role that mirrors a member's own."""

from __future__ import annotations

import pytest

from pulumi_openai_access.providers.role_ids import (
    is_mirror_role,
    is_undeclared_extra,
    normalized_role_id,
    role_id_matches,
)


@pytest.mark.parametrize(
    "written, answered, same",
    [
        ("role-api-project-viewer", "role-api-project-viewer", True),
        ("role_01J1F8PROJ", "proj_abc:role_01J1F8PROJ", True),
        ("role_01J1F8PROJ", "role_01J1F8PROJ/v2", True),
        ("role_01J1F8PROJ", "role_01J1F8PROJX", False),
        ("role-api-project-owner", "role-api-project-viewer", False),
    ],
)
def test_role_id_matches_a_longer_form_only_at_a_boundary(written, answered, same):
    assert role_id_matches(written, answered) is same


@pytest.mark.parametrize(
    "role_id, member_role, mirror",
    [
        ("role-api-project-owner", "owner", True),
        ("role-api-project-member", "member", True),
        ("proj_abc:role-api-project-member", "member", True),
        ("role-api-project-owner", "member", False),
        ("role-api-project-viewer", "owner", False),
        ("role-api-project-member", None, False),
    ],
)
def test_only_the_role_mirroring_the_members_own_is_a_mirror(role_id, member_role, mirror):
    assert is_mirror_role(role_id, member_role) is mirror


def test_an_undeclared_extra_role_is_neither_declared_nor_the_mirror_of_the_members_own():
    assert is_undeclared_extra("role-api-project-viewer", "member", ["role_custom"])
    assert not is_undeclared_extra("proj_abc:role_custom", "member", ["role_custom"])
    assert not is_undeclared_extra("role-api-project-member", "member", [])
    assert is_undeclared_extra("role-api-project-owner", "member", [])


@pytest.mark.parametrize(
    "answered, short",
    [
        ("role-api-project-viewer", "role-api-project-viewer"),
        ("proj_abc:role-api-project-viewer", "role-api-project-viewer"),
        ("proj_abc:role_01J1F8PROJ", "role_01J1F8PROJ"),
        ("role_01J1F8PROJ/v2", "role_01J1F8PROJ"),
        ("role_01J1F8PROJ", "role_01J1F8PROJ"),
        ("something-else", "something-else"),  # not a role id form: kept as answered
    ],
)
def test_a_longer_form_is_written_as_the_short_id_a_stack_uses(answered, short):
    assert normalized_role_id(answered) == short
    assert role_id_matches(short, answered)
