"""The rules an input may be declared with: each says what is wrong in words that follow the
input's name or path, judges nothing unknown, and asks for a value only when it is required.
(Which rule each input has is declared with the input; ``tests/components/test_access_spec.py``
shows the spec and the providers saying the same words.)"""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc

from pulumi_openai_access.providers.input_checks import (
    PROJECT_ID_PATTERN,
    ROLE_ID_EXAMPLES,
    InputChecker,
    any_text,
    matching,
    name,
    one_of,
    positive_seconds,
    role_id,
    role_id_list,
    text_list,
    true_or_false,
    whole_number,
)

PROJECT_ID = matching(PROJECT_ID_PATTERN, "a project id such as 'proj_abc123'")
AT_LEAST_ZERO = whole_number(at_least=0)
NAME = name("a name such as 'deploy-bot'", max_length=5)
SCOPES = text_list("permission scopes")
PERMISSIONS = text_list("permissions", at_least_one=True)
EX = ROLE_ID_EXAMPLES


@pytest.mark.parametrize("rule, value, problem", [
    (PROJECT_ID, "web", "'web' is not a project id such as 'proj_abc123'"),
    (PROJECT_ID, 7, "7 is not a project id such as 'proj_abc123'"),
    (one_of(("owner", "member")), "admin", "must be 'owner' or 'member', got 'admin'"),
    (one_of(("a", "b", "c")), "d", "must be 'a', 'b' or 'c', got 'd'"),
    (true_or_false, "yes", "must be true or false, got 'yes'"),
    (any_text, 3, "must be a string, got 3"),
    (role_id, "viewer", f"'viewer' is not a project role id such as {EX}"),
    (role_id, "role-api-project-veiwer", "'role-api-project-veiwer' is not a predefined project role: did you mean "
     "'role-api-project-viewer'? the predefined ones are role-api-project-owner, role-api-project-member, "
     "role-api-project-viewer; custom role ids look like 'role_01J1F8PROJ'"),
    (role_id_list, "role_x", f"must be a list of project role ids such as {EX}, got 'role_x'"),
    (role_id_list, ["viewer", "role_x", 3],
     f"'viewer' is not a project role id such as {EX}; 3 is not a project role id such as {EX}"),
    (AT_LEAST_ZERO, -1, "must be a whole number of at least 0, got -1"),
    (AT_LEAST_ZERO, 2.5, "must be a whole number of at least 0, got 2.5"),
    (AT_LEAST_ZERO, True, "must be a whole number of at least 0, got True"),
    (AT_LEAST_ZERO, "3", "must be a whole number of at least 0, got '3'"),
    (AT_LEAST_ZERO, float("inf"), "must be a whole number of at least 0, got inf"),
    (positive_seconds, 0, "must be a whole number of seconds above zero, got 0"),
    (positive_seconds, 1.5, "must be a whole number of seconds above zero, got 1.5"),
    (SCOPES, "api.model.request", "must be a list of permission scopes, got 'api.model.request'"),
    (SCOPES, ["api.model.request", " "], "must be a list of permission scopes (non-empty strings), got [' '] in it"),
    (PERMISSIONS, [], "must be a non-empty list of permissions, got []"),
    (NAME, "   ", "must be a name such as 'deploy-bot' with something besides spaces, got '   '"),
    (NAME, "abcdef", "must be at most 5 characters, got 6"),
])
def test_a_rule_says_what_is_wrong_in_words_that_follow_the_name(rule, value, problem):
    assert rule.problem(value) == problem


@pytest.mark.parametrize("rule, value", [
    (PROJECT_ID, "proj_abc123"), (one_of(("owner", "member")), "member"), (true_or_false, False),
    (any_text, ""), (role_id_list, []), (role_id_list, ["role-api-project-viewer", "role_01J1F8PROJ"]),
    (AT_LEAST_ZERO, 0), (AT_LEAST_ZERO, 3.0),  # the engine sends numbers as floats
    (positive_seconds, 60), (SCOPES, []), (PERMISSIONS, ["api.model.read"]), (NAME, "bot"), (role_id, "role_01ABC"),
])
def test_a_rule_accepts_what_it_allows(rule, value):
    assert rule.problem(value) is None


@pytest.mark.parametrize("rule", [PROJECT_ID, AT_LEAST_ZERO, NAME, role_id_list, true_or_false])
def test_missing_is_a_problem_only_when_required_and_unknown_is_judged_later(rule):
    assert rule.problem(None) is None
    assert rule.problem(None, required=True) == f"is required: {rule.allowed}"
    assert rule.problem(rpc.UNKNOWN, required=True) is None
    assert role_id_list.problem(["role_a", rpc.UNKNOWN]) is None  # an item not known yet either


def test_the_checker_fails_the_property_by_name_with_the_rules_words():
    checker = InputChecker({"role": "admin", "project_id": "", "extra": 1, "__provider": "x"})
    checker.judge("role", one_of(("owner", "member")))
    checker.judge("project_id", PROJECT_ID, required=True)
    checker.unknown_properties(["role", "project_id"])
    assert [(f.property, f.reason) for f in checker.failures] == [
        ("role", "role must be 'owner' or 'member', got 'admin'"),
        ("project_id", "project_id is required: a project id such as 'proj_abc123'"),
        ("extra", "extra is not an input of this resource; inputs are project_id, role"),
    ]
    assert checker.failed("role") and not checker.failed("extra_roles")


@pytest.mark.parametrize("news, chosen, failure", [
    ({"user_id": "user-a"}, "user_id", None),
    ({"email": "a@example.com", "user_id": ""}, "email", None),
    ({"user_id": "user-a", "email": "a@example.com"}, None, ("email", "give exactly one of user_id or email, not both")),
    ({}, None, ("user_id", "one of user_id or email is required")),
])
def test_exactly_one_of_two(news, chosen, failure):
    checker = InputChecker(news)
    assert checker.exactly_one_of("user_id", "email") == chosen
    assert [(f.property, f.reason) for f in checker.failures] == ([failure] if failure else [])
