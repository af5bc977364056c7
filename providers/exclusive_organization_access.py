"""``ExclusiveOrganizationAccess``: leavers removed from the organization, with rails.

It removes from the organization (``DELETE /organization/users/{user_id}``) every user that
the stack declares nowhere; it never adds anyone. Its ``read`` records who is undeclared right
now, so that after a refresh the preview plans an update and names who goes. The decision and
its rails live in ``organization_decision``: never an organization owner, a service account's
user or a user the identity provider manages (SCIM); never someone declared (``members``: every
person of every team, group team and invite); more than ``max_removals`` removes nobody and
lists them; a listing that fails or is incomplete removes nobody (everything is listed before
the first removal); deleting the resource (exclusivity turned off, or the stack destroyed)
removes nobody.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.exclusive_organization_access.ExclusiveOrganizationAccessProvider``
and the resource type is ``pulumi-python:dynamic/openai:ExclusiveOrganizationAccess``.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .base_provider import AdminApiProvider
from .exclusive_decision import DEFAULT_MAX_REMOVALS
from .exclusive_project_access import MemberList, RecordedByRead, normalize_members
from .input_checks import whole_number
from .organization_decision import DeclaredPerson, OrganizationDecision, OrganizationUser, decide_organization
from .resource_inputs import AdminApiResource
from .resource_schema import Input, Output, ResourceSchema

_log = logging.getLogger(__name__)
RESOURCE_ID = "organization"

SCHEMA = ResourceSchema(
    inputs=(
        MemberList("members", list[dict[str, Any]],
                   "Everyone the stack declares anywhere, by `user_id` and/or `email`: nobody of them is removed.",
                   required=True, normalize=normalize_members),
        Input("max_removals", int,
              f"The most people one up may remove from the organization; more fails before removing anyone, "
              f"naming them (0: a dry run). Default {DEFAULT_MAX_REMOVALS}.",
              rule=whole_number(at_least=0), normalize=int, default=DEFAULT_MAX_REMOVALS),
        RecordedByRead("undeclared_users",
                       "People the last refresh found in the organization and declared nowhere (email, name, role, "
                       "user id): who the next up removes from the organization."),
    ),
    outputs=(
        Output("kept", list[dict[str, Any]], "Undeclared people a rail keeps (owners, service accounts' users, "
                                              "SCIM-managed users), with the reason."),
    ),
)


class ExclusiveOrganizationAccessProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # The plain preview shows only the names of changed properties: say who goes.
        if olds.get("undeclared_users"):
            _log.warning("the organization is exclusive; as of the last refresh, up removes from it: %s",
                         ", ".join(_person_text(user) for user in olds["undeclared_users"]))
        dropped = _dropped(olds.get("members") or [], news.get("members") or [])
        if dropped:
            _log.warning("the organization is exclusive; no longer declared anywhere, up removes from it (unless a "
                         "rail keeps them: owners, service accounts, SCIM-managed users): %s", ", ".join(dropped))
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(RESOURCE_ID, self._enforce(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outputs = _outputs(props, self._decide(props), recorded=True)
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._enforce(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Ending exclusivity (the option dropped, or the stack destroyed) removes nobody.
        _log.info("the organization is no longer exclusive; nobody was removed")

    def _decide(self, props: Mapping[str, Any]) -> OrganizationDecision:
        """Every user listed, every page, before anything is decided: a failed or incomplete
        listing raises here, and nobody is removed."""
        users = [OrganizationUser.of(user) for user in self.access.organization_users()]
        declared = [DeclaredPerson(m.get("user_id") or None, m.get("email") or None) for m in props["members"]]
        return decide_organization(declared, users, int(props["max_removals"]))

    def _enforce(self, props: Mapping[str, Any]) -> dict[str, Any]:
        decision = self._decide(props)
        if decision.problems:
            raise ValueError("\n".join(decision.problems))
        for user in decision.removals:
            self.access.remove_from_organization(user.user_id)
            _log.info("removed %s from the organization: declared nowhere", user)
        return _outputs(props, decision, recorded=False)


def _outputs(props: Mapping[str, Any], decision: OrganizationDecision, *, recorded: bool) -> dict[str, Any]:
    """``recorded``: who is still to remove (read); else nobody is left (after removing)."""
    return {
        "members": props["members"],
        "max_removals": props["max_removals"],
        "undeclared_users": [_person(user) for user in decision.removals] if recorded else [],
        "kept": [{**_person(kept.user), "reason": kept.reason} for kept in decision.kept],
    }


def _dropped(olds: list[Mapping[str, Any]], news: list[Mapping[str, Any]]) -> list[str]:
    """People declared before and no longer (by email or user id)."""
    still = {str(value).casefold() for member in news for value in (member.get("email"), member.get("user_id")) if value}
    return [str(member.get("email") or member.get("user_id")) for member in olds
            if not any(str(value).casefold() in still for value in (member.get("email"), member.get("user_id")) if value)]


def _person(user: OrganizationUser) -> dict[str, Any]:
    return {"email": user.email, "name": user.name, "role": user.role, "user_id": user.user_id}


def _person_text(person: Mapping[str, Any]) -> str:
    details = ", ".join(filter(None, (person.get("name"), person.get("role"))))
    who = person.get("email") or person["user_id"]
    return f"{who} ({details})" if details else who


ExclusiveOrganizationAccessArgs = SCHEMA.args_class(
    "ExclusiveOrganizationAccessArgs",
    "Inputs of an ``ExclusiveOrganizationAccess``: everyone the stack declares, and the most removals one ``up`` "
    "may make.",
)


class ExclusiveOrganizationAccess(
    AdminApiResource,
    module="openai", name="ExclusiveOrganizationAccess",
    schema=SCHEMA, args=ExclusiveOrganizationAccessArgs, provider=ExclusiveOrganizationAccessProvider,
):
    """Authoritative over the organization's people: removes from the organization every user
    that ``members`` does not declare, within the rails. Never adds. Its id is ``organization``.
    One per organization, in the stack that declares everyone; never next to an identity
    provider that manages membership (SCIM users are left to it)."""
