"""``UserRoleAssignment``: a project role assigned to a project member.

The user must already be a member of the project (a ``ProjectUser``): make the assignment
depend on that membership. There is no update endpoint, so every change of project, user or
role replaces the assignment.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.user_role_assignment.UserRoleAssignmentProvider`` and the
resource type is ``pulumi-python:dynamic/openai:UserRoleAssignment``.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Protocol, Sequence

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.errors import AlreadyAssignedError, AssigneeNotMemberError, NotFoundError, ProjectArchivedError
from .base_provider import AdminApiProvider
from .input_checks import role_id
from .member_roles import cannot_assign, is_claimed
from .resource_ids import split_resource_id
from .resource_inputs import AdminApiResource
from .admin_api.models import AssignedRole
from .resource_schema import Change, Input, Output, RecordOutputs, ResourceSchema
from .role_ids import role_id_matches
from .shared_inputs import ADOPT, PROJECT, REQUESTED_EMAIL, USER, as_written
from .user_reference import UserReference

log = logging.getLogger(__name__)

# What the API tells of the role, whether read from the member's assigned roles or from the
# answer to assigning it.
ROLE = RecordOutputs(AssignedRole, {"name": "name", "permissions": "permissions", "predefined_role": "predefined_role"})

SCHEMA = ResourceSchema(
    inputs=(
        PROJECT,
        USER,
        Input(
            "role_id", str, "The project role, predefined or custom. A new role replaces the assignment.",
            rule=role_id,
            required=True, on_change=Change.REPLACE,
        ),
        ADOPT,
    ),
    outputs=(
        Output("name", str, "The role's name."),
        Output("permissions", list[str], "The permissions the role grants."),
        Output("predefined_role", bool, "Whether the role is one of OpenAI's predefined roles."),
        REQUESTED_EMAIL,
    ),
    records=(ROLE,),
)


class RoleFacts(Protocol):
    """What an assigned role and a created assignment's role both tell."""

    id: str
    name: str
    permissions: Sequence[str]
    predefined_role: bool


class UserRoleAssignmentProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, role_id, adopt = props["project_id"], props["role_id"], bool(props.get("adopt"))
        user = UserReference.from_inputs(props)
        user_id = self.access.resolve_user_id(user)
        if user_id is None:
            raise ValueError(f"{user} is not a member of the OpenAI organization: invite them first")
        # Adopting reads the member's shared role listing first: no write for a role held already.
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
            # An assignment has nothing but its project, user and role: one that exists is exactly
            # as declared, as an interrupted run leaves it.
            held = self._assigned(project_id, user_id, role_id)
            if held is None:
                raise RuntimeError(f"the API reported role {role_id} assigned to {user}, but it cannot be read back; retry") from None
            log.warning("role %s is already assigned to %s in project %s: managing it from now on", role_id, user, project_id)
            return held
        except AssigneeNotMemberError:
            raise ValueError(
                f"{user} is not a member of project {project_id}, and project roles can only be assigned to "
                "project members: declare a ProjectUser for them and make this assignment depend on it "
                "(opts=pulumi.ResourceOptions(depends_on=[membership]))."
            ) from None
        except NotFoundError as error:
            raise ValueError(cannot_assign(role_id, project_id, error)) from None
        except ProjectArchivedError:
            raise ValueError(f"project {project_id} is archived: its roles cannot be assigned") from None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id, role_id = split_resource_id(id_, 3)
        role = self._assigned(project_id, user_id, role_id)
        if role is None:
            return ReadResult("", {})
        outputs = _outputs(props, user_id, role)
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Every API-visible input replaces; only `adopt` (or how the user is spelled) is left.
        return UpdateResult({**olds, **as_written(news)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id, user_id, role_id = split_resource_id(id_, 3)
        if is_claimed(project_id, (user_id, props.get("email"), props.get("requested_email")), role_id):
            log.info("role %s of %s in project %s stays assigned: a ProjectUser of this stack manages it now",
                     role_id, user_id, project_id)
            return
        self.access.unassign_role(project_id, user_id, role_id)


def _outputs(inputs: Mapping[str, Any], user_id: str, role: RoleFacts) -> dict[str, Any]:
    # The role id as the stack wrote it (an input), even where the API answers with a longer form.
    return SCHEMA.output_values(inputs, ROLE.outputs(role), {
        "user_id": user_id,
        **as_written(inputs),
    })


UserRoleAssignmentArgs = SCHEMA.args_class(
    "UserRoleAssignmentArgs", "Inputs of a ``UserRoleAssignment``: give exactly one of ``user_id`` and ``email``."
)


class UserRoleAssignment(
    AdminApiResource,
    module="openai", name="UserRoleAssignment",
    schema=SCHEMA, args=UserRoleAssignmentArgs, provider=UserRoleAssignmentProvider,
):
    """A project role assigned to a project member. Its id is ``{project_id}/{user_id}/{role_id}``.

    To manage a member's extra roles together with their membership, prefer ``ProjectUser``'s
    ``roles``; never manage one role with both.
    """
