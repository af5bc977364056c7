"""The declarative access spec: teams, their members, and what each team gets per project.

    adopt: false                      # take over memberships that already exist
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

Every problem in a spec is reported at once, each under the path where it stands, before
any resource is registered.
"""

from __future__ import annotations

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
from ..providers.input_checks import EMAIL_PATTERN, PROJECT_ID_PATTERN, USER_ID_PATTERN, role_id_problem
from ..providers.invite import domains_problem, outside_domains
from .expiry import Expiry

MemberRole = Literal["owner", "member"]
ServiceAccountRole = Literal["owner", "member"]
SERVICE_ACCOUNT_NAME_MAX_LENGTH = 255  # as the ServiceAccount resource checks


def _project_id(value: str) -> str:
    if not PROJECT_ID_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a project id such as 'proj_abc123'")
    return value


ProjectId = Annotated[str, AfterValidator(_project_id)]


class AccessSpecError(ValueError):
    """An invalid spec; ``problems`` are "path: what is wrong" lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid access spec:\n  " + "\n  ".join(problems))


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
    def _role_ids(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        problems = [problem for role in roles if (problem := role_id_problem(role))]
        if problems:
            raise ValueError("; ".join(problems))  # the provider's own rule, so that the spec fails first
        return tuple(dict.fromkeys(roles))


class Team(_Strict):
    members: tuple[Member, ...]
    grants: dict[ProjectId, ProjectGrant]
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


class AccessSpec(_Strict):
    teams: dict[str, Team] = {}
    service_accounts: dict[ProjectId, dict[AccountName, ServiceAccountSpec]] = {}
    adopt: bool = False
    # true: every project the spec grants; or a list of project ids. See ``exclusive_access``.
    exclusive: bool | tuple[ProjectId, ...] = False
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
        if not self.teams and not any(self.service_accounts.values()):
            raise ValueError("the spec needs at least one team or service account")
        return self

    @field_validator("exclusive", mode="before")
    @classmethod
    def _exclusive_shape(cls, value: Any) -> Any:
        """One clear message, not one per branch of the union."""
        if isinstance(value, bool):
            return value
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"must be true, false or a list of project ids, got {value!r}")
        bad = [item for item in value if not (isinstance(item, str) and PROJECT_ID_PATTERN.match(item))]
        if bad:
            raise ValueError(f"{bad} are not project ids such as 'proj_abc123'")
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

    @property
    def exclusive_projects(self) -> tuple[str, ...]:
        if self.exclusive is True:
            return tuple(sorted({project_id for team in self.teams.values() for project_id in team.grants}))
        return tuple(dict.fromkeys(self.exclusive or ()))


def parse_access_spec(raw: Mapping[str, Any] | None) -> AccessSpec:
    """The spec, or an ``AccessSpecError`` listing every problem with its path."""
    if raw is None:
        raise AccessSpecError(["(spec): no access spec given"])
    try:
        spec = AccessSpec.model_validate(raw)
    except ValidationError as error:
        raise AccessSpecError([_problem(detail) for detail in error.errors()]) from None
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
        message = f"must be 'owner' or 'member', got {detail.get('input')!r}"
    elif detail["type"] == "greater_than":
        message = f"must be a whole number of seconds above zero, got {detail.get('input')!r}"
    elif detail["type"] == "extra_forbidden" and detail["loc"][-1] == "expires":
        message = "cannot carry an expiry: `expires` goes on a team, a member entry or a grant"
    elif detail["type"] == "extra_forbidden":
        message = "is not a field of the spec"
    return f"{path}: {message}"
