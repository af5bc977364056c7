"""``ProjectRole``: a custom role of one project, its name, permissions and description.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.project_role.ProjectRoleProvider`` and the resource type is
``pulumi-python:dynamic/openai:ProjectRole``. Renaming either breaks refresh and destroy of
every resource already in a stack's state.

Memberships that carry the role take ``role.id`` as an input, so they depend on it: the engine
creates the role first and, on destroy, removes (or unassigns) them before deleting it. A
role's name is unique in its project: a create that meets a custom role of the same name
takes it over without a write when its permissions and description are exactly as declared
(what an interrupted run, or ``openai-access discover``, leaves), changes it with ``adopt``,
and otherwise fails.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.errors import NotFoundError, ProjectArchivedError, RoleStillAssignedError
from .admin_api.models import Role
from .base_provider import AdminApiProvider
from .input_checks import any_text, name, text_list
from .input_diff import same_text_set, same_when_declared
from .resource_inputs import AdminApiResource
from .resource_schema import Input, Output, RecordOutputs, ResourceSchema
from .shared_inputs import ADOPT, PROJECT

log = logging.getLogger(__name__)

ROLE_NAME_MAX_LENGTH = 255  # unconfirmed by any source: a generous bound that catches mistakes
# The rules for a role's name and permissions: the resource's check and the access spec use them.
ROLE_NAME = name("a role name such as 'Evaluator'", max_length=ROLE_NAME_MAX_LENGTH)
PERMISSIONS = text_list("permissions such as 'api.model.read'", at_least_one=True)
UPDATABLE = ("role_name", "permissions", "description")


def _permission_list(permissions: Any) -> Any:
    # Order and repeats mean nothing to the API; a value check rejects is passed on as it is.
    return sorted(set(permissions), key=str) if isinstance(permissions, (list, tuple)) else permissions


ROLE = RecordOutputs(Role, {
    "role_name": "name", "permissions": "permissions", "description": "description",
    "resource_type": "resource_type", "predefined_role": "predefined_role",
})

SCHEMA = ResourceSchema(
    inputs=(
        PROJECT,
        Input("role_name", str, "The role's name, unique in the project; a new name renames it in place.",
              rule=ROLE_NAME, required=True),
        Input("permissions", list[str], "The permissions the role grants (at least one); changes in place.",
              rule=PERMISSIONS,
              required=True, normalize=_permission_list, same=same_text_set("permissions")),
        Input("description", str | None, "What the role is for (None: not managed); changes in place.",
              rule=any_text, same=same_when_declared("description")),
        ADOPT,
    ),
    outputs=(
        Output("resource_type", str, "What the role applies to: `api.project`."),
        Output("predefined_role", bool, "Always False: a custom role."),
    ),
    records=(ROLE,),
)


class ProjectRoleProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, name = props["project_id"], props["role_name"]
        try:
            listed = self.access.current_project_roles(project_id)  # listed now: it decides a write
        except NotFoundError:
            raise ValueError(f"project {project_id} does not exist") from None
        existing = next((role for role in listed if role.name == name and not role.predefined_role), None)
        if existing is None:
            try:
                role = self.access.create_project_role(project_id, name, props["permissions"], props.get("description"))
            except ProjectArchivedError:
                raise ValueError(f"project {project_id} is archived: its roles cannot change") from None
        else:
            role = self._take_over(props, existing)
        return CreateResult(role.id, _outputs(props, role))

    def _take_over(self, props: Mapping[str, Any], existing: Role) -> Role:
        project_id, name = props["project_id"], props["role_name"]
        differences = _differences(existing, props)
        if not differences:
            log.info("role %r of project %s (%s) exists exactly as declared: managing it from now on",
                     name, project_id, existing.id)
            return existing
        if not props.get("adopt"):
            raise ValueError(
                f"project {project_id} already has a role named {name!r} ({existing.id}) with "
                f"{'; '.join(differences)}, and this stack did not create it. To manage it here, set adopt=True "
                "(adopt: true in the spec): its permissions and description then become the declared ones. Or "
                "give this role another name"
            )
        log.info("role %r of project %s (%s) exists: adopting it and setting %s", name, project_id, existing.id,
                 "; ".join(differences))
        return self.access.update_project_role(project_id, existing.id, **_changes(_outputs(props, existing), props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        role = self.access.find_project_role(props["project_id"], id_)
        if role is None:
            return ReadResult("", {})
        outputs = _outputs(props, role)
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        project_id = news["project_id"]
        changes = _changes(olds, news)
        if not changes:
            return UpdateResult(_outputs(news, ROLE.record_from(olds, id=id_)))
        try:
            role = self.access.update_project_role(project_id, id_, **changes)
        except NotFoundError:
            raise ValueError(f"role {id_} no longer exists in project {project_id}: run `pulumi refresh` to drop it "
                             "from the state, then `pulumi up` creates it anew") from None
        return UpdateResult(_outputs(news, role))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id = props["project_id"]
        try:
            self.access.delete_project_role(project_id, id_)
        except (NotFoundError, ProjectArchivedError):
            log.info("role %s of project %s was already gone", id_, project_id)
        except RoleStillAssignedError as error:
            raise ValueError(
                f"role {id_} ({props.get('role_name')!r}) of project {project_id} is still assigned to someone "
                "this stack does not manage (the memberships this stack gives it were unassigned first): "
                f"unassign it from them, then run the destroy again. API: {error.message}"
            ) from None


def _changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """The API fields to send: those the declaration changes (``adopt`` is not one)."""
    return {prop: news[prop] for prop in SCHEMA.updated_inputs(olds, news) if prop in UPDATABLE}


def _differences(existing: Role, props: Mapping[str, Any]) -> list[str]:
    live = _outputs(props, existing)
    return [f"{prop} {live[prop]!r} (declared {value!r})" for prop, value in _changes(live, props).items()]


def _outputs(inputs: Mapping[str, Any], role: Role) -> dict[str, Any]:
    return SCHEMA.output_values(inputs, ROLE.outputs(role), {
        "permissions": sorted(role.permissions), "adopt": bool(inputs.get("adopt")),
    })


ProjectRoleArgs = SCHEMA.args_class("ProjectRoleArgs", "Inputs of a ``ProjectRole``.")


class ProjectRole(
    AdminApiResource,
    module="openai", name="ProjectRole",
    schema=SCHEMA, args=ProjectRoleArgs, provider=ProjectRoleProvider,
):
    """A custom role of an OpenAI project. Its id is the role's id, ``role_…``: pass
    ``role.id`` in a ``ProjectUser``'s ``roles``. Name, permissions and description change in
    place; a new project replaces it; ``destroy`` deletes it, after the memberships that carry it."""
