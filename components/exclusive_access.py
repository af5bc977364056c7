"""Exclusive projects of a spec: one ``ExclusiveProjectAccess`` per project, declared after
every membership (with its extra roles) the component declares there.

Its name, ``{project_id}/exclusive``, cannot meet a membership's (``{project_id}/{member}``:
an email or a user id), and like theirs it does not depend on any team.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi

from ..providers.exclusive_project_access import ExclusiveProjectAccess, ExclusiveProjectAccessArgs
from .access_spec import AccessSpec
from .declared_projects import DeclaredProjects
from .grant_merge import MemberAccess


def declare_exclusive_access(
    spec: AccessSpec,
    grants: Sequence[MemberAccess],
    children: Mapping[str, pulumi.Resource],
    projects: DeclaredProjects,
    opts: pulumi.ResourceOptions,
) -> dict[str, ExclusiveProjectAccess]:
    """``children`` by name, as the component named them: those of an exclusive project run
    first. Keyed and named by the project as the spec writes it (an id, or a declared key)."""
    declared = {}
    for project in spec.exclusive_projects:
        members = [declared_member(grant, projects.role_ids(project, grant.extra_roles))
                   for grant in grants if grant.project_id == project]
        after = [child for name, child in children.items() if name.startswith(f"{project}/")]
        declared[project] = ExclusiveProjectAccess(
            f"{project}/exclusive",
            ExclusiveProjectAccessArgs(project_id=projects.project_id(project), members=members,
                                       max_removals=spec.max_removals),
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=after)),
        )
    return declared


def declared_member(grant: MemberAccess, roles: Sequence[pulumi.Input[str]]) -> dict[str, Any]:
    """What the exclusive resource needs of a grant: who (both ways when the spec links them)
    and the extra roles, resolved to ids, all of them managed (a spec always says which)."""
    member = {"user_id": grant.member.user_id, "email": grant.member.email, "roles": list(roles)}
    return {key: value for key, value in member.items() if value is not None}
