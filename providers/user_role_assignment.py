"""``UserRoleAssignment``: a project role assigned to a project member.

The user must already be a member of the project (a ``ProjectUser``): make the assignment
depend on that membership. There is no update endpoint, so every change of project, user or
role replaces the assignment.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.user_role_assignment.UserRoleAssignmentProvider`` and the
resource type is ``pulumi-python:dynamic/openai:UserRoleAssignment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.errors import AlreadyAssignedError, AssigneeNotMemberError, NotFoundError, ProjectArchivedError
from .base_provider import AdminApiProvider
from .input_checks import ROLE_ID_PATTERN, check_user_in_project
from .input_diff import diff_user_in_project, same_value, split_resource_id
from .resource_inputs import AdminApiResource, choose_args
from .role_ids import role_id_matches
from .user_reference import UserReference, requested_email, user_inputs

OUTPUTS = (
    "project_id", "user_id", "email", "role_id", "name", "permissions", "predefined_role", "adopt", "requested_email",
)


class RoleFacts(Protocol):
    """What an assigned role and a created assignment's role both tell."""

    id: str
    name: str
    permissions: Sequence[str]
    predefined_role: bool


class UserRoleAssignmentProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return check_user_in_project(
            news,
            outputs=OUTPUTS,
            own_inputs=("role_id",),
            check_own=lambda checker: checker.text(
                "role_id", ROLE_ID_PATTERN, "a project role id such as 'role-api-project-viewer' or 'role_01J1F8PROJ'"
            ),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return diff_user_in_project(olds, news, replace_on={"role_id": same_value("role_id")}, update_on={})

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, role_id, adopt = props["project_id"], props["role_id"], bool(props.get("adopt"))
        user = UserReference.from_inputs(props)
        user_id = self.access.resolve_user_id(user)
        if user_id is None:
            raise ValueError(f"{user} is not a member of the OpenAI organization: invite them first")
        role = self._assigned(project_id, user_id, role_id) if adopt else None
        if role is None:
            role = self._assign(project_id, user, user_id, role_id)
        return CreateResult(f"{project_id}/{user_id}/{role_id}", _outputs(props, user_id, role))

    def _assigned(self, project_id: str, user_id: str, role_id: str) -> RoleFacts | None:
        roles = self.access.assigned_roles(project_id, user_id)
        return next((role for role in roles if role_id_matches(role_id, role.id)), None)

    def _assign(self, project_id: str, user: UserReference, user_id: str, role_id: str) -> RoleFacts:
        try:
            return self.access.assign_role(project_id, user_id, role_id).role
        except AlreadyAssignedError:
            raise ValueError(
                f"role {role_id} is already assigned to {user} in project {project_id}, and this stack did not "
                "assign it. To manage that assignment here, set adopt=True on this resource (pulumi import "
                "cannot work for dynamic providers), or unassign the role first."
            ) from None
        except AssigneeNotMemberError:
            raise ValueError(
                f"{user} is not a member of project {project_id}, and project roles can only be assigned to "
                "project members: declare a ProjectUser for them and make this assignment depend on it "
                "(opts=pulumi.ResourceOptions(depends_on=[membership]))."
            ) from None
        except NotFoundError as error:
            raise ValueError(f"cannot assign role {role_id} in project {project_id}: {error.message}") from None
        except ProjectArchivedError:
            raise ValueError(f"project {project_id} is archived: its roles cannot be assigned") from None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id, role_id = split_resource_id(id_, 3)
        role = self._assigned(project_id, user_id, role_id)
        if role is None:
            return ReadResult("", {})
        outputs = _outputs(props, user_id, role)
        inputs = {"project_id": project_id, **user_inputs(outputs), "role_id": role_id, "adopt": outputs["adopt"]}
        return ReadResult(id_, outputs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Every API-visible input replaces; only `adopt` (or how the user is spelled) is left.
        return UpdateResult({**olds, "adopt": bool(news.get("adopt")), "requested_email": requested_email(news)})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        project_id, user_id, role_id = split_resource_id(id_, 3)
        self.access.unassign_role(project_id, user_id, role_id)


def _outputs(inputs: Mapping[str, Any], user_id: str, role: RoleFacts) -> dict[str, Any]:
    return {
        "project_id": inputs["project_id"],
        "user_id": user_id,
        "email": inputs.get("email"),
        # The id as the stack wrote it, even where the API answers with a longer form.
        "role_id": inputs["role_id"],
        "name": role.name,
        "permissions": list(role.permissions),
        "predefined_role": bool(role.predefined_role),
        "adopt": bool(inputs.get("adopt")),
        "requested_email": requested_email(inputs),
    }


@dataclass
class UserRoleAssignmentArgs:
    """Inputs of a ``UserRoleAssignment``: give exactly one of ``user_id`` and ``email``."""

    project_id: pulumi.Input[str]
    role_id: pulumi.Input[str]
    user_id: pulumi.Input[str] | None = None
    email: pulumi.Input[str] | None = None
    adopt: pulumi.Input[bool] | None = None


class UserRoleAssignment(AdminApiResource, module="openai", name="UserRoleAssignment"):
    """A project role assigned to a project member. Its id is ``{project_id}/{user_id}/{role_id}``."""

    project_id: pulumi.Output[str]
    user_id: pulumi.Output[str]
    email: pulumi.Output[str | None]
    role_id: pulumi.Output[str]
    name: pulumi.Output[str]
    permissions: pulumi.Output[list[str]]
    predefined_role: pulumi.Output[bool]
    adopt: pulumi.Output[bool]
    requested_email: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: UserRoleAssignmentArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        project_id: pulumi.Input[str] | None = None,
        role_id: pulumi.Input[str] | None = None,
        user_id: pulumi.Input[str] | None = None,
        email: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        chosen = choose_args(
            UserRoleAssignmentArgs,
            args,
            dict(project_id=project_id, role_id=role_id, user_id=user_id, email=email, adopt=adopt),
        )
        self._register(UserRoleAssignmentProvider(), resource_name, chosen, OUTPUTS, opts)
