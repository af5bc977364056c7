"""``GroupUser``: one user in one OpenAI group. Adding and removing are one request each; a
refresh reads one paged listing per group, shared by every ``GroupUser`` of the provider
process, so a user removed out of band shows as gone and the next ``up`` adds them back.

The users of a group the identity provider manages are never written: adding one is an error
before the write, naming the group and pointing at external_group.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.group_user.GroupUserProvider`` and the resource type is
``pulumi-python:dynamic/openai:GroupUser``.
"""

from __future__ import annotations

from typing import Any, Mapping

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult

from .admin_api.errors import NotFoundError
from .admin_api.models import GroupUserRecord
from .base_provider import AdminApiProvider
from .group import scim_managed_error
from .resource_ids import split_resource_id
from .resource_inputs import AdminApiResource
from .resource_schema import Output, RecordOutputs, ResourceSchema
from .shared_inputs import GROUP_ID, REQUESTED_EMAIL, USER
from .user_reference import UserReference, requested_email

# The user as the group's users list shows them; how the stack names them stays in the inputs.
GROUP_USER = RecordOutputs(GroupUserRecord, {"user_id": "id", "email": "email", "name": "name"})

SCHEMA = ResourceSchema(
    inputs=(GROUP_ID, USER),
    outputs=(Output("name", str | None, "The user's name."), REQUESTED_EMAIL),
    records=(GROUP_USER,),
)


class GroupUserProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return SCHEMA.diff(olds, news)  # another group or user is another resource: a replacement

    def create(self, props: dict[str, Any]) -> CreateResult:
        group_id = props["group_id"]
        groups = self.access.groups
        group = groups.find(group_id)
        if group is None:
            raise ValueError(f"no group {group_id} in the OpenAI organization")
        if group.is_scim_managed:
            raise scim_managed_error(group)
        user = UserReference.from_inputs(props)
        known = self.access.find_user_by_email(user.email) if user.email and not user.user_id else None
        user_id = user.user_id or (known.id if known else None)
        if user_id is None:
            raise ValueError(f"{user} is not a member of the OpenAI organization, so it cannot be added to group "
                             f"{group.name!r}: invite them to the organization first")
        # Already in the group (an adopted group, an interrupted run): the state wanted, no write.
        if user_id not in groups.users(group_id):
            record = GroupUserRecord(id=user_id, name=known.name if known else None, email=known.email if known else None)
            try:
                groups.add_user(group_id, record)
            except NotFoundError as error:
                raise ValueError(f"cannot add {user} to group {group.name!r}: {error.message}") from None
        found = groups.users(group_id).get(user_id)
        return CreateResult(f"{group_id}/{user_id}", _outputs(props, group_id, user_id, found))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        group_id, user_id = split_resource_id(id_, 2)
        found = self.access.groups.users(group_id).get(user_id)
        if found is None:
            return ReadResult("", {})
        outputs = _outputs(props, group_id, user_id, found)
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        group_id, user_id = split_resource_id(id_, 2)
        self.access.groups.remove_user(group_id, user_id)  # already gone counts as done


def _outputs(props: Mapping[str, Any], group_id: str, user_id: str, found: GroupUserRecord | None) -> dict[str, Any]:
    """``props``: the inputs (create) or the previous outputs (read)."""
    listed = GROUP_USER.outputs(found)
    return SCHEMA.output_values(props, listed, {
        "group_id": group_id, "user_id": user_id, "email": listed["email"] or props.get("email"),
        "requested_email": requested_email(props),
    })


GroupUserArgs = SCHEMA.args_class("GroupUserArgs", "Inputs of a ``GroupUser``: give exactly one of ``user_id`` and ``email``.")


class GroupUser(
    AdminApiResource,
    module="openai", name="GroupUser",
    schema=SCHEMA, args=GroupUserArgs, provider=GroupUserProvider,
):
    """A user's membership of an OpenAI group. Its id is ``{group_id}/{user_id}``."""
