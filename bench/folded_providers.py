"""What-if, for the diagnostics: a membership's extra roles managed by the membership itself.

The project declares one ``UserRoleAssignment`` per extra role, which depends on its
``ProjectUser``. The benchmark shows what that costs: on up, each assignment is registered only
once its membership is created, so the engine queues every assignment behind every membership
and the two endpoints are used one after the other (about twice the bound); on destroy, the
engine deletes all assignments, then all memberships, and spends one request per assignment
that the API would have dropped with the membership anyway.

Here ``ProjectUser`` takes the extra roles as an input, ``roles``: create adds the member and
then assigns its roles (with the user id the add answered: no organization listing for
members named by email), so the provider's threads keep both endpoints busy; read adds the
member's role listing (the same one request per member as now); update assigns and unassigns
the difference; delete removes the member only, and the API drops its roles with it.

Only the benchmark uses this (strategy ``folded``); the type token stays ``ProjectUser``.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from pulumi_openai_access.components import access_component
from pulumi_openai_access.components.grant_merge import MemberAccess
from pulumi_openai_access.providers import project_user
from pulumi_openai_access.providers.resource_inputs import pickler_restored
from pulumi_openai_access.providers.admin_api.behaviour import PROJECT_MEMBER_ROLES
from pulumi_openai_access.providers.input_checks import check_user_in_project
from pulumi_openai_access.providers.input_diff import diff_user_in_project, same_value, split_resource_id
from pulumi_openai_access.providers.role_ids import role_id_matches

OUTPUTS = (*project_user.OUTPUTS, "roles")


def _roles(props: dict[str, Any]) -> list[str]:
    return sorted(set(props.get("roles") or []))


def _same_roles(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    return _roles(olds) == _roles(news)


class FoldedProjectUserProvider(project_user.ProjectUserProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = check_user_in_project(
            news, outputs=OUTPUTS, own_inputs=("role", "roles"),
            check_own=lambda checker: checker.choice("role", PROJECT_MEMBER_ROLES),
        )
        result.inputs["roles"] = _roles(result.inputs)
        return result

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return diff_user_in_project(olds, news, replace_on={},
                                    update_on={"role": same_value("role"), "roles": _same_roles})

    def create(self, props: dict[str, Any]) -> CreateResult:
        result = super().create(props)
        project_id, user_id = props["project_id"], result.outs["user_id"]
        for role_id in _roles(props):
            self.access.assign_role(project_id, user_id, role_id)
        result.outs["roles"] = _roles(props)
        return result

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        result = super().read(id_, props)
        if not result.id:
            return result
        project_id, user_id = split_resource_id(id_, 2)
        assigned = self.access.assigned_roles(project_id, user_id)
        held = [role for role in _roles(props) if any(role_id_matches(role, a.id) for a in assigned)]
        result.outs["roles"] = held
        if result.inputs is not None:
            result.inputs["roles"] = held
        return result

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        result = super().update(id_, olds, news)
        project_id, user_id = split_resource_id(id_, 2)
        old, new = set(_roles(olds)), set(_roles(news))
        for role_id in sorted(new - old):
            self.access.assign_role(project_id, user_id, role_id)
        for role_id in sorted(old - new):
            self.access.unassign_role(project_id, user_id, role_id)
        result.outs = {**(result.outs or {}), "roles": sorted(new)}
        return result


class FoldedProjectUser(project_user.ProjectUser, module="openai", name="ProjectUser"):
    provider_class: type[FoldedProjectUserProvider] = FoldedProjectUserProvider

    def __init__(self, resource_name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        with pickler_restored():
            pulumi.dynamic.Resource.__init__(
                self, self.provider_class(), resource_name, {**{name: None for name in OUTPUTS}, **props}, opts,
            )


def declaring(resource: type[FoldedProjectUser]) -> Any:
    def declare(self: Any, grant: MemberAccess, adopt: bool, opts: pulumi.ResourceOptions) -> None:
        """``_AccessComponent._declare`` for the what-if: one resource per membership, its
        extra roles inside (same name, so the same URN as the real membership)."""
        name = f"{grant.project_id}/{grant.member.key}"
        user = {"user_id": grant.member.user_id} if grant.member.user_id else {"email": grant.member.email}
        self.memberships[name] = resource(
            name, {"project_id": grant.project_id, "role": grant.role, "adopt": adopt,
                   "roles": list(grant.extra_roles), **user}, opts,
        )

    return declare


declare = declaring(FoldedProjectUser)


ORIGINAL_DECLARE = access_component._AccessComponent._declare
