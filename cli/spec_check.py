"""``openai-access check``: what only the API can say about a spec, before any write.

The spec's own rules (shapes, predefined role ids, duplicates) are checked offline when it is
read. This reads, and never writes: each project the spec names must exist and be active,
each person must be in the organization, each custom role id must be usable in its project
(one of the project's roles, or an organization role). Projects and roles the spec declares
(``projects``, ``project_roles``) are the stack's to create: their keys are not looked up. Every
problem is named with its path in the spec, as the spec's own problems are, and says what to do.

Requests: one GET per project named, one listing of the organization's users, and, only for
projects given custom roles, one role listing per project and one of the organization's roles.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..components.access_spec import AccessSpec
from ..providers.access_gateway import AccessGateway
from ..providers.admin_api.behaviour import PREDEFINED_PROJECT_ROLE_IDS
from ..providers.admin_api.errors import NotFoundError
from ..providers.admin_api.models import OrganizationUser, ProjectRecord, Role
from .progress import Reporter

INVITE_HINT = "invite them first (the organization's Members page, or the Admin API's invites), then check again"


@dataclass(frozen=True)
class OrganizationFacts:
    """What the checks need to know about the organization."""

    projects: Mapping[str, ProjectRecord | None]  # each project the spec names; None: no such project
    users: tuple[OrganizationUser, ...]
    roles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # project -> usable custom role id -> name


def read_facts(gateway: AccessGateway, spec: AccessSpec, reporter: Reporter) -> OrganizationFacts:
    project_ids = sorted(_named_projects(spec))
    reporter.step("reading projects", len(project_ids))
    projects: dict[str, ProjectRecord | None] = {}
    for project_id in project_ids:
        try:
            projects[project_id] = gateway.client.get_project(project_id)
        except NotFoundError:
            projects[project_id] = None
        reporter.advance()
    reporter.step("listing the organization's users")
    users = tuple(gateway.organization_users())
    with_custom_roles = sorted(
        project_id for project_id, roles in _custom_roles(spec).items()
        if roles and projects.get(project_id) is not None and not projects[project_id].is_archived  # type: ignore[union-attr]
    )
    roles: dict[str, dict[str, str]] = {}
    if with_custom_roles:
        reporter.step("listing roles", len(with_custom_roles) + 1)
        organization_roles = _custom(gateway.client.list_organization_roles())
        reporter.advance()
        for project_id in with_custom_roles:
            project_roles = _custom(gateway.client.list_project_roles(project_id))
            roles[project_id] = {**organization_roles, **project_roles}
            reporter.advance()
    return OrganizationFacts(projects, users, roles)


def spec_problems(spec: AccessSpec, facts: OrganizationFacts) -> list[str]:
    """``path: what is wrong, and what to do`` for each problem, in the spec's order."""
    problems: list[str] = []
    emails = {user.email.casefold() for user in facts.users if user.email}
    user_ids = {user.id for user in facts.users}
    for team_name, team in spec.teams.items():
        for index, member in enumerate(team.members):
            where = f"teams.{team_name}.members[{index}]"
            if member.user_id and member.user_id not in user_ids:
                problems.append(f"{where}: no user {member.user_id} in the organization: check the id "
                                "(`openai-access discover` writes every member with their id)")
            elif not member.user_id and member.email and member.email.casefold() not in emails:
                problems.append(f"{where}: {member.email} is not in the organization: {INVITE_HINT}")
        for project_id, grant in team.grants.items():
            where = f"teams.{team_name}.grants.{project_id}"
            if project_id in spec.projects:
                continue  # declared: the stack creates it, with the roles declared for it
            project_problem = _project_problem(project_id, facts.projects.get(project_id))
            if project_problem:
                problems.append(f"{where}: {project_problem}")
                continue
            for role_id in _not_declared(spec, project_id, grant.roles):
                role_problem = _custom_role_problem(project_id, role_id, facts.roles.get(project_id, {}))
                if role_problem:
                    problems.append(f"{where}.roles: {role_problem}")
    for project_id in [project_id for project_id in spec.service_accounts if project_id not in spec.projects]:
        project_problem = _project_problem(project_id, facts.projects.get(project_id))
        if project_problem:
            problems.append(f"service_accounts.{project_id}: {project_problem}")
    return problems


def _project_problem(project_id: str, project: ProjectRecord | None) -> str | None:
    if project is None:
        return (f"no project {project_id} in the organization: check the id "
                "(`openai-access discover` lists the active projects)")
    if project.is_archived:
        return f"project {project_id} ({project.name}) is archived and takes no members: grant an active project"
    return None


def _custom_role_problem(project_id: str, role_id: str, usable: Mapping[str, str]) -> str | None:
    if role_id in PREDEFINED_PROJECT_ROLE_IDS or role_id in usable:
        return None  # a predefined id with a typo never gets here: the spec refuses it offline
    listed = ", ".join(f"{rid} ({name})" for rid, name in sorted(usable.items())) or "none"
    closest = difflib.get_close_matches(role_id, list(usable), n=1)
    hint = f"did you mean {closest[0]}? " if closest else ""
    return (f"{role_id} is not a role of project {project_id} nor of the organization: {hint}"
            f"the custom roles there are {listed}")


def _custom(roles: Iterable[Role]) -> dict[str, str]:
    """Custom role id -> name (the predefined ones are known without asking)."""
    return {role.id: role.name or "" for role in roles
            if not role.predefined_role and role.id not in PREDEFINED_PROJECT_ROLE_IDS}


def _named_projects(spec: AccessSpec) -> set[str]:
    """The existing projects the spec names by id (its declared projects' keys left out)."""
    named = {project_id for team in spec.teams.values() for project_id in team.grants} | set(spec.service_accounts)
    return named - set(spec.projects)


def _not_declared(spec: AccessSpec, project_id: str, roles: Iterable[str]) -> list[str]:
    """Role ids, as opposed to the keys of roles the spec declares for the project."""
    return [role for role in roles if role not in spec.project_roles.get(project_id, {})]


def _custom_roles(spec: AccessSpec) -> dict[str, set[str]]:
    roles: dict[str, set[str]] = {}
    for team in spec.teams.values():
        for project_id, grant in team.grants.items():
            if project_id not in spec.projects:
                roles.setdefault(project_id, set()).update(_not_predefined(_not_declared(spec, project_id,
                                                                                           grant.roles)))
    return roles


def _not_predefined(role_ids: Iterable[str]) -> set[str]:
    return {role_id for role_id in role_ids if role_id not in PREDEFINED_PROJECT_ROLE_IDS}
