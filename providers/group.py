"""``Group``: an OpenAI organization group that a stack creates, adopts, or only refers to.

* created: ``name`` makes the group; a new name renames it in place; destroy deletes it;
* adopted (``adopt``): the one existing group of exactly that name is taken over (several of
  that name: an error listing their ids); destroy releases it, leaving it in OpenAI, unless
  ``delete_adopted`` asks to delete it;
* external (``external``): an existing group, by id or exact name, typically synced from the
  identity provider. Never written to: not created, renamed or deleted; only read.

``members`` (a created or adopted group only) makes the stack authoritative over the group's
users, as ``ExclusiveProjectAccess`` is over a project: ``read`` records the users no
reference names as ``undeclared_users`` (an input the program always declares empty), so a
refreshed preview plans an update and names who goes; ``update`` removes them, one request
each, re-deciding on the current listing. Adopting removes them at once. A listing that fails
removes nobody; leaving ``members`` out, or destroying, removes nobody. ``GroupUser`` adds.

A group the identity provider manages (``is_scim_managed``) can only be external: creating
over, adopting or renaming one is an error before any write that says to use external_group.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.group.GroupProvider`` and the resource type is
``pulumi-python:dynamic/openai:Group``.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.behaviour import GROUP_NAME_MAX_LENGTH
from .admin_api.models import GroupRecord, GroupUserRecord
from .base_provider import AdminApiProvider
from .exclusive_project_access import RecordedByRead
from .group_gateway import GroupGateway
from .group_user_decision import normalize_references, undeclared_users
from .input_checks import InputChecker, is_unknown, name, text_list, true_or_false
from .input_diff import same_flag
from .resource_inputs import AdminApiResource
from .resource_schema import Input, Output, RecordOutputs, ResourceSchema
from .shared_inputs import ADOPT
from .user_reference import UserReference

log = logging.getLogger(__name__)

# The group as the API lists it; how the stack names it stays in the inputs.
GROUP = RecordOutputs(GroupRecord, {
    "group_id": "id", "group_name": "name", "is_scim_managed": "is_scim_managed", "created_at": "created_at",
})


@dataclass(frozen=True)
class GroupMembers(Input):
    """``members``: never with ``external`` (an external group's users are never written)."""

    def check(self, checker: InputChecker) -> None:
        super().check(checker)
        if checker.value(self.name) is not None and checker.value("external"):
            checker.fail(self.name, f"{self.name} is not allowed with external: an external group's users are never "
                                    "written to (only its project grants are managed)")


def _normalize_members(references: list[Any]) -> list[Any]:
    # a list holding a reference not known yet (a preview) is passed on as it is
    return references if any(is_unknown(r) for r in references) else normalize_references(references)


SCHEMA = ResourceSchema(
    inputs=(
        Input("name", str, "The group's name (1 to 255 characters); for an external group, its name or id. "
                           "A new name renames a group this stack manages in place.",
              rule=name(f"a group name of 1 to {GROUP_NAME_MAX_LENGTH} characters", max_length=GROUP_NAME_MAX_LENGTH),
              required=True),
        ADOPT,
        Input("external", bool, "An existing group this stack never writes to (such as one synced from the "
                                "identity provider): only read, and left as it is on destroy. Changing it "
                                "never replaces the group.",
              rule=true_or_false, normalize=bool, default=False, same=same_flag("external")),
        Input("delete_adopted", bool, "With adopt: delete the group on destroy although this stack did not create it.",
              rule=true_or_false, normalize=bool, default=False, same=same_flag("delete_adopted")),
        GroupMembers("members", list[str] | None,
                     "Every user of the group, each a user id or an email (any letter case): up removes any "
                     "other user (after a refresh the preview names them). Left out: the group's users are not "
                     "managed as a whole. Not with external.",
                     rule=text_list("user ids or emails"), normalize=_normalize_members),
        RecordedByRead("undeclared_users", "Users the last refresh found in the group but not among members "
                                           "(user_id, email, name): who the next up removes."),
    ),
    outputs=(
        Output("group_id", str, "The group's id, `group_…`."),
        Output("group_name", str, "The group's name in OpenAI."),
        Output("is_scim_managed", bool, "Whether the identity provider manages the group's name and users."),
        Output("created_by_stack", bool, "Whether this stack created the group (then destroy deletes it)."),
        Output("created_at", int | None, "When the group was created (unix seconds)."),
    ),
    records=(GROUP,),
)


def scim_managed_error(group: GroupRecord) -> ValueError:
    return ValueError(
        f"group {group.name!r} ({group.id}) is managed by the identity provider (SCIM): this stack cannot create "
        "over it, rename it or manage its users: use external_group (Group external=True) to refer to it, and manage "
        "only its project grants"
    )


class GroupProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if olds.get("undeclared_users"):
            # The plain preview shows only the names of changed properties: say who goes.
            log.warning("group %s: as of the last refresh, up removes the users not among its members: %s",
                        olds.get("group_name") or olds.get("name"),
                        ", ".join(_who(user) for user in olds["undeclared_users"]))
        return SCHEMA.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        groups = self.access.groups
        if props.get("external"):
            group = find_external(groups, props["name"])
            return CreateResult(group.id, _outputs(props, group, created=False))
        group, created = self._create_or_adopt(groups, props["name"], bool(props.get("adopt")))
        if not created:
            self._remove_undeclared(group, props)  # "exactly these": adopting makes it so
        return CreateResult(group.id, _outputs(props, group, created=created))

    def _create_or_adopt(self, groups: GroupGateway, name: str, adopt: bool) -> tuple[GroupRecord, bool]:
        named = groups.named(name)
        for group in named:
            if group.is_scim_managed:
                raise scim_managed_error(group)
        if not named:
            return groups.create(name), True
        if len(named) > 1:
            raise ValueError(f"{len(named)} groups are named {name!r} ({', '.join(sorted(g.id for g in named))}): "
                             "rename all but one in OpenAI, or refer to one by id with external")
        if not adopt:
            raise ValueError(f"a group named {name!r} exists already ({named[0].id}) and this stack did not create it: "
                             "set adopt=True to manage it here, or choose another name")
        log.info("adopting group %r (%s)", name, named[0].id)
        return named[0], False

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        group = self.access.groups.find(id_)
        if group is None:
            return ReadResult("", {})
        outputs = _outputs(props, group, created=bool(props.get("created_by_stack")),
                           undeclared=[_person(user) for user in self._undeclared(group, props)])
        if not props.get("external"):
            outputs["name"] = group.name  # a rename out of band is drift; an external reference stays as written
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        groups = self.access.groups
        if news.get("external"):
            group = find_external(groups, news["name"])
        else:
            group = groups.find(id_)
            if group is None:
                raise ValueError(f"group {id_} no longer exists in OpenAI: run `pulumi refresh`, then `pulumi up` "
                                 "creates it again")
            if group.is_scim_managed:
                raise scim_managed_error(group)
            if group.name != news["name"]:
                group = groups.rename(id_, news["name"])
            # A member the program dropped goes with their GroupUser's delete: not removed twice.
            self._remove_undeclared(group, news, also_declared=olds.get("members") or [])
        return UpdateResult(_outputs(news, group, created=bool(olds.get("created_by_stack"))))

    def _undeclared(self, group: GroupRecord, props: Mapping[str, Any],
                    also_declared: Sequence[str] = ()) -> list[GroupUserRecord]:
        """The group's users that ``members`` (nor ``also_declared``) does not name: none when it
        is not given, or the group is external or the identity provider's. A failing listing
        raises: nobody goes."""
        members = props.get("members")
        if members is None or props.get("external") or group.is_scim_managed:
            return []
        access = self.access
        return undeclared_users([*members, *also_declared], access.groups.users(group.id),
                                lambda email: access.resolve_user_id(UserReference(email=email)))

    def _remove_undeclared(self, group: GroupRecord, props: Mapping[str, Any],
                           also_declared: Sequence[str] = ()) -> None:
        for user in self._undeclared(group, props, also_declared):
            self.access.groups.remove_user(group.id, user.id)
            log.info("group %r: removed %s, not among its members", group.name, _who(_person(user)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("external"):
            return  # never written to
        if props.get("created_by_stack") or props.get("delete_adopted"):
            self.access.groups.delete(id_)
        else:
            log.info("releasing adopted group %s (%s): it stays in OpenAI", props.get("group_name"), id_)


def find_external(groups: GroupGateway, reference: str) -> GroupRecord:
    """The one existing group with this id or exactly this name; none or several is an error
    that names the reference and what exists."""
    by_id = groups.find(reference)
    if by_id is not None:
        return by_id
    named = groups.named(reference)
    if len(named) == 1:
        return named[0]
    if named:
        raise ValueError(f"{len(named)} groups are named {reference!r} "
                         f"({', '.join(sorted(g.id for g in named))}): refer to one by its id")
    names = sorted({g.name for g in groups.groups().values()})
    similar = difflib.get_close_matches(reference, names, n=5, cutoff=0.5)
    hint = f"; similar names: {', '.join(repr(n) for n in similar)}" if similar else ""
    raise ValueError(f"no group named {reference!r} (nor with that id) in the OpenAI organization{hint}")


def _outputs(inputs: Mapping[str, Any], group: GroupRecord, *, created: bool,
             undeclared: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``undeclared``: the users still to remove (read); else none are left."""
    flags = {flag: bool(inputs.get(flag)) for flag in ("adopt", "external", "delete_adopted")}
    return SCHEMA.output_values(inputs, GROUP.outputs(group), flags,
                                {"created_by_stack": created, "undeclared_users": undeclared or []})


def _person(user: GroupUserRecord) -> dict[str, Any]:
    return {"user_id": user.id, "email": user.email, "name": user.name}


def _who(person: Mapping[str, Any]) -> str:
    who = person.get("email") or person["user_id"]
    return f"{who} ({person['name']})" if person.get("name") else who


GroupArgs = SCHEMA.args_class("GroupArgs", "Inputs of a ``Group``.")


class Group(
    AdminApiResource,
    module="openai", name="Group",
    schema=SCHEMA, args=GroupArgs, provider=GroupProvider,
):
    """An OpenAI organization group. Its id is the group's id."""
