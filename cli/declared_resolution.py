"""The projects and custom roles a spec declares, found in the live organization for an audit.

An audit has no Pulumi state, so it finds a declared project as ``adopt`` would: the one
active project with exactly the declared name. One that is not there is a difference: an
archived project of that name is ``project_archived`` (archived outside), none at all is
``missing_project`` (not created yet, or renamed outside: without the stack's state the two
look alike). A declared role is found by its name in its project: ``missing_project_role``
when absent, ``project_role_differs`` when its permissions or description differ.

The spec is then rewritten with ids in place of the keys it could resolve, so that the rest
of the audit compares memberships exactly as before. Keys that resolve to nothing stay keys:
their project has no members to list, and their roles are missing extra roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..components.access_spec import AccessSpec
from ..providers.access_gateway import AccessGateway
from ..providers.admin_api.models import Role
from .audit import Difference
from .progress import Reporter


@dataclass(frozen=True)
class Resolution:
    spec: AccessSpec  # with resolved keys replaced by ids
    findings: Mapping[str, tuple[Difference, ...]]  # by project id (or unresolved key)


def _finding(kind: str, key: str, declared: Mapping[str, Any], live: Mapping[str, Any] | None,
             role_id: str | None = None) -> Difference:
    """A declared project or role not as declared: ``member`` is its key, ``details`` what differs."""
    return Difference(kind, key, None, None, None, role_id, details={"declared": dict(declared),
                                                                     "live": None if live is None else dict(live)})


def resolve_declared(spec: AccessSpec, gateway: AccessGateway, active: Mapping[str, str],
                     reporter: Reporter) -> Resolution:
    """``active``: the organization's active projects, id -> name."""
    if not spec.projects and not spec.project_roles:
        return Resolution(spec, {})
    reporter.step("finding declared projects and roles")
    by_name: dict[str, list[str]] = {}
    for project_id, name in active.items():
        by_name.setdefault(name, []).append(project_id)
    findings: dict[str, list[Difference]] = {}
    project_ids: dict[str, str] = {}
    archived: dict[str, str] | None = None
    for key, declared in spec.projects.items():
        found = by_name.get(declared.name, [])
        if len(found) == 1:
            project_ids[key] = found[0]
            continue
        if not found and archived is None:
            archived = {p.name or "": p.id for p in gateway.client.list_projects(include_archived=True)
                        if p.is_archived}
        kind = "project_archived" if not found and declared.name in (archived or {}) else "missing_project"
        live = {"ids": sorted(found)} if found else (
            {"id": (archived or {})[declared.name]} if kind == "project_archived" else None)
        findings.setdefault(key, []).append(_finding(kind, key, {"name": declared.name}, live))

    def project_id(ref: str) -> str:
        return project_ids.get(ref, ref)

    role_ids: dict[tuple[str, str], str] = {}
    for ref, roles in spec.project_roles.items():
        if ref in spec.projects and ref not in project_ids:
            continue  # the project itself is missing: said once, above
        live_roles = {role.name: role for role in gateway.project_roles(project_id(ref)).values()
                      if not role.predefined_role}
        for key in roles:
            declared = _declared_role(spec, ref, key)
            role = live_roles.get(declared["name"])
            if role is None:
                findings.setdefault(project_id(ref), []).append(_finding("missing_project_role", key, declared, None))
                continue
            role_ids[(ref, key)] = role.id
            live = _live_role(role)
            if _differs(declared, live):
                findings.setdefault(project_id(ref), []).append(
                    _finding("project_role_differs", key, declared, live, role.id))
    reporter.advance()
    return Resolution(_with_ids(spec, project_id, role_ids),
                      {pid: tuple(found) for pid, found in findings.items()})


def _declared_role(spec: AccessSpec, ref: str, key: str) -> dict[str, Any]:
    role = spec.project_roles[ref][key]
    return {"name": spec.role_name(ref, key), "permissions": sorted(set(role.permissions)),
            "description": role.description}


def _live_role(role: Role) -> dict[str, Any]:
    return {"name": role.name, "permissions": sorted(set(role.permissions)), "description": role.description}


def _differs(declared: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """As the provider compares them: a description left out is not managed."""
    return declared["permissions"] != live["permissions"] or (
        declared["description"] is not None and declared["description"] != live["description"])


def _with_ids(spec: AccessSpec, project_id: Any, role_ids: Mapping[tuple[str, str], str]) -> AccessSpec:
    """The spec with resolved keys replaced (no validation: the keys were valid, the ids are live)."""
    teams = {
        name: team.model_copy(update={"grants": {
            project_id(ref): grant.model_copy(update={"roles": tuple(role_ids.get((ref, role), role)
                                                                     for role in grant.roles)})
            for ref, grant in team.grants.items()
        }})
        for name, team in spec.teams.items()
    }
    exclusive = spec.exclusive if isinstance(spec.exclusive, bool) else tuple(map(project_id, spec.exclusive))
    return spec.model_copy(update={
        "teams": teams,
        "service_accounts": {project_id(ref): accounts for ref, accounts in spec.service_accounts.items()},
        "exclusive": exclusive,
    })
