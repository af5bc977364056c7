"""Provider instances configured the way the engine configures them, for in-process tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_openai_access.providers.access_gateway import forget_all_sessions
from pulumi_openai_access.providers.member_roles import forget_claimed_roles
from pulumi_openai_access.providers.project import ProjectProvider, forget_created_projects
from pulumi_openai_access.providers.project_role import ProjectRoleProvider
from pulumi_openai_access.providers.project_user import ProjectUserProvider
from pulumi_openai_access.providers.service_account import ServiceAccountProvider
from pulumi_openai_access.providers.user_role_assignment import UserRoleAssignmentProvider

from pulumi_openai_access.emulator.process import EmulatorProcess


@dataclass
class ConfiguredProviders:
    project_user: ProjectUserProvider
    role_assignment: UserRoleAssignmentProvider
    service_account: ServiceAccountProvider
    project: ProjectProvider
    project_role: ProjectRoleProvider

    @staticmethod
    def new_process() -> None:
        """Forget shared listings, clients, claimed roles and created projects, as a fresh provider
        process starts with none."""
        forget_all_sessions()
        forget_claimed_roles()
        forget_created_projects()


def stack_config(emulator: EmulatorProcess) -> dict[str, str]:
    return {"openai:adminKey": emulator.admin_key, "openai:baseUrl": emulator.base_url}


def configured_providers(emulator: EmulatorProcess) -> ConfiguredProviders:
    ConfiguredProviders.new_process()
    request = ConfigureRequest(Config(stack_config(emulator), project_name="openai-access"))
    providers = ConfiguredProviders(ProjectUserProvider(), UserRoleAssignmentProvider(), ServiceAccountProvider(),
                                    ProjectProvider(), ProjectRoleProvider())
    for provider in (providers.project_user, providers.role_assignment, providers.service_account,
                     providers.project, providers.project_role):
        provider.configure(request)
    return providers


@pytest.fixture
def providers(emulator: EmulatorProcess) -> ConfiguredProviders:
    """The providers configured against the reset emulator, in a fresh 'process'."""
    return configured_providers(emulator)
