"""The component resources: a team's access, and a whole organization's made of teams and
service accounts.

Children are named after what they manage, ``{project_id}/{member}``, one ``ProjectUser`` per
membership with its extra roles in ``roles``, and ``{project_id}/service-account/{name}`` for a
service account, never after a team. A URN holds the
parent's type but not its name, so moving a person between teams, or renaming a team or the
component, leaves every URN, and so OpenAI, untouched.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi

from ..providers.exclusive_decision import DEFAULT_MAX_REMOVALS
from ..providers.exclusive_project_access import ExclusiveProjectAccess
from ..providers.project_user import ProjectUser, ProjectUserArgs
from ..providers.service_account import ServiceAccount, ServiceAccountArgs
from .access_spec import AccessSpec, ServiceAccountSpec, Team, parse_access_spec
from .exclusive_access import declare_exclusive_access
from .grant_merge import MemberAccess, merge_grants


class _AccessComponent(pulumi.ComponentResource):
    """Declares one ProjectUser per merged (project, member) grant, with its extra roles; and
    one ServiceAccount per declared service account."""

    memberships: dict[str, ProjectUser]
    service_accounts: dict[str, ServiceAccount]
    exclusive_access: dict[str, ExclusiveProjectAccess]  # by project id
    access: pulumi.Output[dict[str, Any]]
    # project → account name → key: a secret, for the stack to export (or hand on)
    service_account_keys: pulumi.Output[dict[str, dict[str, str]]]

    def __init__(self, type_: str, name: str, spec: AccessSpec, opts: pulumi.ResourceOptions | None) -> None:
        grants = merge_grants(spec)  # raises on a bad spec before anything is registered
        super().__init__(type_, name, None, opts)
        child_opts = _passed_to_children(opts, parent=self)
        self.memberships = {}
        for grant in grants:
            self._declare(grant, spec.adopt, child_opts)
        self.service_accounts = {
            service_account_name(project_id, name): _service_account(project_id, name, account, child_opts)
            for project_id, accounts in spec.service_accounts.items()
            for name, account in accounts.items()
        }
        self.exclusive_access = declare_exclusive_access(spec, grants, self.memberships, child_opts)
        self.access = pulumi.Output.from_input(access_summary(grants))
        self.service_account_keys = pulumi.Output.secret(_keys_by_project(spec, self.service_accounts))
        self.register_outputs({"access": self.access, "service_account_keys": self.service_account_keys})

    def _declare(self, grant: MemberAccess, adopt: bool, opts: pulumi.ResourceOptions) -> None:
        name = f"{grant.project_id}/{grant.member.key}"
        user = {"user_id": grant.member.user_id} if grant.member.user_id else {"email": grant.member.email}
        # `roles` is always given, [] included: a role dropped from the spec is then unassigned.
        args = ProjectUserArgs(
            project_id=grant.project_id, role=grant.role, roles=list(grant.extra_roles), adopt=adopt, **user
        )
        self.memberships[name] = ProjectUser(name, args, opts)


def service_account_name(project_id: str, name: str) -> str:
    return f"{project_id}/service-account/{name}"


def _service_account(project_id: str, name: str, account: ServiceAccountSpec,
                     opts: pulumi.ResourceOptions) -> ServiceAccount:
    args = ServiceAccountArgs(
        project_id=project_id, name=name, role=account.role, key_expires_in_seconds=account.key_expires_in_seconds,
        key_scopes=None if account.key_scopes is None else list(account.key_scopes), rotation=account.rotation,
        key_renew_before_seconds=account.key_renew_before_seconds,
    )
    return ServiceAccount(service_account_name(project_id, name), args, opts)


def _keys_by_project(spec: AccessSpec, accounts: Mapping[str, ServiceAccount]) -> pulumi.Output[dict[str, dict[str, Any]]]:
    return pulumi.Output.from_input({
        project_id: {name: accounts[service_account_name(project_id, name)].api_key for name in names}
        for project_id, names in spec.service_accounts.items()
    })


class TeamAccess(_AccessComponent):
    """One team's members and grants. For several teams that may overlap, use
    ``OrganizationAccess``: it keeps one membership per (project, member)."""

    def __init__(
        self, name: str, team: Team | Mapping[str, Any], *, adopt: bool = False,
        exclusive: bool | Sequence[str] = False, max_removals: int = DEFAULT_MAX_REMOVALS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        raw_team = team.model_dump() if isinstance(team, Team) else team
        spec = parse_access_spec(
            {"teams": {name: raw_team}, "adopt": adopt, "exclusive": exclusive, "max_removals": max_removals}
        )
        super().__init__("openai-access:index:TeamAccess", name, spec, opts)


class OrganizationAccess(_AccessComponent):
    """The whole organization's access, from a spec of teams (see ``access_spec``)."""

    def __init__(
        self, name: str, spec: AccessSpec | Mapping[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        parsed = spec if isinstance(spec, AccessSpec) else parse_access_spec(spec)
        super().__init__("openai-access:index:OrganizationAccess", name, parsed, opts)


def access_summary(grants: list[MemberAccess]) -> dict[str, dict[str, dict[str, Any]]]:
    """Who has what where: project → member → role, extra roles and the teams granting them."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for grant in grants:
        summary.setdefault(grant.project_id, {})[str(grant.member.key)] = {
            "role": grant.role,
            "roles": list(grant.extra_roles),
            "teams": list(grant.teams),
        }
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
