"""The declarative access spec: teams, their members, and what each team gets per project.

    adopt: false                      # take over memberships that already exist
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

Every problem in a spec is reported at once, each under the path where it stands, before
any resource is registered. A field that becomes a resource's input is judged by the rule
that resource declares for it (``judged_as``): the spec, the resource's ``check`` and the
``openai-access`` command that reads a spec say the same words.
"""

from __future__ import annotations

from typing import Annotated, Any, Mapping

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator, model_validator

from ..providers import exclusive_organization_access, exclusive_project_access, invite, project_user, service_account
from ..providers.exclusive_decision import DEFAULT_MAX_REMOVALS
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


ProjectId = Annotated[str, judged_as(PROJECT)]


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
    roles: Annotated[tuple[str, ...], judged_as(project_user.SCHEMA.input("roles"))] = ()  # extra project role ids
    expires: Expiry | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"role": value} if isinstance(value, str) else value

    @field_validator("roles")
    @classmethod
    def _once_each(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
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


_LEAVERS = exclusive_organization_access.SCHEMA


class OrganizationSpec(_Strict):
    """``organization: {exclusive, max_removals}``: with ``exclusive``, one
    ``ExclusiveOrganizationAccess`` removes people the spec declares nowhere (``exclusive_access``)."""

    # Not an input (it decides whether the resource exists): the rule of a flag all the same.
    exclusive: Annotated[bool, judged_as(ADOPT)] = False
    max_removals: Annotated[int, judged_as(_LEAVERS.input("max_removals"))] = DEFAULT_MAX_REMOVALS


class AccessSpec(_Strict):
    teams: dict[str, Team] = {}
    service_accounts: dict[ProjectId, dict[AccountName, ServiceAccountSpec]] = {}
    adopt: Annotated[bool, judged_as(ADOPT)] = False
    # true: every project the spec grants; or a list of project ids. See ``exclusive_access``.
    exclusive: bool | tuple[ProjectId, ...] = False
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
        problems = [problem for item in value if (problem := PROJECT.rule.problem(item, required=True))]
        if problems:
            raise ValueError("; ".join(problems))
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
