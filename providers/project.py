"""``Project``: an OpenAI project that the stack creates (or adopts), renames in place and,
on destroy, archives (the API cannot delete a project).

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.project.ProjectProvider`` and the resource type is
``pulumi-python:dynamic/openai:Project``. Renaming either breaks refresh and destroy of every
resource already in a stack's state.

Names are not unique in the API, so a name never silently picks a project: without ``adopt``
a create fails when an active project already has the name (a second project of that name is
nearly always a mistake, or the leftover of an interrupted run); with ``adopt`` exactly one
active project of that name is taken over, and several fail with their ids. A project taken
over is released on destroy, never archived: ``adopted`` records which is which. A project
archived outside Pulumi cannot come back, so once a refresh has seen it archived, the next
``up`` replaces it with a new one of the same name.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Mapping, Sequence

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.behaviour import PROJECT_NAME_MAX_LENGTH, PROJECT_RESIDENCIES
from .admin_api.errors import NotFoundError, ProjectArchivedError
from .admin_api.models import ProjectRecord
from .base_provider import AdminApiProvider
from .input_checks import any_text, name, one_of
from .input_diff import same_when_declared
from .resource_inputs import AdminApiResource
from .resource_schema import Change, Input, Output, RecordOutputs, ResourceSchema
from .shared_inputs import ADOPT

log = logging.getLogger(__name__)

# The one rule for a project's name: the resource's check and the access spec both use it.
PROJECT_NAME = name("a project name such as 'Checkout service'", max_length=PROJECT_NAME_MAX_LENGTH)
ARCHIVED = "archived"
UPDATABLE = ("name", "external_key_id")  # what the API's update takes
PROJECT_RECORD = RecordOutputs(ProjectRecord, {
    "name": "name", "residency": "residency", "external_key_id": "external_key_id", "status": "status",
    "created_at": "created_at", "archived_at": "archived_at",
})

SCHEMA = ResourceSchema(
    inputs=(
        Input("name", str, "The project's name (not unique in the API); a new name renames it in place.",
              rule=PROJECT_NAME, required=True),
        Input("residency", str | None,
              "Where the project's data resides, such as `EU_STORAGE_PROCESSING` (None: the organization's "
              "default). Set at creation only: a new value replaces the project.",
              rule=one_of(PROJECT_RESIDENCIES), on_change=Change.REPLACE, same=same_when_declared("residency")),
        Input("external_key_id", str | None,
              "The external encryption key to associate with the project (None: not managed); changes in place.",
              rule=any_text, same=same_when_declared("external_key_id")),
        ADOPT,
    ),
    outputs=(
        Output("status", str, "`active`, or `archived` once a refresh saw it archived outside Pulumi."),
        Output("created_at", int, "When the project was created (unix seconds)."),
        Output("archived_at", int | None, "When the project was archived (unix seconds), or None."),
        Output("adopted", bool, "True when the stack took over an existing project (destroy then releases it "
               "instead of archiving it)."),
    ),
    records=(PROJECT_RECORD,),
)


# Projects this provider process created: a process serves one engine run, so an
# ``ExclusiveProjectAccess`` created later in the same run knows its project is newborn.
_created_in_this_run: set[str] = set()
_created_lock = threading.Lock()


def created_in_this_run(project_id: str) -> bool:
    with _created_lock:
        return project_id in _created_in_this_run


def forget_created_projects() -> None:
    """As a new provider process starts: it has created nothing yet."""
    with _created_lock:
        _created_in_this_run.clear()


class ProjectProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = SCHEMA.diff(olds, news)
        if olds.get("status") == ARCHIVED:
            # Archived outside Pulumi (seen by a refresh): it cannot be restored, so a new
            # project of the declared name takes its place, and its dependents follow it.
            log.info("project %s was archived outside Pulumi: up replaces it with a new project named %r",
                     id_, news.get("name"))
            result.changes = True
            result.replaces = [*result.replaces, "name"]
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        name = props["name"]
        listed = self.access.current_projects()  # listed now: it decides a write
        same_name = [project for project in listed if project.name == name]
        if props.get("adopt") and len(same_name) == 1:
            return self._adopt(props, same_name[0])
        if same_name:
            raise ValueError(_name_in_use(name, same_name, bool(props.get("adopt"))))
        created = self.access.create_project(name, residency=props.get("residency"),
                                             external_key_id=props.get("external_key_id"), known=listed)
        with _created_lock:
            _created_in_this_run.add(created.id)
        return CreateResult(created.id, _outputs(props, created, adopted=False))

    def _adopt(self, props: Mapping[str, Any], project: ProjectRecord) -> CreateResult:
        residency = props.get("residency")
        if residency is not None and project.residency is not None and residency != project.residency:
            raise ValueError(f"project {project.id} ({project.name!r}) has residency {project.residency}, not "
                             f"{residency}, and residency cannot change: declare {project.residency} to adopt it")
        key = props.get("external_key_id")
        if key is not None and key != project.external_key_id:
            project = self.access.update_project(project.id, external_key_id=key)
        log.info("project %s (%r) exists: taking it over (adopt); destroy releases it without archiving",
                 project.id, project.name)
        return CreateResult(project.id, _outputs(props, project, adopted=True))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            project = self.access.project(id_)
        except NotFoundError:
            return ReadResult("", {})
        outputs = _outputs(props, project, adopted=bool(props.get("adopted")))
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changes = {prop: news[prop] for prop in SCHEMA.updated_inputs(olds, news) if prop in UPDATABLE}
        try:
            project = self.access.update_project(id_, **changes) if changes else PROJECT_RECORD.record_from(olds, id=id_)
        except (NotFoundError, ProjectArchivedError):
            raise ValueError(f"project {id_} was archived or is gone outside Pulumi: run `pulumi refresh`, and the "
                             "next up makes a new project of the declared name") from None
        return UpdateResult(_outputs(news, project, adopted=bool(olds.get("adopted"))))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("adopted"):
            log.info("project %s was adopted, not created, by this stack: released, left active", id_)
            return
        try:
            self.access.archive_project(id_)
        except NotFoundError:
            log.info("project %s was already gone", id_)


def _name_in_use(name: str, same_name: Sequence[ProjectRecord], adopt: bool) -> str:
    ids = ", ".join(project.id for project in same_name)
    if adopt:
        return (f"{len(same_name)} active projects are named {name!r} ({ids}): adopt takes over exactly one, and "
                "this stack cannot tell which is meant. Rename or archive the others, or refer to the project by "
                "its id instead of declaring it")
    return (f"an active project named {name!r} exists already ({ids}), and this stack did not create it. To "
            "manage it here, set adopt=True (adopt: true in the spec); or give this project another name")


def _outputs(inputs: Mapping[str, Any], project: ProjectRecord, *, adopted: bool) -> dict[str, Any]:
    return SCHEMA.output_values(inputs, PROJECT_RECORD.outputs(project), {
        # The API may leave residency out of its answer: the declared one stands.
        "residency": project.residency if project.residency is not None else inputs.get("residency"),
        "status": project.status or (ARCHIVED if project.is_archived else "active"),
        "adopt": bool(inputs.get("adopt")),
        "adopted": adopted,
    })


ProjectArgs = SCHEMA.args_class("ProjectArgs", "Inputs of a ``Project``.")


class Project(
    AdminApiResource,
    module="openai", name="Project",
    schema=SCHEMA, args=ProjectArgs, provider=ProjectProvider,
):
    """An OpenAI project. Its id is the project's id, ``proj_…``: pass ``project.id`` wherever a
    project id is taken. ``name`` (and ``external_key_id``) change in place; ``destroy`` archives
    a project this stack created and releases one it adopted (``retain_on_delete`` keeps a
    created one active)."""
