"""``ExclusiveProjectAccess``: the authoritative resource of one project.

It removes, from one project, every membership and extra role assignment that the stack does
not declare there; it never adds (``ProjectUser`` and ``UserRoleAssignment`` do that, and it
runs after them). Its ``read`` records who is undeclared right now, as inputs, so that after
a refresh the diff plans an update and the preview shows by name who and what will go. The
decision and its rails live in ``exclusive_decision``; this module lists, and writes.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.exclusive_project_access.ExclusiveProjectAccessProvider`` and
the resource type is ``pulumi-python:dynamic/openai:ExclusiveProjectAccess``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .base_provider import AdminApiProvider
from .exclusive_decision import DEFAULT_MAX_REMOVALS, Decision, DeclaredMember, LiveMember, LiveRole, Organization, decide
from .input_checks import (
    EMAIL_PATTERN, PROJECT_ID_PATTERN, ROLE_ID_PATTERN, USER_ID_PATTERN, InputChecker, is_given, is_unknown,
)
from .resource_inputs import AdminApiResource, choose_args

_log = logging.getLogger(__name__)

# Set by read (the live list), always [] in the program: their diff is what preview shows.
RECORDED = ("undeclared_members", "undeclared_roles")
INPUTS = ("project_id", "members", "max_removals", *RECORDED)
OUTPUTS = (*INPUTS, "kept")


class ExclusiveProjectAccessProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checker = InputChecker(news)
        checker.unknown_properties(INPUTS)
        checker.text("project_id", PROJECT_ID_PATTERN, "an OpenAI project id such as 'proj_abc123'")
        inputs: dict[str, Any] = {
            "project_id": news.get("project_id"),
            "members": _checked_members(checker, news.get("members")),
            "max_removals": _checked_max_removals(checker, news.get("max_removals")),
        }
        for prop in RECORDED:
            if news.get(prop):
                checker.fail(prop, f"{prop} is recorded by refresh (who is undeclared now), not set by a program")
            inputs[prop] = []
        return CheckResult(inputs, checker.failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [
            prop for prop in ("project_id", "members", "max_removals")
            if is_unknown(news.get(prop)) or olds.get(prop) != news.get(prop)
        ]
        pending = [prop for prop in RECORDED if olds.get(prop)]
        if pending:
            _log.warning("%s", _pending_text(olds))
        replaces = ["project_id"] if "project_id" in changed else []
        return DiffResult(changes=bool(changed or pending), replaces=replaces, stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["project_id"], self._enforce(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        decision = self._decide({**props, "project_id": id_})
        outputs = _outputs({**props, "project_id": id_}, decision, recorded=True)
        return ReadResult(id_, outputs, {prop: outputs[prop] for prop in INPUTS})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._enforce(news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        # Ending exclusivity (the option dropped, or the stack destroyed) removes nobody.
        _log.info("project %s is no longer exclusive; nobody was removed", id_)

    # --- listing, deciding, removing ----------------------------------------------------------
    def _decide(self, props: Mapping[str, Any]) -> Decision:
        """Lists everything first (organization, members, each member's roles): a listing that
        fails raises here, before any removal."""
        project_id = props["project_id"]
        access = self.access
        organization_users = access.organization_users()
        organization = Organization(
            owners=frozenset(user.id for user in organization_users if user.role == "owner"),
            service_accounts=frozenset(
                user.id for user in organization_users if getattr(user, "is_service_account", False)
            ),
            ids_by_email={user.email.casefold(): user.id for user in organization_users if user.email},
        )
        live = [
            LiveMember(
                member.id, member.email, member.name, member.role,
                tuple(
                    LiveRole(role.id, role.name, inherited=bool(role.assignment_sources))
                    for role in access.assigned_roles(project_id, member.id)
                ),
            )
            for member in access.project_members(project_id)
        ]
        return decide(project_id, _declared(props["members"]), live, organization, int(props["max_removals"]))

    def _enforce(self, props: Mapping[str, Any]) -> dict[str, Any]:
        project_id = props["project_id"]
        decision = self._decide(props)
        if decision.problems:
            raise ValueError("\n".join(decision.problems))
        for removal in decision.members:
            self.access.remove_member(project_id, removal.member.user_id)
            _log.info("project %s: removed %s, undeclared", project_id, removal.member)
        for role_removal in decision.roles:
            self.access.unassign_role(project_id, role_removal.member.user_id, role_removal.role.role_id)
            _log.info("project %s: unassigned role %s of %s, undeclared", project_id, role_removal.role.role_id,
                      role_removal.member)
        return _outputs(props, decision, recorded=False)


def _outputs(props: Mapping[str, Any], decision: Decision, *, recorded: bool) -> dict[str, Any]:
    """``recorded``: the undeclared still to remove (read); else none are left (after removing)."""
    outputs = {prop: props[prop] for prop in ("project_id", "members", "max_removals")}
    outputs["undeclared_members"] = [
        {**_person(r.member), "role": r.member.role, "roles": [role.role_id for role in r.member.roles]}
        for r in decision.members
    ] if recorded else []
    outputs["undeclared_roles"] = [
        {**_person(r.member), "role_id": r.role.role_id, "role_name": r.role.name} for r in decision.roles
    ] if recorded else []
    outputs["kept"] = [{**_person(k.member), "reason": k.reason} for k in decision.kept]
    return outputs


def _person(member: LiveMember) -> dict[str, Any]:
    return {"email": member.email, "name": member.name, "user_id": member.user_id}


def _pending_text(outputs: Mapping[str, Any]) -> str:
    people = [
        f"{m.get('email') or m['user_id']} ({', '.join(filter(None, (m.get('name'), m.get('role'))))})"
        for m in outputs.get("undeclared_members") or []
    ]
    roles = [f"{r['role_id']} of {r.get('email') or r['user_id']}" for r in outputs.get("undeclared_roles") or []]
    parts = [f"members {', '.join(people)}" if people else "", f"roles {', '.join(roles)}" if roles else ""]
    return (f"project {outputs.get('project_id')} is exclusive; as of the last refresh, up removes the undeclared "
            + "; ".join(part for part in parts if part))


def _declared(members: Sequence[Mapping[str, Any]]) -> list[DeclaredMember]:
    return [
        DeclaredMember(
            user_id=member.get("user_id") or None,
            email=member.get("email") or None,
            roles=None if member.get("roles") is None else tuple(member["roles"]),
        )
        for member in members
    ]


def _checked_members(checker: InputChecker, members: Any) -> Any:
    """Each member by ``user_id`` and/or ``email`` with optional ``roles`` (a list of extra
    role ids; absent or null: their extra roles are not managed). Emails are kept in lower
    case, so that a change of letter case is no change."""
    if is_unknown(members):
        return members
    if not isinstance(members, (list, tuple)):
        checker.fail("members", "members must be a list of {user_id and/or email, roles}")
        return []
    normalized = []
    for index, member in enumerate(members):
        where = f"members[{index}]"
        if not isinstance(member, Mapping) or not (is_given(member.get("user_id")) or is_given(member.get("email"))):
            checker.fail("members", f"{where} needs a user_id or an email")
            continue
        unknown = sorted(set(member) - {"user_id", "email", "roles"})
        if unknown:
            checker.fail("members", f"{where}: {', '.join(unknown)} not allowed; a member has user_id, email, roles")
        entry: dict[str, Any] = {}
        for prop, pattern, allowed in (("user_id", USER_ID_PATTERN, "a user id"), ("email", EMAIL_PATTERN, "an email")):
            value = member.get(prop)
            if is_given(value) and not is_unknown(value) and not (isinstance(value, str) and pattern.match(value)):
                checker.fail("members", f"{where}.{prop} {value!r} is not {allowed}")
            if is_given(value):
                entry[prop] = value.casefold() if prop == "email" and isinstance(value, str) else value
        roles = member.get("roles")
        if roles is not None and not is_unknown(roles):
            bad = [
                role for role in roles
                if not is_unknown(role) and not (isinstance(role, str) and ROLE_ID_PATTERN.match(role))
            ]
            if isinstance(roles, str) or bad:
                checker.fail("members", f"{where}.roles must be a list of project role ids, got {roles!r}")
            else:
                entry["roles"] = sorted(set(roles))
        normalized.append(entry)
    return sorted(normalized, key=lambda entry: (entry.get("user_id") or "", entry.get("email") or ""))


def _checked_max_removals(checker: InputChecker, value: Any) -> Any:
    if value is None:
        return DEFAULT_MAX_REMOVALS
    if is_unknown(value):
        return value
    # Numbers arrive as floats from the engine (pulumi/pulumi#13830).
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != int(value):
        checker.fail("max_removals", f"max_removals must be a whole number of at least 0, got {value!r}")
        return DEFAULT_MAX_REMOVALS
    return int(value)


@dataclass
class ExclusiveProjectAccessArgs:
    """Inputs of an ``ExclusiveProjectAccess``: the project, everyone the stack declares in it
    (``{"user_id"|"email": ..., "roles": [...]}``; without ``roles`` their extra roles are left
    alone), and the most removals one ``up`` may make there."""

    project_id: pulumi.Input[str]
    members: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]]
    max_removals: pulumi.Input[int] | None = None


class ExclusiveProjectAccess(AdminApiResource, module="openai", name="ExclusiveProjectAccess"):
    """Authoritative over one project: removes every member and extra role assignment that
    ``members`` does not declare. Never adds. Its id is the project id. Make it depend on the
    stack's memberships and role assignments of that project. One per project, and never
    next to another stack's ``ExclusiveProjectAccess`` of the same project: they would fight."""

    project_id: pulumi.Output[str]
    members: pulumi.Output[list[dict[str, Any]]]
    max_removals: pulumi.Output[int]
    undeclared_members: pulumi.Output[list[dict[str, Any]]]
    """Members the last refresh found undeclared: who the next ``up`` removes."""
    undeclared_roles: pulumi.Output[list[dict[str, Any]]]
    """Extra role assignments of declared members the last refresh found undeclared."""
    kept: pulumi.Output[list[dict[str, Any]]]
    """Undeclared people kept by a rail (organization owners, service accounts), with why."""

    def __init__(
        self,
        resource_name: str,
        args: ExclusiveProjectAccessArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        project_id: pulumi.Input[str] | None = None,
        members: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]] | None = None,
        max_removals: pulumi.Input[int] | None = None,
    ) -> None:
        chosen = choose_args(
            ExclusiveProjectAccessArgs, args, dict(project_id=project_id, members=members, max_removals=max_removals)
        )
        self._register(ExclusiveProjectAccessProvider(), resource_name, chosen, OUTPUTS, opts)
