"""The projects and custom roles a spec declares, and how its keys become ids.

A spec refers to a project by its id (``proj_…``, one that exists) or by the key of a project
it declares under ``projects``; to a role by its id or by the key of a role it declares for
that project under ``project_roles``. Here the declared ones become ``Project`` and
``ProjectRole`` resources, and every reference becomes a ``pulumi.Input[str]``: the literal id,
or the resource's ``id`` output, so that the engine orders the creates (project, role,
memberships) and a preview knows the rest without asking the API.

Names: a project is ``{key}``, a role ``{project}/role/{key}`` (project by key or id), neither
of which can meet a membership's ``{project}/{member}`` (a different type in any case).
"""

from __future__ import annotations

from typing import Iterable

import pulumi

from ..providers.project import Project, ProjectArgs
from ..providers.project_role import ProjectRole, ProjectRoleArgs
from .access_spec import AccessSpec


def role_resource_name(project: str, key: str) -> str:
    return f"{project}/role/{key}"


class DeclaredProjects:
    """The ``Project`` and ``ProjectRole`` resources of a spec, and the resolver of its references."""

    def __init__(self, spec: AccessSpec, opts: pulumi.ResourceOptions) -> None:
        self.projects: dict[str, Project] = {
            key: Project(key, ProjectArgs(
                name=declared.name, residency=declared.residency, external_key_id=declared.external_key_id,
                adopt=spec.adopt if declared.adopt is None else declared.adopt,
            ), opts)
            for key, declared in spec.projects.items()
        }
        self.roles: dict[tuple[str, str], ProjectRole] = {
            (project, key): ProjectRole(role_resource_name(project, key), ProjectRoleArgs(
                project_id=self.project_id(project), role_name=spec.role_name(project, key),
                permissions=list(role.permissions), description=role.description, adopt=spec.adopt,
            ), opts)
            for project, roles in spec.project_roles.items()
            for key, role in roles.items()
        }

    def project_id(self, project: str) -> pulumi.Input[str]:
        """A project key's project id (an output), or the id itself."""
        declared = self.projects.get(project)
        return declared.id if declared is not None else project

    def role_ids(self, project: str, roles: Iterable[str]) -> list[pulumi.Input[str]]:
        """Role keys of the project as role ids (outputs); role ids as they are."""
        found = []
        for role in roles:
            declared = self.roles.get((project, role))
            found.append(declared.id if declared is not None else role)
        return found
