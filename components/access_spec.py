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

Wherever a project id is taken (grants, ``service_accounts``, ``exclusive``), a declared
project's key is taken too; ``roles`` take a declared role's key in that project. Keys resolve
to ids at ``up``, through the resources' outputs.

Every problem in a spec is reported at once, each under the path where it stands, before
any resource is registered.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Mapping

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..providers.exclusive_decision import DEFAULT_MAX_REMOVALS
from ..providers.admin_api.behaviour import PROJECT_RESIDENCIES
from ..providers.input_checks import (
    EMAIL_PATTERN,
    PROJECT_ID_PATTERN,
    ROLE_ID_PATTERN,
    USER_ID_PATTERN,
    Problem,
    role_id_problem,
)
from ..providers.invite import domains_problem, outside_domains
from ..providers.project import PROJECT_NAME_PROBLEM
from ..providers.project_role import PERMISSIONS_PROBLEM, ROLE_NAME_PROBLEM
from .expiry import Expiry

MemberRole = Literal["owner", "member"]
ServiceAccountRole = Literal["owner", "member"]
SERVICE_ACCOUNT_NAME_MAX_LENGTH = 255  # as the ServiceAccount resource checks


# A declared project's or role's key: it names resources (``{key}/…``), so no slash.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KEY_SHAPE = "letters, digits, '_', '.' and '-', starting with a letter or digit"


def _project_ref(value: str) -> str:
    """A project id, or the key of a project the spec declares (checked against ``projects``
    once the whole spec is read)."""
    if not PROJECT_ID_PATTERN.match(value) and not KEY_PATTERN.match(value):
        raise ValueError(f"{value!r} is neither a project id such as 'proj_abc123' nor a project key ({KEY_SHAPE})")
    return value


ProjectRef = Annotated[str, AfterValidator(_project_ref)]


def _judged(problem: Problem) -> AfterValidator:
    """A provider's input rule, used as it is: the spec fails with the resource's own words."""

    def validate(value: Any) -> Any:
        found = problem(value)
        if found is not None:
            raise ValueError(found)
        return value

    return AfterValidator(validate)


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
        if not self.email and not self.user_id:
            raise ValueError("a member needs an email or a user_id")
        if self.email and not EMAIL_PATTERN.match(self.email):
            raise ValueError(f"email {self.email!r} is not an email address")
        if self.user_id and not USER_ID_PATTERN.match(self.user_id):
            raise ValueError(f"user_id {self.user_id!r} is not a user id such as 'user-abc123' (emails need an '@')")
        return self

    @property
    def key(self) -> str:
        """What names this member's resources: the email in lower case, else the user id."""
        return self.email.casefold() if self.email else str(self.user_id)

    def __str__(self) -> str:
        return self.email or str(self.user_id)


class ProjectGrant(_Strict):
    role: MemberRole
    roles: tuple[str, ...] = Field(default=(), description="extra project role ids")
    expires: Expiry | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"role": value} if isinstance(value, str) else value

    @field_validator("roles")
    @classmethod
    def _unique(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        # Role ids, or keys of roles declared for the project: judged by ``AccessSpec``, which knows both.
        return tuple(dict.fromkeys(roles))


class Team(_Strict):
    members: tuple[Member, ...]
    grants: dict[ProjectRef, ProjectGrant]
    expires: Expiry | None = None

    @field_validator("members")
    @classmethod
    def _some_members(cls, members: tuple[Member, ...]) -> tuple[Member, ...]:
        if not members:
            raise ValueError("a team needs at least one member")
        return members

    @field_validator("grants")
    @classmethod
    def _some_grants(cls, grants: dict[str, ProjectGrant]) -> dict[str, ProjectGrant]:
        if not grants:
            raise ValueError("a team needs at least one project grant")
        return grants


def _account_name(value: str) -> str:
    if not value.strip():
        raise ValueError("a service account name cannot be empty")
    if len(value) > SERVICE_ACCOUNT_NAME_MAX_LENGTH:
        raise ValueError(f"a service account name has at most {SERVICE_ACCOUNT_NAME_MAX_LENGTH} characters")
    return value


AccountName = Annotated[str, AfterValidator(_account_name)]


class ServiceAccountSpec(_Strict):
    """One service account and its key (see ``providers.service_account.ServiceAccount``)."""

    role: ServiceAccountRole = "member"
    key_expires_in_seconds: PositiveInt | None = None
    key_scopes: tuple[StrictStr, ...] | None = None
    rotation: StrictStr | None = None
    key_renew_before_seconds: PositiveInt | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if value is None:
            return {}  # `deploy-bot:` with nothing after it: every default
        return {"role": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _renewal_within_the_lifetime(self) -> "ServiceAccountSpec":
        renew, expires = self.key_renew_before_seconds, self.key_expires_in_seconds
        if renew is not None and expires is None:
            raise ValueError("key_renew_before_seconds needs key_expires_in_seconds: a key that never expires "
                             "is never renewed")
        if renew is not None and expires is not None and renew >= expires:
            raise ValueError(f"key_renew_before_seconds ({renew}) must be less than key_expires_in_seconds "
                             f"({expires}), or every up would make a new key")
        return self


class ProjectSpec(_Strict):
    """A project the stack creates, or adopts by its exact name (see ``providers.project.Project``)."""

    name: Annotated[str, _judged(PROJECT_NAME_PROBLEM)]
    adopt: bool | None = None  # None: the spec's own ``adopt``
    residency: Literal[PROJECT_RESIDENCIES] | None = None  # type: ignore[valid-type]
    external_key_id: StrictStr | None = None


class RoleSpec(_Strict):
    """A custom project role (see ``providers.project_role.ProjectRole``); ``name`` defaults to its key."""

    permissions: Annotated[tuple[StrictStr, ...], _judged(PERMISSIONS_PROBLEM)]
    description: StrictStr | None = None
    name: Annotated[str, _judged(ROLE_NAME_PROBLEM)] | None = None

    @field_validator("permissions", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        found = PERMISSIONS_PROBLEM(value)
        if found is not None:
            raise ValueError(found)  # before pydantic's own per-item messages
        return value


class AccessSpec(_Strict):
    projects: dict[ProjectKey, ProjectSpec] = {}
    project_roles: dict[ProjectRef, dict[RoleKey, RoleSpec]] = {}
    teams: dict[str, Team] = {}
    service_accounts: dict[ProjectRef, dict[AccountName, ServiceAccountSpec]] = {}
    adopt: bool = False
    # true: every project the spec grants; or a list of project ids or keys. See ``exclusive_access``.
    exclusive: bool | tuple[ProjectRef, ...] = False
    max_removals: int = Field(default=DEFAULT_MAX_REMOVALS, ge=0, description="per exclusive project and up")
    # People declared by email who are not in the organization are invited (see ``invites``).
    invite: StrictBool = False
    invite_domains: tuple[str, ...] | None = None

    @field_validator("invite_domains", mode="before")
    @classmethod
    def _domain_names(cls, value: Any) -> Any:
        problem = None if value is None else domains_problem(value)
        if problem:
            raise ValueError(problem)
        return value

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
        bad = [item for item in value if not (isinstance(item, str) and
                                              (PROJECT_ID_PATTERN.match(item) or KEY_PATTERN.match(item)))]
        if bad:
            raise ValueError(f"{bad} are neither project ids such as 'proj_abc123' nor project keys")
        return tuple(value)

    @field_validator("max_removals", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"must be a whole number of at least 0, got {value!r}")
        return value

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
        if isinstance(ref, str) and not PROJECT_ID_PATTERN.match(ref) and ref not in projects:
            known = f"; declared: {', '.join(sorted(projects))}" if projects else ""
            problems.append(f"{where}: {ref!r} is neither a project id such as 'proj_abc123' nor a project "
                            f"declared under projects{known}")

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
                found = role_id_problem(role)  # the provider's own rule, so that the spec fails first
                if found is not None and not (isinstance(role, str) and ROLE_ID_PATTERN.match(role)):
                    found = (f"{role!r} is neither a role declared for {ref} under project_roles nor a project "
                             "role id such as 'role-api-project-viewer'")
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
    problems = _invite_problems(spec)
    if problems:
        raise AccessSpecError(problems)
    return spec


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
        for outside in [outside_domains(member.email, spec.invite_domains)] if outside
    ]


def _problem(detail: Mapping[str, Any]) -> str:
    path = ".".join(str(part) for part in detail["loc"]) or "(spec)"
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "literal_error":
        # pydantic's "expected" reads "'owner' or 'member'" (or a longer list with commas)
        message = f"must be {(detail.get('ctx') or {}).get('expected')}, got {detail.get('input')!r}"
    elif detail["type"] == "greater_than":
        message = f"must be a whole number of seconds above zero, got {detail.get('input')!r}"
    elif detail["type"] == "extra_forbidden" and detail["loc"][-1] == "expires":
        message = "cannot carry an expiry: `expires` goes on a team, a member entry or a grant"
    elif detail["type"] == "extra_forbidden":
        message = "is not a field of the spec"
    return f"{path}: {message}"
