"""Exclusive projects of a spec: one ``ExclusiveProjectAccess`` per project, declared after
every membership (with its extra roles) and group grant the component declares there; and
with ``organization.exclusive``, one ``ExclusiveOrganizationAccess``, ``organization/exclusive``,
declared after everything else the component declares.

Its name, ``{project_id}/exclusive``, cannot meet a membership's (``{project_id}/{member}``:
an email or a user id), and like theirs it does not depend on any team.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi

from ..providers.exclusive_organization_access import ExclusiveOrganizationAccess, ExclusiveOrganizationAccessArgs
from ..providers.exclusive_project_access import ExclusiveProjectAccess, ExclusiveProjectAccessArgs
from .access_spec import AccessSpec
from .declared_projects import DeclaredProjects
from .grant_merge import MemberAccess, member_identities


def declare_exclusive_access(
    spec: AccessSpec,
    grants: Sequence[MemberAccess],
    children: Mapping[str, pulumi.Resource],
    projects: DeclaredProjects,
    opts: pulumi.ResourceOptions,
    group_ids: Mapping[str, Sequence[pulumi.Input[str]]] | None = None,
) -> dict[str, ExclusiveProjectAccess]:
    """``children`` by name, as the component named them: those of an exclusive project run
    first. Keyed and named by the project as the spec writes it (an id, or a declared key).
    ``group_ids``: by project as the spec writes it, the ids of the groups the spec grants it
    (their users' access through them is declared; any other group's grant there is removed)."""
    declared = {}
    for project in spec.exclusive_projects:
        members = [declared_member(grant, projects.role_ids(project, grant.extra_roles))
                   for grant in grants if grant.project_id == project]
        after = [child for name, child in children.items() if name.startswith(f"{project}/")]
        declared[project] = ExclusiveProjectAccess(
            f"{project}/exclusive",
            ExclusiveProjectAccessArgs(project_id=projects.project_id(project), members=members,
                                       max_removals=spec.max_removals, groups=list((group_ids or {}).get(project, []))),
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=after)),
        )
    return declared


def declared_member(grant: MemberAccess, roles: Sequence[pulumi.Input[str]]) -> dict[str, Any]:
    """What the exclusive resource needs of a grant: who (both ways when the spec links them)
    and the extra roles, resolved to ids, all of them managed (a spec always says which)."""
    member = {"user_id": grant.member.user_id, "email": grant.member.email, "roles": list(roles)}
    return {key: value for key, value in member.items() if value is not None}


def declared_people(spec: AccessSpec) -> list[dict[str, str]]:
    """Everyone the spec names in any team (expired entries included: a person written in the
    spec is never removed from the organization by it), as ``{user_id?, email?}``: this list
    is the leavers' rail, so every team's members count, a group-team's included (they reach
    their projects through its group)."""
    identify = member_identities(spec)
    people = {(member.user_id, member.email)
              for team in spec.teams.values() for member in map(identify, team.members)}
    found = [{key: value for key, value in (("user_id", user_id), ("email", email)) if value}
             for user_id, email in people]
    return sorted(found, key=lambda person: (person.get("user_id") or "", person.get("email") or ""))


def declare_exclusive_organization(
    spec: AccessSpec, everything: Sequence[pulumi.Resource], opts: pulumi.ResourceOptions
) -> ExclusiveOrganizationAccess | None:
    """With ``organization.exclusive``: the one resource that removes leavers, after the rest."""
    if not spec.organization.exclusive:
        return None
    args = ExclusiveOrganizationAccessArgs(members=declared_people(spec), max_removals=spec.organization.max_removals)
    return ExclusiveOrganizationAccess(
        "organization/exclusive", args,
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(everything))),
    )
