"""``ExclusiveProjectAccess``: the authoritative resource of one project.

It removes, from one project, every membership, extra role assignment and group grant (the
grant, never the group's users) that the stack does not declare there; it never adds (``ProjectUser`` and ``UserRoleAssignment`` do that, and it
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

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .base_provider import AdminApiProvider
from .exclusive_decision import (
    DEFAULT_MAX_REMOVALS,
    Decision,
    DeclaredMember,
    LiveGroupGrant,
    LiveMember,
    LiveRole,
    OrganizationPeople,
    decide,
)
from .input_checks import InputChecker, is_given, is_unknown, role_id_list, text_list, whole_number
from .project import created_in_this_run
from .resource_inputs import AdminApiResource
from .resource_schema import Input, Output, ResourceSchema
from .shared_inputs import PROJECT, person_problems

_log = logging.getLogger(__name__)
NOTHING_TO_REMOVE = Decision(members=(), roles=(), kept=(), problems=())


@dataclass(frozen=True)
class MemberList(Input):
    """``members``: each person by ``user_id`` and/or ``email`` (the rules of ``shared_inputs``),
    with optional ``roles`` (the rule of ``ProjectUser``'s ``roles``). Every problem is a
    failure of ``members``, under the member's index."""

    def check(self, checker: InputChecker) -> None:
        prop = self.name
        members = checker.value(prop)
        if is_unknown(members):
            return
        if members is None:
            checker.fail(prop, f"{prop} is required: everyone the stack declares in the project, [] for nobody")
            return
        if not isinstance(members, (list, tuple)):
            checker.fail(prop, f"{prop} must be a list of {{user_id and/or email, roles}}, got {members!r}")
            return
        for index, member in enumerate(members):
            if not is_unknown(member):
                for problem in _member_problems(member):
                    checker.fail(prop, f"{prop}[{index}]{problem}")


def _member_problems(member: Any) -> list[str]:
    """What is wrong with one member, each in words that follow its place in the list."""
    person = person_problems(member) if isinstance(member, Mapping) else [(None, "needs a user_id or an email")]
    if person and person[0][0] is None:
        return [f" {person[0][1]}"]
    problems = []
    unknown = sorted(set(member) - {"user_id", "email", "roles"})
    if unknown:
        problems.append(f": {', '.join(unknown)} not allowed; a member has user_id, email, roles")
    problems += [f".{key} {problem}" for key, problem in person]
    roles = role_id_list.problem(member.get("roles"))
    if roles is not None:
        problems.append(f".roles {roles}")
    return problems


def normalize_members(members: Any) -> Any:
    """Emails in lower case (a change of letter case is no change), roles sorted and unique,
    absent ``roles`` left absent (their extra roles are not managed); in a stable order.
    What the check refused is passed on as it is: nothing runs after a failed check."""
    if not isinstance(members, (list, tuple)) or not all(isinstance(member, Mapping) for member in members):
        return members
    normalized = []
    for member in members:
        entry = {key: member[key] for key in ("user_id", "email") if is_given(member.get(key))}
        if isinstance(entry.get("email"), str) and not is_unknown(entry["email"]):
            entry["email"] = entry["email"].casefold()
        roles = member.get("roles")
        if roles is not None:
            # key=str: a role not known yet in a preview (an Unknown) sorts with the ids
            entry["roles"] = sorted(set(roles), key=str) if isinstance(roles, (list, tuple)) else roles
        normalized.append(entry)
    return sorted(normalized, key=lambda entry: (str(entry.get("user_id") or ""), str(entry.get("email") or "")))


def _same_groups(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """No groups given and none declared are the same (a stack made before groups gives none)."""
    return sorted(olds.get("groups") or []) == sorted(news.get("groups") or [])


@dataclass(frozen=True)
class RecordedByRead:
    """A list that ``read`` fills with what it finds and the program always declares empty:
    the difference is what the preview shows, by name. A non-empty recorded list is a change
    (the next ``up`` acts on it); a program cannot set it, and the ``…Args`` class has no field
    for it."""

    name: str
    doc: str

    def outputs(self) -> tuple[Output, ...]:
        return (Output(self.name, list[dict[str, Any]], self.doc),)

    def args_fields(self) -> list[tuple[str, Any, bool]]:
        return []

    def check(self, checker: InputChecker) -> None:
        if checker.value(self.name):
            checker.fail(self.name, f"{self.name} is recorded by refresh (who is undeclared now), not set by a program")

    def checked(self, news: Mapping[str, Any]) -> dict[str, Any]:
        return {self.name: []}

    def changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        return ([], [self.name]) if olds.get(self.name) else ([], [])

    def from_outputs(self, outputs: Mapping[str, Any]) -> dict[str, Any]:
        return {self.name: outputs.get(self.name) or []}


SCHEMA = ResourceSchema(
    inputs=(
        PROJECT,
        MemberList(
            "members", list[dict[str, Any]],
            "Everyone the stack declares in the project: `user_id` and/or `email`, and `roles`, their extra "
            "role ids (left out: their extra roles are left alone).",
            required=True, normalize=normalize_members,
        ),
        Input(
            "max_removals", int,
            f"The most removals (memberships and role assignments) one up may make here; more fails before "
            f"removing anything. Default {DEFAULT_MAX_REMOVALS}.",
            rule=whole_number(at_least=0), normalize=int, default=DEFAULT_MAX_REMOVALS,
        ),
        Input(
            "groups", list[str] | None,
            "The ids of the groups whose grant here the stack declares; any other group's grant is removed "
            "(the grant, never the group's users). Absent: no group is declared.",
            rule=text_list("group ids"), normalize=lambda ids: sorted(set(ids)), same=_same_groups,
        ),
        RecordedByRead(
            "undeclared_members",
            "Members the last refresh found undeclared (email, name, role, roles): who the next up removes.",
        ),
        RecordedByRead(
            "undeclared_roles",
            "Extra roles of declared members the last refresh found undeclared: what the next up unassigns.",
        ),
        RecordedByRead(
            "undeclared_groups",
            "Group grants the last refresh found undeclared (group_id, group_name, role): what the next up removes.",
        ),
    ),
    outputs=(
        Output("kept", list[dict[str, Any]], "Undeclared people a rail keeps (organization owners, service "
                                              "accounts), with the reason."),
    ),
)


class ExclusiveProjectAccessProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if olds.get("undeclared_members") or olds.get("undeclared_roles") or olds.get("undeclared_groups"):
            # The plain preview shows only the names of changed properties: say who goes.
            _log.warning("%s", _pending_text(olds))
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id = props["project_id"]
        if created_in_this_run(project_id):
            # Exclusive from birth: the project was created moments ago, in this very run, with
            # nobody but the members this stack has just declared. Nothing to list or remove.
            _log.info("project %s was created by this run: exclusive from birth, nothing to remove", project_id)
            return CreateResult(project_id, _outputs(props, NOTHING_TO_REMOVE, recorded=False))
        return CreateResult(project_id, self._enforce(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = {**props, "project_id": id_}
        outputs = _outputs(props, self._decide(props), recorded=True)
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

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
        organization = OrganizationPeople(
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
            for member in access.members(project_id).values()
        ]
        groups = access.groups
        group_grants = [
            LiveGroupGrant(group_id, grant.group_name, groups.grant_role(project_id, group_id))
            for group_id, grant in sorted(groups.grants(project_id).items())
        ]
        return decide(project_id, _declared(props["members"]), live, organization, int(props["max_removals"]),
                      group_grants, props.get("groups") or [])

    def _enforce(self, props: Mapping[str, Any]) -> dict[str, Any]:
        project_id = props["project_id"]
        decision = self._decide(props)
        if decision.problems:
            raise ValueError("\n".join(decision.problems))
        for removal in decision.members:
            self.access.remove_member(project_id, removal.member.user_id)  # their roles go with it
            _log.info("project %s: removed %s, undeclared", project_id, removal.member)
        for role_removal in decision.roles:
            self.access.unassign_role(project_id, role_removal.member.user_id, role_removal.role.role_id)
            _log.info("project %s: unassigned role %s of %s, undeclared", project_id, role_removal.role.role_id,
                      role_removal.member)
        for group_removal in decision.groups:
            self.access.groups.revoke(project_id, group_removal.grant.group_id)  # never the group's users
            _log.info("project %s: removed the grant of %s, undeclared", project_id, group_removal.grant)
        return _outputs(props, decision, recorded=False)


def _outputs(props: Mapping[str, Any], decision: Decision, *, recorded: bool) -> dict[str, Any]:
    """``recorded``: the undeclared still to remove (read); else none are left (after removing)."""
    return SCHEMA.output_values(props, {
        "undeclared_members": [
            {**_person(r.member), "role": r.member.role, "roles": [role.role_id for role in r.member.roles]}
            for r in decision.members
        ] if recorded else [],
        "undeclared_roles": [
            {**_person(r.member), "role_id": r.role.role_id, "role_name": r.role.name} for r in decision.roles
        ] if recorded else [],
        "undeclared_groups": [
            {"group_id": r.grant.group_id, "group_name": r.grant.group_name, "role": r.grant.role}
            for r in decision.groups
        ] if recorded else [],
        "kept": [{**_person(k.member), "reason": k.reason} for k in decision.kept],
    })


def _person(member: LiveMember) -> dict[str, Any]:
    return {"email": member.email, "name": member.name, "user_id": member.user_id}


def _pending_text(outputs: Mapping[str, Any]) -> str:
    people = [
        f"{m.get('email') or m['user_id']} ({', '.join(filter(None, (m.get('name'), m.get('role'))))})"
        for m in outputs.get("undeclared_members") or []
    ]
    roles = [f"{r['role_id']} of {r.get('email') or r['user_id']}" for r in outputs.get("undeclared_roles") or []]
    groups = [f"{g.get('group_name') or g['group_id']} ({g.get('role') or 'no role'})"
              for g in outputs.get("undeclared_groups") or []]
    parts = [f"members {', '.join(people)}" if people else "", f"roles {', '.join(roles)}" if roles else "",
             f"the grants of groups {', '.join(groups)}" if groups else ""]
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


ExclusiveProjectAccessArgs = SCHEMA.args_class(
    "ExclusiveProjectAccessArgs",
    "Inputs of an ``ExclusiveProjectAccess``: the project, everyone the stack declares in it, and the "
    "most removals one ``up`` may make there.",
)


class ExclusiveProjectAccess(
    AdminApiResource,
    module="openai", name="ExclusiveProjectAccess",
    schema=SCHEMA, args=ExclusiveProjectAccessArgs, provider=ExclusiveProjectAccessProvider,
):
    """Authoritative over one project: removes every member and extra role assignment that
    ``members`` does not declare. Never adds. Its id is the project id. Make it depend on the
    stack's memberships of that project. One per project, and never next to another
    authoritative resource of the same project (another stack's, an IdP sync): they would fight."""
