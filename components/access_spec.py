"""The declarative access spec: teams, their members, and what each team gets per project.

    adopt: false                      # take over memberships that already exist
    projects:                         # projects the stack creates (or adopts by name)
      checkout:                                       # a key that names the project in this spec
        name: Checkout service
    project_roles:                    # custom roles, per project key or existing project id
      checkout:
        evaluator:                                    # a key that names the role in that project
          permissions: [api.model.read, api.model.request]
          description: Runs evaluations
    exclusive: false                  # true, or [proj_…]: remove who the spec does not declare there
    max_removals: 10                  # the most removals one up may make in one exclusive project
    invite: false                     # true: people (by email) not in the organization are invited
    invite_domains: [example.com]     # with invite: only addresses in these domains
    organization:
      exclusive: false                # true: people in the organization declared nowhere are removed from it
      max_removals: 10                # the most people one up may remove from the organization
    teams:
      platform:
        expires: 2026-12-24                   # optional: the team's access ends (see ``expiry``)
        members:
          - ada@example.com                           # by email
          - user-AlanTuring00000000000000             # by user id
          - {email: grace@example.com, user_id: user-GraceHopper0000000000000}
          - {email: eve@agency.test, expires: 2027-01-31}   # one person's access ends
        grants:
          proj_WebStorefront00000000000: owner        # role only
          proj_DataPlatform000000000000:
            role: member
            roles: [role-api-project-viewer]          # extra project roles
            expires: 2026-12-20T18:00:00Z             # one grant ends
          checkout: {role: owner, roles: [evaluator]} # a declared project and role, by key
      data:
        group: data-team              # this team IS the OpenAI group "data-team" (created, or adopted
        members: [ada@example.com]    # with adopt); its users are exactly these
        grants: {proj_DataPlatform000000000000: {role: member, roles: [role-api-project-viewer]}}
      ml:
        external_group: ML Engineers  # an existing group (IdP-synced or hand-made), by name or id:
        grants: {proj_WebStorefront00000000000: owner}   # never written to; no `members`

Wherever a project id is taken (grants, ``service_accounts``, ``exclusive``), a declared
project's key is taken too; ``roles`` take a declared role's key in that project. Keys resolve
to ids at ``up``, through the resources' outputs.

Every problem in a spec is reported at once, each under the path where it stands, before
any resource is registered. A field that becomes a resource's input is judged by the rule
that resource declares for it (``judged_as``): the spec, the resource's ``check`` and the
``openai-access`` command that reads a spec say the same words.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Mapping

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..providers import (
    exclusive_organization_access,
    exclusive_project_access,
    group,
    invite,
    project,
    project_role,
    project_user,
    service_account,
)
from ..providers.exclusive_decision import DEFAULT_MAX_REMOVALS
from ..providers.input_checks import PROJECT_ID_PATTERN, ROLE_ID_PATTERN, role_id
from ..providers.resource_schema import Input
from ..providers.shared_inputs import ADOPT, PROJECT, person_problems
from .expiry import Expiry


def judged_as(declared: Input) -> BeforeValidator:
    """The rule a resource declares for one of its inputs, as the validator of the spec field
    that becomes that input: the same words, under the spec's path."""

    def judge(value: Any) -> Any:
        problem = declared.rule.problem(value, required=declared.required) if declared.rule else None
        if problem is not None:
            raise ValueError(problem)
        return value

    return BeforeValidator(judge)


# A declared project's or role's key: it names resources (``{key}/…``), so no slash.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KEY_SHAPE = "letters, digits, '_', '.' and '-', starting with a letter or digit"


def _project_ref(value: str) -> str:
    """A project id, or the key of a project the spec declares (checked against ``projects``
    once the whole spec is read, ``reference_problems``)."""
    if PROJECT.rule.problem(value, required=True) is not None and not KEY_PATTERN.match(value):
        raise ValueError(f"{value!r} is neither a project id such as 'proj_abc123' nor a project key ({KEY_SHAPE})")
    return value


ProjectRef = Annotated[str, AfterValidator(_project_ref)]


def _key(what: str, id_pattern: re.Pattern[str], id_example: str) -> AfterValidator:
    def validate(value: str) -> str:
        if id_pattern.match(value):
            raise ValueError(f"{value!r} looks like a {what} id ({id_example}), and a key must not: a {what} key "
                             "that is also an id would name two things. Use another key")
        if not KEY_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a {what} key: use {KEY_SHAPE}")
        return value

    return AfterValidator(validate)


ProjectKey = Annotated[str, _key("project", PROJECT_ID_PATTERN, "'proj_…'")]
RoleKey = Annotated[str, _key("role", ROLE_ID_PATTERN, "'role_…' or 'role-api-project-…'")]


class AccessSpecError(ValueError):
    """An invalid spec; ``problems`` are "path: what is wrong" lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid access spec:\n  " + "\n  ".join(problems))


class SpecReferenceError(ValueError):
    """Keys that resolve to nothing: found once the whole spec is read, each with its path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Strict):
    """A person, by email, by user id, or both (then the id is what the API is sent)."""

    email: str | None = None
    user_id: str | None = None
    expires: Expiry | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"email": value} if "@" in value else {"user_id": value}
        return value

    @model_validator(mode="after")
    def _check(self) -> "Member":
        problems = person_problems({"email": self.email, "user_id": self.user_id})
        if problems:
            raise ValueError("; ".join(f"{key} {problem}" if key else problem for key, problem in problems))
        return self

    @property
    def key(self) -> str:
        """What names this member's resources: the email in lower case, else the user id."""
        return self.email.casefold() if self.email else str(self.user_id)

    def __str__(self) -> str:
        return self.email or str(self.user_id)


class ProjectGrant(_Strict):
    """A team's membership of one project: ``ProjectUser``'s ``role`` and ``roles``, by its rules."""

    role: Annotated[str, judged_as(project_user.SCHEMA.input("role"))]
    # extra project roles: ids, or keys of roles declared for the project (each judged by
    # ``reference_problems``, which knows both, with ``ProjectUser``'s rule for an id)
    roles: tuple[str, ...] = ()
    expires: Expiry | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"role": value} if isinstance(value, str) else value

    @field_validator("roles")
    @classmethod
    def _once_each(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(roles))


# A group-team's group, named as the ``Group`` resource's ``name`` is (a name, or an id).
GroupName = Annotated[str, judged_as(group.SCHEMA.input("name"))]


class Team(_Strict):
    """People and their project grants: one membership per person and project, or, with
    ``group``, one OpenAI group holding the people and granted the projects; or, with
    ``external_group``, an existing group (never written to) granted the projects."""

    # Declared before `members`, which is checked knowing them (fields validate in order).
    group: GroupName | None = None
    external_group: GroupName | None = None
    members: tuple[Member, ...] = ()
    grants: dict[ProjectRef, ProjectGrant]
    expires: Expiry | None = None

    @field_validator("members")
    @classmethod
    def _some_members(cls, members: tuple[Member, ...], info: ValidationInfo) -> tuple[Member, ...]:
        if not members and info.data.get("group") is None:  # a group may be empty
            raise ValueError("a team needs at least one member")
        return members

    @model_validator(mode="after")
    def _group_keys(self) -> "Team":
        if self.group is not None and self.external_group is not None:
            raise ValueError("give group (a group this stack manages) or external_group (one it only grants "
                             "projects to), not both")
        if self.external_group is not None and self.members:
            raise ValueError(f"an external_group's users are not managed here ({self.external_group!r} is never "
                             "written to): remove members, or make it a `group` this stack manages")
        if self.external_group is None and self.group is None and not self.members:
            raise ValueError("a team needs members (or an external_group)")
        return self

    @property
    def group_reference(self) -> str | None:
        """The OpenAI group this team is (``group``) or grants through (``external_group``)."""
        return self.group if self.group is not None else self.external_group

    @field_validator("grants")
    @classmethod
    def _some_grants(cls, grants: dict[str, ProjectGrant]) -> dict[str, ProjectGrant]:
        if not grants:
            raise ValueError("a team needs at least one project grant")
        return grants


_ACCOUNT = service_account.SCHEMA
_INVITE = invite.SCHEMA
AccountName = Annotated[str, judged_as(_ACCOUNT.input("name"))]


class ServiceAccountSpec(_Strict):
    """One service account and its key: the inputs of ``providers.service_account.ServiceAccount``,
    by its rules."""

    role: Annotated[str, judged_as(_ACCOUNT.input("role"))] = "member"
    key_expires_in_seconds: Annotated[int | None, judged_as(_ACCOUNT.input("key_expires_in_seconds"))] = None
    key_scopes: Annotated[tuple[str, ...] | None, judged_as(_ACCOUNT.input("key_scopes"))] = None
    rotation: Annotated[str | None, judged_as(_ACCOUNT.input("rotation"))] = None
    key_renew_before_seconds: Annotated[int | None, judged_as(_ACCOUNT.input("key_renew_before_seconds"))] = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if value is None:
            return {}  # `deploy-bot:` with nothing after it: every default
        return {"role": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _inputs_together(self) -> "ServiceAccountSpec":
        problems = _ACCOUNT.constraint_problems(self.model_dump())
        if problems:
            raise ValueError("; ".join(problems))
        return self


_PROJECT = project.SCHEMA
_ROLE = project_role.SCHEMA


class ProjectSpec(_Strict):
    """A project the stack creates, or adopts by its exact name: the inputs of
    ``providers.project.Project``, by its rules."""

    name: Annotated[str, judged_as(_PROJECT.input("name"))]
    adopt: Annotated[bool | None, judged_as(ADOPT)] = None  # None: the spec's own ``adopt``
    residency: Annotated[str | None, judged_as(_PROJECT.input("residency"))] = None
    external_key_id: Annotated[str | None, judged_as(_PROJECT.input("external_key_id"))] = None


class RoleSpec(_Strict):
    """A custom project role: the inputs of ``providers.project_role.ProjectRole``, by its
    rules; ``name`` (its ``role_name``) defaults to the role's key."""

    permissions: Annotated[tuple[str, ...], judged_as(_ROLE.input("permissions"))]
    description: Annotated[str | None, judged_as(_ROLE.input("description"))] = None
    name: Annotated[str | None, judged_as(_ROLE.input("role_name"))] = None


_LEAVERS = exclusive_organization_access.SCHEMA


class OrganizationSpec(_Strict):
    """``organization: {exclusive, max_removals}``: with ``exclusive``, one
    ``ExclusiveOrganizationAccess`` removes people the spec declares nowhere (``exclusive_access``)."""

    # Not an input (it decides whether the resource exists): the rule of a flag all the same.
    exclusive: Annotated[bool, judged_as(ADOPT)] = False
    max_removals: Annotated[int, judged_as(_LEAVERS.input("max_removals"))] = DEFAULT_MAX_REMOVALS


class AccessSpec(_Strict):
    projects: dict[ProjectKey, ProjectSpec] = {}
    project_roles: dict[ProjectRef, dict[RoleKey, RoleSpec]] = {}
    teams: dict[str, Team] = {}
    service_accounts: dict[ProjectRef, dict[AccountName, ServiceAccountSpec]] = {}
    adopt: Annotated[bool, judged_as(ADOPT)] = False
    # true: every project the spec grants; or a list of project ids or keys. See ``exclusive_access``.
    exclusive: bool | tuple[ProjectRef, ...] = False
    # per exclusive project and up
    max_removals: Annotated[int, judged_as(exclusive_project_access.SCHEMA.input("max_removals"))] = DEFAULT_MAX_REMOVALS
    # People declared by email who are not in the organization are invited (see ``invites``).
    invite: Annotated[bool, judged_as(project_user.SCHEMA.input("invite"))] = False
    # with invite: the domains invites may go to (each ``Invite``'s ``allowed_domains``)
    invite_domains: Annotated[tuple[str, ...] | None, judged_as(_INVITE.input("allowed_domains"))] = None
    # Leavers: people in the organization the spec declares nowhere are removed from it.
    organization: OrganizationSpec = OrganizationSpec()

    @field_validator("teams")
    @classmethod
    def _team_names(cls, teams: dict[str, Team]) -> dict[str, Team]:
        if any(not name.strip() for name in teams):
            raise ValueError("a team name cannot be empty: name each team (it names nothing in OpenAI, only the "
                             "team in the spec)")
        return teams

    @model_validator(mode="after")
    def _something_declared(self) -> "AccessSpec":
        if not (self.teams or any(self.service_accounts.values()) or self.projects or self.project_roles):
            raise ValueError("the spec needs at least one team, service account, project or project role")
        return self

    @field_validator("exclusive", mode="before")
    @classmethod
    def _exclusive_shape(cls, value: Any) -> Any:
        """One clear message, not one per branch of the union."""
        if isinstance(value, bool):
            return value
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"must be true, false or a list of project ids or keys, got {value!r}")
        bad = [item for item in value if not isinstance(item, str) or (
            PROJECT.rule.problem(item, required=True) is not None and not KEY_PATTERN.match(item))]
        if bad:
            raise ValueError(f"{bad} are neither project ids such as 'proj_abc123' nor project keys")
        return tuple(value)

    @model_validator(mode="after")
    def _exclusive_projects_are_granted(self) -> "AccessSpec":
        if isinstance(self.exclusive, tuple):
            granted = {project_id for team in self.teams.values() for project_id in team.grants}
            missing = [project_id for project_id in self.exclusive if project_id not in granted]
            if missing:
                raise ValueError(
                    f"exclusive: {', '.join(missing)} not granted by any team; an exclusive project where the "
                    "spec declares nobody would lose every member"
                )
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> "AccessSpec":
        problems = reference_problems(self.model_dump())
        if problems:
            raise SpecReferenceError(problems)
        return self

    def role_name(self, project: str, key: str) -> str:
        """The name of the role declared under ``project_roles.{project}.{key}``."""
        return self.project_roles[project][key].name or key

    @property
    def exclusive_projects(self) -> tuple[str, ...]:
        if self.exclusive is True:
            return tuple(sorted({project_id for team in self.teams.values() for project_id in team.grants}))
        return tuple(dict.fromkeys(self.exclusive or ()))


def reference_problems(spec: Mapping[str, Any]) -> list[str]:
    """Every project key used is declared, every role a declared key in its project or a role
    id, and no two declared projects (or roles of one project) share a name: each problem with
    its path. Works on the raw spec too (what is not in the expected shape is left to the
    model's own messages), so that these come out with the others, all at once."""
    problems: list[str] = []

    def mapping(value: Any) -> Mapping[str, Any]:
        return value if isinstance(value, Mapping) else {}

    projects, project_roles = mapping(spec.get("projects")), mapping(spec.get("project_roles"))

    def project(ref: Any, where: str) -> None:
        not_an_id = PROJECT.rule.problem(ref, required=True)  # the resources' own words for an id
        if isinstance(ref, str) and not_an_id is not None and ref not in projects:
            known = f" (declared: {', '.join(sorted(projects))})" if projects else ""
            problems.append(f"{where}: {not_an_id}, nor a project declared under projects{known}")

    names: dict[Any, str] = {}
    for key, declared in projects.items():
        name = mapping(declared).get("name")
        if isinstance(name, str) and name in names:
            problems.append(f"projects.{key}.name: {name!r} is also the name of projects.{names[name]}: two "
                            "declared projects cannot share a name (a name is how a project is adopted)")
        names.setdefault(name, key)
    for ref, roles in project_roles.items():
        project(ref, f"project_roles.{ref}")
        role_names: dict[Any, str] = {}
        for key, role in mapping(roles).items():
            name = mapping(role).get("name") or key
            if name in role_names:
                problems.append(f"project_roles.{ref}.{key}: the role name {name!r} is also that of "
                                f"project_roles.{ref}.{role_names[name]}: role names are unique in a project")
            role_names.setdefault(name, key)
    for team_name, team in mapping(spec.get("teams")).items():
        for ref, grant in mapping(mapping(team).get("grants")).items():
            where = f"teams.{team_name}.grants.{ref}"
            project(ref, where)
            roles = mapping(grant).get("roles") or ()
            for role in roles if isinstance(roles, (list, tuple)) else ():
                if role in mapping(project_roles.get(ref)):
                    continue
                found = role_id.problem(role, required=True)  # ProjectUser's own rule for an id
                if found is not None and not (isinstance(role, str) and ROLE_ID_PATTERN.match(role)):
                    found += f", nor a role declared for {ref} under project_roles"
                if found is not None:
                    problems.append(f"{where}.roles: {found}")
    for ref in mapping(spec.get("service_accounts")):
        project(ref, f"service_accounts.{ref}")
    exclusive = spec.get("exclusive")
    for ref in exclusive if isinstance(exclusive, (list, tuple)) else ():
        project(ref, "exclusive")
    return problems


def parse_access_spec(raw: Mapping[str, Any] | None) -> AccessSpec:
    """The spec, or an ``AccessSpecError`` listing every problem with its path."""
    if raw is None:
        raise AccessSpecError(["(spec): no access spec given"])
    try:
        spec = AccessSpec.model_validate(raw)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            cause = (detail.get("ctx") or {}).get("error")
            if isinstance(cause, SpecReferenceError):
                problems += cause.problems  # with their own paths, one line each
            else:
                problems.append(_problem(detail))
        if not any(isinstance((d.get("ctx") or {}).get("error"), SpecReferenceError) for d in error.errors()):
            # The model stopped at its fields: the references are judged on what was written.
            problems += reference_problems(raw) if isinstance(raw, Mapping) else []
        raise AccessSpecError(problems) from None
    problems = _invite_problems(spec) + _one_team_per_group(spec)
    if problems:
        raise AccessSpecError(problems)
    return spec


def _one_team_per_group(spec: AccessSpec) -> list[str]:
    """Two teams naming one group would fight over its users and grants."""
    problems, first_team = [], {}
    for name, team in spec.teams.items():
        reference = team.group_reference
        if reference is None:
            continue
        key = "group" if team.group is not None else "external_group"
        if reference in first_team:
            problems.append(f"teams.{name}.{key}: group {reference!r} is team {first_team[reference]!r} already; "
                            "one group is one team (merge the two teams)")
        else:
            first_team[reference] = name
    return problems
def _invite_problems(spec: AccessSpec) -> list[str]:
    """``invite_domains`` needs ``invite``; then every person declared by email only (who may
    be invited) must be in those domains: a typo in an address must not send an invite."""
    if spec.invite_domains is None:
        return []
    if not spec.invite:
        return ["invite_domains: a rail of invite: set `invite: true` too, or drop invite_domains"]
    return [
        f"teams.{team_name}.members.{index}: {outside}"
        for team_name, team in spec.teams.items()
        for index, member in enumerate(team.members)
        if member.email and not member.user_id
        for outside in _INVITE.constraint_problems({"email": member.email, "allowed_domains": spec.invite_domains})
    ]


def _problem(detail: Mapping[str, Any]) -> str:
    path = ".".join(str(part) for part in detail["loc"]) or "(spec)"
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "extra_forbidden" and detail["loc"][-1] == "expires":
        message = "cannot carry an expiry: `expires` goes on a team, a member entry or a grant"
    elif detail["type"] == "extra_forbidden":
        message = "is not a field of the spec"
    return f"{path}: {message}"
