"""The naive strategy, for comparison: read each resource with its own GET, as most providers do.

Everything but ``read`` is the project's providers: creates, updates and deletes send the same
writes. ``read`` (refresh) asks the API for the one membership (``GET .../users/{user_id}``)
or the one role assignment (``GET .../roles/{role_id}``) instead of serving it from a
listing shared by all resources of the project.

The engine's provider process unpickles these classes by reference (module
``bench.naive_providers``), so it must find the ``bench`` package: the benchmark puts the
repository root on its PYTHONPATH. The resources keep the real type tokens, so a stack's
state is the same as with the real providers apart from ``__provider``.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import ReadResult

from pulumi_openai_access.providers import project_user, user_role_assignment
from pulumi_openai_access.providers.admin_api.errors import NotFoundError, ProjectArchivedError
from pulumi_openai_access.providers.input_diff import split_resource_id
from pulumi_openai_access.providers.resource_inputs import choose_args
from pulumi_openai_access.providers.user_reference import user_inputs


class NaiveProjectUserProvider(project_user.ProjectUserProvider):
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id = split_resource_id(id_, 2)
        try:
            member = self.access.client.get_project_user(project_id, user_id)
        except (NotFoundError, ProjectArchivedError):
            return ReadResult("", {})
        outputs = project_user._outputs(props, member)
        return ReadResult(id_, outputs, project_user._inputs_from_outputs(outputs))


class NaiveUserRoleAssignmentProvider(user_role_assignment.UserRoleAssignmentProvider):
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id, role_id = split_resource_id(id_, 3)
        try:
            role = self.access.client.get_project_user_role(project_id, user_id, role_id)
        except (NotFoundError, ProjectArchivedError):
            return ReadResult("", {})
        outputs = user_role_assignment._outputs(props, user_id, role)
        inputs = {"project_id": project_id, **user_inputs(outputs), "role_id": role_id, "adopt": outputs["adopt"]}
        return ReadResult(id_, outputs, inputs)


class NaiveProjectUser(project_user.ProjectUser, module="openai", name="ProjectUser"):
    """``ProjectUser`` (same type token) served by ``NaiveProjectUserProvider``."""

    def __init__(self, resource_name: str, args: project_user.ProjectUserArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **keywords: Any) -> None:
        chosen = choose_args(project_user.ProjectUserArgs, args, keywords)
        self._register(NaiveProjectUserProvider(), resource_name, chosen, project_user.OUTPUTS, opts)


class NaiveUserRoleAssignment(user_role_assignment.UserRoleAssignment, module="openai", name="UserRoleAssignment"):
    """``UserRoleAssignment`` (same type token) served by ``NaiveUserRoleAssignmentProvider``."""

    def __init__(self, resource_name: str, args: user_role_assignment.UserRoleAssignmentArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **keywords: Any) -> None:
        chosen = choose_args(user_role_assignment.UserRoleAssignmentArgs, args, keywords)
        self._register(NaiveUserRoleAssignmentProvider(), resource_name, chosen, user_role_assignment.OUTPUTS, opts)
