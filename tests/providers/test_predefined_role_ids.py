"""A typo in a predefined role id fails at check, offline: in the spec, in ``ProjectUser.roles``
and in ``UserRoleAssignment.role_id``, naming the allowed ids and the closest one, before
any request (issue 18)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.components.access_spec import AccessSpecError, parse_access_spec
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS
from tests.support.providers import ConfiguredProviders

TYPO = "role-api-project-veiwer"


def spec_with_roles(*roles: str) -> dict:
    return {"teams": {"data": {"members": ["ada@example.com"],
                               "grants": {SAMPLE.DATA: {"role": "member", "roles": list(roles)}}}}}


def test_a_typo_in_the_spec_names_its_path_the_closest_id_and_every_predefined_one():
    with pytest.raises(AccessSpecError) as failure:
        parse_access_spec(spec_with_roles("role_01J1F8PROJ", TYPO))
    [problem] = failure.value.problems
    assert problem.startswith(f"teams.data.grants.{SAMPLE.DATA}.roles: '{TYPO}' is not a predefined project role")
    assert "did you mean 'role-api-project-viewer'?" in problem
    assert all(role in problem for role in PREDEFINED_PROJECT_ROLE_IDS)


def test_custom_and_predefined_ids_pass():
    spec = parse_access_spec(spec_with_roles("role_01J1F8PROJ", *PREDEFINED_PROJECT_ROLE_IDS))
    assert spec.teams["data"].grants[SAMPLE.DATA].roles == ("role_01J1F8PROJ", *PREDEFINED_PROJECT_ROLE_IDS)


def test_the_providers_check_refuses_the_typo_without_a_request(providers: ConfiguredProviders,
                                                                  emulator: EmulatorProcess):
    membership = {"project_id": SAMPLE.DATA, "email": "ada@example.com", "role": "member", "roles": [TYPO]}
    assignment = {"project_id": SAMPLE.DATA, "email": "ada@example.com", "role_id": TYPO}

    [roles_failure] = providers.project_user.check({}, membership).failures
    [role_failure] = providers.role_assignment.check({}, assignment).failures

    assert roles_failure.property == "roles" and "did you mean 'role-api-project-viewer'?" in roles_failure.reason
    assert role_failure.property == "role_id" and "did you mean 'role-api-project-viewer'?" in role_failure.reason
    assert emulator.requests().total == 0


def test_an_id_far_from_every_predefined_one_lists_them_without_a_guess():
    with pytest.raises(AccessSpecError) as failure:
        parse_access_spec(spec_with_roles("role-zzz"))
    assert "did you mean" not in failure.value.problems[0]
    assert "the predefined ones are role-api-project-owner" in failure.value.problems[0]
