"""``ProjectUser``: one user's membership of one OpenAI project, role ``owner`` or ``member``.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.project_user.ProjectUserProvider`` and the resource type is
``pulumi-python:dynamic/openai:ProjectUser``. Renaming either breaks refresh and destroy of
every resource already in a stack's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.behaviour import PROJECT_MEMBER_ROLES
from .admin_api.errors import AlreadyMemberError, NotFoundError, NotInOrganizationError, ProjectArchivedError
from .admin_api.models import ProjectUser as Member
from .base_provider import AdminApiProvider
from .input_checks import check_user_in_project
from .input_diff import diff_user_in_project, same_value, split_resource_id
from .resource_inputs import AdminApiResource, choose_args
from .user_reference import UserReference, requested_email, user_inputs

OUTPUTS = ("project_id", "user_id", "email", "name", "role", "added_at", "adopt", "requested_email")


class ProjectUserProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return check_user_in_project(
            news,
            outputs=OUTPUTS,
            own_inputs=("role",),
            check_own=lambda checker: checker.choice("role", PROJECT_MEMBER_ROLES),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return diff_user_in_project(olds, news, replace_on={}, update_on={"role": same_value("role")})

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, role, adopt = props["project_id"], props["role"], bool(props.get("adopt"))
        user = UserReference.from_inputs(props)
        # Adopting reads the shared project listing first: one write at most per membership.
        existing = self.access.find_member_by_reference(project_id, user) if adopt else None
        if existing is None:
            existing = self._add(project_id, user, role)
        if existing is None:
            raise RuntimeError(f"the API reported {user} in project {project_id}, but it cannot be read back; retry")
        if existing.role != role:
            existing = self.access.change_member_role(project_id, existing.id, role)
        return CreateResult(f"{project_id}/{existing.id}", _outputs(props, existing))

    def _add(self, project_id: str, user: UserReference, role: str) -> Member | None:
        """Adds the member; on a conflict returns the existing membership if adopting (a race
        with someone else's add), else fails with what exists and how to take it over."""
        try:
            return self.access.add_member(project_id, role, user_id=user.user_id, email=user.email)
        except AlreadyMemberError:
            existing = self.access.find_member_by_reference(project_id, user)
            role_text = f" with role '{existing.role}'" if existing else ""
            raise ValueError(
                f"{user} is already a member of project {project_id}{role_text}, and this stack did not create "
                "that membership. To manage it here, set adopt=True on this resource (pulumi import cannot "
                f"work for dynamic providers); adopting sets its role to '{role}' if it differs. "
                "Or remove the membership from the project first."
            ) from None
        except NotInOrganizationError as error:
            raise ValueError(
                f"{user} is not a member of the OpenAI organization, so it cannot be added to project "
                f"{project_id}: invite them to the organization first (API: {error.message})"
            ) from None
        except ProjectArchivedError:
            raise ValueError(f"project {project_id} is archived: archived projects have no users") from None

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id = split_resource_id(id_, 2)
        member = self.access.find_member(project_id, user_id)
        if member is None:
            return ReadResult("", {})
        outputs = _outputs(props, member)
        return ReadResult(id_, outputs, _inputs_from_outputs(outputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if news["role"] == olds.get("role"):
            # Only `adopt` (or the spelling of the user) changed: nothing to send.
            return UpdateResult(_outputs(news, _member_from_outputs(olds)))
        project_id, user_id = split_resource_id(id_, 2)
        try:
            member = self.access.change_member_role(project_id, user_id, news["role"])
        except NotFoundError:
            # Removed outside Pulumi since the last refresh: converge by adding it back.
            member = self._add(project_id, UserReference(user_id=user_id), news["role"])
        return UpdateResult(_outputs(news, member))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        project_id, user_id = split_resource_id(id_, 2)
        self.access.remove_member(project_id, user_id)


def _outputs(inputs: Mapping[str, Any], member: Member) -> dict[str, Any]:
    return {
        "project_id": inputs["project_id"],
        "user_id": member.id,
        "email": member.email,
        "name": member.name,
        "role": member.role,
        "added_at": member.added_at,
        "adopt": bool(inputs.get("adopt")),
        "requested_email": requested_email(inputs),
    }


def _member_from_outputs(outputs: Mapping[str, Any]) -> Member:
    return Member(
        id=outputs["user_id"],
        email=outputs.get("email"),
        name=outputs.get("name"),
        role=outputs["role"],
        added_at=None if outputs.get("added_at") is None else int(outputs["added_at"]),
    )


def _inputs_from_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "project_id": outputs["project_id"],
        **user_inputs(outputs),
        "role": outputs["role"],
        "adopt": outputs["adopt"],
    }


@dataclass
class ProjectUserArgs:
    """Inputs of a ``ProjectUser``: give exactly one of ``user_id`` and ``email``."""

    project_id: pulumi.Input[str]
    role: pulumi.Input[str]
    user_id: pulumi.Input[str] | None = None
    email: pulumi.Input[str] | None = None
    adopt: pulumi.Input[bool] | None = None


class ProjectUser(AdminApiResource, module="openai", name="ProjectUser"):
    """A user's membership of an OpenAI project. Its id is ``{project_id}/{user_id}``."""

    project_id: pulumi.Output[str]
    user_id: pulumi.Output[str]
    email: pulumi.Output[str | None]
    name: pulumi.Output[str | None]
    role: pulumi.Output[str]
    added_at: pulumi.Output[int]
    adopt: pulumi.Output[bool]
    requested_email: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: ProjectUserArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        project_id: pulumi.Input[str] | None = None,
        role: pulumi.Input[str] | None = None,
        user_id: pulumi.Input[str] | None = None,
        email: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        chosen = choose_args(
            ProjectUserArgs, args, dict(project_id=project_id, role=role, user_id=user_id, email=email, adopt=adopt)
        )
        self._register(ProjectUserProvider(), resource_name, chosen, OUTPUTS, opts)
