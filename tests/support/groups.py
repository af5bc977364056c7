"""Group providers configured the way the engine configures them, and an organization with
groups to run them against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_openai_access.emulator.process import EmulatorProcess
from pulumi_openai_access.providers.group import GroupProvider
from pulumi_openai_access.providers.group_user import GroupUserProvider
from pulumi_openai_access.providers.project_group import ProjectGroupProvider
from tests.support.providers import ConfiguredProviders, stack_config

GROUP_ORG: dict[str, Any] = {
    "users": [{"id": f"user-{n}", "email": f"{n}@example.com", "name": n.title(), "role": "reader"}
              for n in ("ada", "grace", "alan", "edsger")],
    "projects": [{"id": "proj_data", "name": "Data"}, {"id": "proj_web", "name": "Web"}],
    "roles": [{"id": "role_analyst", "project_id": "proj_data", "name": "Analyst", "permissions": ["p"]}],
    "groups": [{"id": "group_idp", "name": "ML Engineers", "is_scim_managed": True, "users": ["user-edsger"]},
               {"id": "group_hand", "name": "hand-made", "users": ["user-alan"]}],
}


# An organization that uses groups: a SCIM group granted WEB, a hand-made group granted DATA
# with an extra role, and memberships besides (Ada reaches DATA both ways).
GROUPS_IN_USE: dict[str, Any] = {
    **GROUP_ORG,
    "memberships": [{"project_id": "proj_data", "user_id": "user-ada", "role": "owner"},
                    {"project_id": "proj_web", "user_id": "user-grace", "role": "member"}],
    "project_groups": [{"project_id": "proj_web", "group_name": "ML Engineers", "role": "owner"},
                       {"project_id": "proj_data", "group_name": "hand-made", "role": "member"}],
    "group_role_assignments": [{"project_id": "proj_data", "group_name": "hand-made", "role_id": "role_analyst"}],
}


@dataclass
class GroupProviders:
    group: GroupProvider
    group_user: GroupUserProvider
    project_group: ProjectGroupProvider


@pytest.fixture
def group_providers(emulator: EmulatorProcess) -> GroupProviders:
    """The group providers against the emulator loaded with GROUP_ORG, in a fresh 'process'."""
    emulator.reset(GROUP_ORG)
    ConfiguredProviders.new_process()
    request = ConfigureRequest(Config(stack_config(emulator), project_name="openai-access"))
    providers = GroupProviders(GroupProvider(), GroupUserProvider(), ProjectGroupProvider())
    for provider in (providers.group, providers.group_user, providers.project_group):
        provider.configure(request)
    return providers


def checked(provider: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, inputs)
    assert result.failures == [], result.failures
    return result.inputs


def out_of_band(emulator: EmulatorProcess, method: str, path: str, **body: Any) -> None:
    """A change made outside Pulumi, straight through the API."""
    response = requests.request(method, f"{emulator.base_url}{path}", json=body or None,
                                headers=emulator.auth_headers, timeout=10)
    response.raise_for_status()
