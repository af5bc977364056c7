"""``ProjectGroup``: a group's access to one OpenAI project, role ``owner`` or ``member``, with
the extra project roles the grant carries (``roles``, managed as ``ProjectUser.roles`` is).

The grant is sent with the role's predefined role id. The API's grant object carries no role:
the grant's role is the predefined role it holds among its role assignments (behaviour.py),
so a role change is in place: the new role is assigned before the old one is unassigned, and
the group's users never lose access in between. Grants of any group can be managed, those of
groups the identity provider manages included.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.project_group.ProjectGroupProvider`` and the resource type is
``pulumi-python:dynamic/openai:ProjectGroup``.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.behaviour import PROJECT_MEMBER_ROLES, PROJECT_ROLE_ID_BY_MEMBER_ROLE
from .admin_api.errors import AlreadyMemberError, NotFoundError, ProjectArchivedError
from .admin_api.models import ProjectGroupRecord
from .base_provider import AdminApiProvider
from .group_gateway import GroupGateway
from .input_checks import one_of, role_id_list
from .input_diff import same_role_set
from .resource_ids import split_resource_id
from .resource_inputs import AdminApiResource
from .resource_schema import Input, Output, RecordOutputs, ResourceSchema
from .role_ids import is_undeclared_extra, role_id_matches
from .shared_inputs import ADOPT, GROUP_ID, PROJECT

log = logging.getLogger(__name__)

# The grant as the API lists it (no role there: the role is read from the grant's roles).
GRANT = RecordOutputs(ProjectGroupRecord, {"group_name": "group_name", "created_at": "created_at"})

SCHEMA = ResourceSchema(
    inputs=(
        PROJECT,
        GROUP_ID,
        Input("role", str, "The group's role in the project, `owner` or `member`; a new role updates in place.",
              rule=one_of(PROJECT_MEMBER_ROLES), required=True),
        Input("roles", list[str] | None,
              "Extra project roles (predefined or custom ids) the grant carries and this resource manages; None "
              "manages none, [] manages the list and it is empty. Changes assign and unassign in place.",
              rule=role_id_list, normalize=lambda roles: sorted(set(roles)), same=same_role_set("roles")),
        ADOPT,
    ),
    outputs=(
        Output("group_name", str | None, "The group's name."),
        Output("created_at", int | None, "When the group was granted the project (unix seconds)."),
    ),
    records=(GRANT,),
)


class ProjectGroupProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, group_id, role, roles = props["project_id"], props["group_id"], props["role"], props.get("roles")
        groups = self.access.groups
        # A grant that exists (adopted, or left by an interrupted run) is read from the shared
        # listing of the project's grants: taking it over as declared sends no write.
        grant = groups.grants(project_id).get(group_id)
        try:
            if grant is None:
                grant = groups.grant(project_id, group_id, PROJECT_ROLE_ID_BY_MEMBER_ROLE[role])
                held: list[str] = [PROJECT_ROLE_ID_BY_MEMBER_ROLE[role]]
            else:
                held = self._take_over(groups, project_id, group_id, role, roles, adopt=bool(props.get("adopt")))
        except AlreadyMemberError:
            raise RuntimeError(f"group {group_id} was granted project {project_id} while this grant was made: "
                               "retry") from None
        except NotFoundError as error:
            raise ValueError(f"cannot grant group {group_id} project {project_id}: {error.message}") from None
        except ProjectArchivedError:
            raise ValueError(f"project {project_id} is archived: archived projects have no groups") from None
        _set_role(groups, project_id, group_id, role, held)
        if roles:
            _assign(groups, project_id, group_id, set(roles) - set(_matching(roles, held)))
        return CreateResult(f"{project_id}/{group_id}", _outputs(props, grant, roles))

    def _take_over(self, groups: GroupGateway, project_id: str, group_id: str, role: str, roles: list[str] | None,
                   *, adopt: bool) -> list[str]:
        """The grant exists. Taken over when adopting, or when exactly as declared (what an
        interrupted run of this stack leaves behind); otherwise an error saying how. Returns
        the role ids it holds."""
        held = [r.id for r in groups.grant_roles(project_id, group_id)]
        current = groups.grant_role(project_id, group_id)
        extra = [r for r in held if is_undeclared_extra(r, current, roles or [])] if roles is not None else []
        if adopt or (current == role and not extra):
            log.info("group %s already has access to project %s: managing that grant from now on", group_id, project_id)
            return held
        differences = [f"role '{current}'"] + [f"extra role {r}" for r in extra]
        raise ValueError(
            f"group {group_id} already has access to project {project_id} with {', '.join(differences)}, and this "
            "stack did not grant it. To manage it here, set adopt=True on this resource; or remove the grant first."
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, group_id = split_resource_id(id_, 2)
        groups = self.access.groups
        grant = groups.grants(project_id).get(group_id)
        if grant is None:
            return ReadResult("", {})
        managed = props.get("roles")
        held = [r.id for r in groups.grant_roles(project_id, group_id)]
        outputs = _outputs(props, grant, None if managed is None else _matching(managed, held))
        outputs["role"] = groups.grant_role(project_id, group_id)  # None (neither held) shows as drift
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        project_id, group_id = split_resource_id(id_, 2)
        groups = self.access.groups
        role, roles, before = news["role"], news.get("roles"), olds.get("roles")
        grant = groups.grants(project_id).get(group_id)
        if grant is None:  # removed out of band since the last refresh: grant it again
            grant = groups.grant(project_id, group_id, PROJECT_ROLE_ID_BY_MEMBER_ROLE[role])
            before = []
        held = [r.id for r in groups.grant_roles(project_id, group_id)]
        _set_role(groups, project_id, group_id, role, held)
        if roles is not None:
            if before is None:
                before = _matching(roles, held)
            _assign(groups, project_id, group_id, set(roles) - set(before))
            for role_id in sorted(set(before) - set(roles)):
                groups.unassign(project_id, group_id, role_id)
        return UpdateResult(_outputs(news, grant, roles))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        project_id, group_id = split_resource_id(id_, 2)
        self.access.groups.revoke(project_id, group_id)  # its roles go with it; never the group's users


def _matching(wanted: Iterable[str], held: Iterable[str]) -> list[str]:
    """Which of the wanted role ids the held (answered) ids name."""
    held = list(held)
    return sorted(role for role in set(wanted) if any(role_id_matches(role, live) for live in held))


def _assign(groups: GroupGateway, project_id: str, group_id: str, roles: Iterable[str]) -> None:
    for role_id in sorted(set(roles)):
        try:
            groups.assign(project_id, group_id, role_id)
        except NotFoundError as error:
            raise ValueError(f"cannot assign role {role_id} to group {group_id} in project {project_id}: "
                             f"{error.message}") from None


def _set_role(groups: GroupGateway, project_id: str, group_id: str, role: str, held: list[str]) -> None:
    """Hold exactly the predefined role of ``role``: assign it first, then unassign the other,
    so that the group has access throughout."""
    wanted = PROJECT_ROLE_ID_BY_MEMBER_ROLE[role]
    if not _matching([wanted], held):
        groups.assign(project_id, group_id, wanted)
    for other, role_id in PROJECT_ROLE_ID_BY_MEMBER_ROLE.items():
        if other != role and _matching([role_id], held):
            groups.unassign(project_id, group_id, role_id)


def _outputs(inputs: Mapping[str, Any], grant: ProjectGroupRecord, roles: list[str] | None) -> dict[str, Any]:
    return SCHEMA.output_values(inputs, GRANT.outputs(grant), {
        "roles": None if roles is None else sorted(roles), "adopt": bool(inputs.get("adopt")),
    })


ProjectGroupArgs = SCHEMA.args_class("ProjectGroupArgs", "Inputs of a ``ProjectGroup``.")


class ProjectGroup(
    AdminApiResource,
    module="openai", name="ProjectGroup",
    schema=SCHEMA, args=ProjectGroupArgs, provider=ProjectGroupProvider,
):
    """A group's access to an OpenAI project, with the extra roles the grant carries. Its id is
    ``{project_id}/{group_id}``."""
