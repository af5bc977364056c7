"""The component resources: a team's access, and a whole organization's made of teams and
service accounts.

Children are named after what they manage (``{project_id}`` is the project as the spec names
it: an id, or a declared project's key), ``{project_id}/{member}``, one ``ProjectUser`` per
membership with its extra roles in ``roles``, and ``{project_id}/service-account/{name}`` for a
service account, never after a team. A URN holds the
parent's type but not its name, so moving a person between teams, or renaming a team or the
component, leaves every URN, and so OpenAI, untouched.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import datetime as dt

import pulumi

from ..providers.exclusive_decision import DEFAULT_MAX_REMOVALS
from ..providers.exclusive_project_access import ExclusiveProjectAccess
from ..providers.exclusive_organization_access import ExclusiveOrganizationAccess
from ..providers.invite import Invite
from ..providers.project_user import ProjectUser, ProjectUserArgs
from ..providers.service_account import ServiceAccount, ServiceAccountArgs
from .access_spec import AccessSpec, ServiceAccountSpec, Team, parse_access_spec
from .declared_projects import DeclaredProjects
from .exclusive_access import declare_exclusive_access, declare_exclusive_organization
from . import expiry
from .grant_merge import MemberAccess, ending_within, expired_grants, merge_grants
from .group_teams import DeclaredGroup, both_ways, declare_group_team, group_access_summary, group_teams
from .invites import declare_invites, invite_statuses, invited_people


class _AccessComponent(pulumi.ComponentResource):
    """Declares one ProjectUser per merged (project, member) grant, with its extra roles; and
    one ServiceAccount per declared service account."""

    memberships: dict[str, ProjectUser]
    groups: dict[str, DeclaredGroup]  # by team name (group-teams only)
    service_accounts: dict[str, ServiceAccount]
    exclusive_access: dict[str, ExclusiveProjectAccess]  # by project id
    invites: dict[str, Invite]  # by email, with `invite: true`
    exclusive_organization: ExclusiveOrganizationAccess | None  # with organization.exclusive
    # email → {status, invite_id, expires_at}: who was invited and whether they joined
    invite_statuses: pulumi.Output[dict[str, Any]]
    access: pulumi.Output[dict[str, Any]]
    # project → group → {role, roles, team, members (None: external)}
    group_access: pulumi.Output[dict[str, Any]]
    # declared access that ends within ENDING_SOON_DAYS: [{project_id, member, what, ends}]
    access_ending: pulumi.Output[list[dict[str, str]]]
    # project → account name → key: a secret, for the stack to export (or hand on)
    service_account_keys: pulumi.Output[dict[str, dict[str, str]]]

    def __init__(self, type_: str, name: str, spec: AccessSpec, opts: pulumi.ResourceOptions | None,
                 now: dt.datetime | None = None) -> None:
        now = expiry.now() if now is None else now
        grants = merge_grants(spec, now)  # raises on a bad spec before anything is registered
        teams_as_groups = group_teams(spec, now)
        super().__init__(type_, name, None, opts)
        _tell_what_ends(grants, expired_grants(spec, now), now)
        for line in both_ways(teams_as_groups, grants):
            pulumi.log.info(line)
        child_opts = _passed_to_children(opts, parent=self)
        self.declared = DeclaredProjects(spec, child_opts)
        self.memberships = {}
        invited = invited_people(spec, grants)
        for grant in grants:
            self._declare(grant, spec.adopt, grant.member.email in invited, child_opts)
        self.invites = declare_invites(spec, grants, self.declared, child_opts)
        self.invite_statuses = invite_statuses(self.invites)
        self.groups = {team.team: declare_group_team(team, spec.adopt, self.declared, child_opts)
                       for team in teams_as_groups}
        self.service_accounts = {
            service_account_name(project, name): _service_account(
                project, self.declared.project_id(project), name, account, child_opts)
            for project, accounts in spec.service_accounts.items()
            for name, account in accounts.items()
        }
        group_grants = {name: grant for declared in self.groups.values() for name, grant in declared.named_grants()}
        self.exclusive_access = declare_exclusive_access(
            spec, grants, {**self.memberships, **group_grants}, self.declared, child_opts,
            _group_ids_by_project(self.groups))
        self.exclusive_organization = declare_exclusive_organization(
            spec, [*self.memberships.values(), *self.invites.values(), *self.exclusive_access.values(),
                   *(resource for declared in self.groups.values() for resource in declared.resources())],
            child_opts)
        self.access = pulumi.Output.from_input(access_summary(grants))
        self.group_access = pulumi.Output.from_input(group_access_summary(teams_as_groups))
        self.access_ending = pulumi.Output.from_input(ending_within(grants, now))
        self.service_account_keys = pulumi.Output.secret(_keys_by_project(spec, self.service_accounts))
        self.register_outputs({"access": self.access, "group_access": self.group_access,
                               "access_ending": self.access_ending, "invites": self.invite_statuses,
                               "service_account_keys": self.service_account_keys})

    def _declare(self, grant: MemberAccess, adopt: bool, invited: bool, opts: pulumi.ResourceOptions) -> None:
        name = f"{grant.project_id}/{grant.member.key}"
        user = {"user_id": grant.member.user_id} if grant.member.user_id else {"email": grant.member.email}
        # `roles` is always given, [] included: a role dropped from the spec is then unassigned.
        args = ProjectUserArgs(
            project_id=self.declared.project_id(grant.project_id), role=grant.role,
            roles=self.declared.role_ids(grant.project_id, grant.extra_roles), adopt=adopt,
            invite=True if invited else None, **user
        )
        self.memberships[name] = ProjectUser(name, args, opts)


def _group_ids_by_project(groups: Mapping[str, DeclaredGroup]) -> dict[str, list[pulumi.Output[str]]]:
    """By project as the spec writes it, the ids of the groups granted it."""
    by_project: dict[str, list[pulumi.Output[str]]] = {}
    for declared in groups.values():
        for project in declared.grants:
            by_project.setdefault(project, []).append(declared.group.group_id)
    return by_project


def service_account_name(project: str, name: str) -> str:
    """``project`` as the spec writes it: an id, or a declared project's key."""
    return f"{project}/service-account/{name}"


def _service_account(project: str, project_id: pulumi.Input[str], name: str, account: ServiceAccountSpec,
                     opts: pulumi.ResourceOptions) -> ServiceAccount:
    args = ServiceAccountArgs(
        project_id=project_id, name=name, role=account.role, key_expires_in_seconds=account.key_expires_in_seconds,
        key_scopes=None if account.key_scopes is None else list(account.key_scopes), rotation=account.rotation,
        key_renew_before_seconds=account.key_renew_before_seconds,
    )
    return ServiceAccount(service_account_name(project, name), args, opts)


def _keys_by_project(spec: AccessSpec, accounts: Mapping[str, ServiceAccount]) -> pulumi.Output[dict[str, dict[str, Any]]]:
    return pulumi.Output.from_input({
        project_id: {name: accounts[service_account_name(project_id, name)].api_key for name in names}
        for project_id, names in spec.service_accounts.items()
    })


def _tell_what_ends(grants: list[MemberAccess], expired: list[MemberAccess], now: dt.datetime) -> None:
    """The preview's lines about time: what is no longer declared since its end (the next up
    removes it, unless another grant keeps it), and what ends within ENDING_SOON_DAYS."""
    for grant in expired:
        pulumi.log.info(f"{grant.project_id}/{grant.member.key}: access from {', '.join(grant.teams)} ended at "
                        f"{expiry.rfc3339(grant.ends) if grant.ends else '?'} and is no longer declared; "
                        "up removes what no other grant keeps (remove the entry from the spec when done)")
    for item in ending_within(grants, now):
        pulumi.log.info(f"{item['project_id']}/{item['member']}: {item['what']} ends at {item['ends']}")


class TeamAccess(_AccessComponent):
    """One team's members and grants. For several teams that may overlap, use
    ``OrganizationAccess``: it keeps one membership per (project, member).

    ``group``: the team is this OpenAI group (created, or adopted with ``adopt``), its users
    exactly the members; ``external_group``: an existing group (by name or id) that is only
    granted the projects, never written to (no members then)."""

    def __init__(
        self, name: str, team: Team | Mapping[str, Any], *, adopt: bool = False,
        exclusive: bool | Sequence[str] = False, max_removals: int = DEFAULT_MAX_REMOVALS,
        group: str | None = None, external_group: str | None = None,
        opts: pulumi.ResourceOptions | None = None, now: dt.datetime | None = None,
    ) -> None:
        raw_team = dict(team.model_dump(exclude_none=True) if isinstance(team, Team) else team)
        raw_team.update({key: value for key, value in (("group", group), ("external_group", external_group))
                         if value is not None})
        spec = parse_access_spec(
            {"teams": {name: raw_team}, "adopt": adopt, "exclusive": exclusive, "max_removals": max_removals}
        )
        super().__init__("openai-access:index:TeamAccess", name, spec, opts, now)


class OrganizationAccess(_AccessComponent):
    """The whole organization's access, from a spec of teams (see ``access_spec``)."""

    def __init__(
        self, name: str, spec: AccessSpec | Mapping[str, Any], opts: pulumi.ResourceOptions | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        """``now``: the instant that ``expires`` is compared with (default: the clock, or
        ``$OPENAI_ACCESS_NOW``)."""
        parsed = spec if isinstance(spec, AccessSpec) else parse_access_spec(spec)
        super().__init__("openai-access:index:OrganizationAccess", name, parsed, opts, now)


def access_summary(grants: list[MemberAccess]) -> dict[str, dict[str, dict[str, Any]]]:
    """Who has what where: project → member → role, extra roles, the teams granting them, and
    when the membership ends (``ends``, only for one that does)."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for grant in grants:
        entry: dict[str, Any] = {"role": grant.role, "roles": list(grant.extra_roles), "teams": list(grant.teams)}
        if grant.ends is not None:
            entry["ends"] = expiry.rfc3339(grant.ends)
        summary.setdefault(grant.project_id, {})[str(grant.member.key)] = entry
    return summary


def _passed_to_children(opts: pulumi.ResourceOptions | None, *, parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """The component's options that its children must follow too. ``protect`` is inherited
    from the parent by the engine; ``depends_on`` and deletion behaviour are not."""
    opts = opts or pulumi.ResourceOptions()
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=opts.depends_on,
        protect=opts.protect,
        retain_on_delete=opts.retain_on_delete,
        custom_timeouts=opts.custom_timeouts,
    )
