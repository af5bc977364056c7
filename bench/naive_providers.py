"""The naive strategy, for comparison: read each membership with its own GETs, as most providers do.

Everything but ``read`` is the project's provider: creates, updates and deletes send the same
writes. ``read`` (refresh) asks the API for the one membership (``GET .../users/{user_id}``)
and for each extra role it manages (``GET .../roles/{role_id}``) instead of serving them
from a listing shared by all memberships of the project.

The engine's provider process unpickles these classes by reference (module
``bench.naive_providers``), so it must find the ``bench`` package: the benchmark puts the
repository root on its PYTHONPATH. The resource keeps the real type token, so a stack's
state is the same as with the real provider apart from ``__provider``.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from pulumi.dynamic import ReadResult

from pulumi_openai_access.providers import project_user
from pulumi_openai_access.providers.admin_api.errors import NotFoundError, ProjectArchivedError
from pulumi_openai_access.providers.resource_ids import split_resource_id
from pulumi_openai_access.providers.resource_inputs import AdminApiResource

T = TypeVar("T")


def _or_none(get: Callable[..., T], *ids: str) -> T | None:
    try:
        return get(*ids)
    except (NotFoundError, ProjectArchivedError):
        return None


class NaiveProjectUserProvider(project_user.ProjectUserProvider):
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id = split_resource_id(id_, 2)
        client = self.access.client
        member = _or_none(client.get_project_user, project_id, user_id)
        if member is None:
            return ReadResult("", {})
        roles = props.get("roles")
        held = None if roles is None else [
            role for role in sorted(set(roles)) if _or_none(client.get_project_user_role, project_id, user_id, role)
        ]
        outputs = project_user._outputs(props, member, held)
        return ReadResult(id_, outputs, project_user.SCHEMA.inputs_from_outputs(outputs))


class NaiveProjectUser(
    AdminApiResource,
    module="openai", name="ProjectUser",
    schema=project_user.SCHEMA, args=project_user.ProjectUserArgs, provider=NaiveProjectUserProvider,
):
    """``ProjectUser`` (same type token) served by ``NaiveProjectUserProvider``."""
