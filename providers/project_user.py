"""``ProjectUser``: one user's membership of one OpenAI project, role ``owner`` or ``member``,
and the extra project roles it carries.

A member declared by email with ``invite`` set may not be in the organization yet (their
``Invite`` is pending): the membership is then *pending*. ``create`` writes nothing, and every
``up`` looks again (reads only) until the person has joined; then it takes over the
membership their invite gave (no second add), sets its role, and assigns the extra roles an
invite cannot carry. A pending membership's id is ``{project_id}/{email}`` until a refresh
gives it the user id; ``user_id`` in its outputs is what the provider goes by.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.project_user.ProjectUserProvider`` and the resource type is
``pulumi-python:dynamic/openai:ProjectUser``. Renaming either breaks refresh and destroy of
every resource already in a stack's state.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.behaviour import PROJECT_MEMBER_ROLES
from .admin_api.errors import AlreadyMemberError, NotFoundError, NotInOrganizationError, ProjectArchivedError
from .admin_api.models import ProjectMembership
from .base_provider import AdminApiProvider
from .input_checks import one_of, role_id_list, true_or_false
from .input_diff import same_flag, same_role_set
from .member_roles import assign_roles, claim_roles, held_roles, undeclared_roles, unassign_roles
from .resource_ids import split_resource_id
from .resource_inputs import AdminApiResource
from .resource_schema import Input, Output, RecordOutputs, ResourceSchema
from .shared_inputs import ADOPT, PROJECT, REQUESTED_EMAIL, USER, as_written
from .user_reference import UserReference

log = logging.getLogger(__name__)


def _role_list(roles: Any) -> list[str]:
    return sorted(set(roles), key=str)  # key=str: a role not known yet in a preview is an Unknown


# The membership as the API lists it; the stack's user reference stays in the inputs.
MEMBERSHIP = RecordOutputs(ProjectMembership, {
    "user_id": "id", "email": "email", "name": "name", "role": "role", "added_at": "added_at",
})

SCHEMA = ResourceSchema(
    inputs=(
        PROJECT,
        USER,
        Input("role", str, "The member's role, `owner` or `member`; a new role updates in place.",
              rule=one_of(PROJECT_MEMBER_ROLES), required=True),
        Input(
            "roles", list[str] | None,
            "Extra project roles (predefined or custom ids) this membership carries and this resource manages; "
            "None manages none, [] manages the list and it is empty. Changes assign and unassign in place.",
            rule=role_id_list, normalize=_role_list, same=same_role_set("roles"),
        ),
        ADOPT,
        Input("invite", bool,
              "The user (by email) may not have joined the organization yet: wait for their invite (the membership "
              "is pending, nothing is written) instead of failing.",
              rule=true_or_false, same=same_flag("invite")),
    ),
    outputs=(
        Output("name", str | None, "The member's name."),
        Output("added_at", int, "When the user was added to the project (unix seconds)."),
        REQUESTED_EMAIL,
        Output("pending", bool, "True while the user (invited) has not joined the organization."),
    ),
    records=(MEMBERSHIP,),
)


class ProjectUserProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return SCHEMA.check(news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if news.get("roles"):
            claim_roles(news["project_id"], (olds.get("user_id"), news.get("user_id"), news.get("email")), news["roles"])
        result = SCHEMA.diff(olds, news)
        if olds.get("pending") and not result.replaces:
            # up looks again whether the invited user has joined (reads only while they have not).
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        project_id, role, roles = props["project_id"], props["role"], props.get("roles")
        user = UserReference.from_inputs(props)
        if self._not_joined(props):
            log.info("%s has not joined the organization yet (invited): membership of %s pending", user, project_id)
            return CreateResult(f"{project_id}/{user.email}", _pending_outputs(props))
        # Adopting reads the shared project listing first: one write at most per membership.
        existing = self.access.find_member_by_reference(project_id, user) if props.get("adopt") else None
        membership, added = (existing, False) if existing else self._add(project_id, user, role, roles)
        if membership.role != role:
            membership = self.access.change_member_role(project_id, membership.id, role)
        if roles:
            missing = roles if added else sorted(set(roles) - set(held_roles(self.access, project_id, membership.id, roles)))
            assign_roles(self.access, project_id, membership.id, missing)
        return CreateResult(f"{project_id}/{membership.id}", _outputs(props, membership, roles))

    def _not_joined(self, props: Mapping[str, Any]) -> bool:
        """An invited user (by email) who is not in the organization: nothing to add yet."""
        return bool(props.get("invite") and props.get("email") and not props.get("user_id")
                    and self.access.find_user_by_email(props["email"]) is None)

    def _join(self, project_id: str, news: Mapping[str, Any]) -> UpdateResult:
        """The invited user has joined: the membership their invite gave is taken over (never a
        second add), with the declared role and the extra roles an invite cannot carry."""
        user = UserReference(email=news["email"])
        role, roles = news["role"], news.get("roles")
        existing = self.access.find_member_by_reference(project_id, user)
        if existing is None:
            membership, _ = self._add(project_id, user, role, roles)
            held: list[str] = []
        else:
            membership = existing
            if membership.role != role:
                membership = self.access.change_member_role(project_id, membership.id, role)
            held = held_roles(self.access, project_id, membership.id, roles) if roles else []
        if roles:
            assign_roles(self.access, project_id, membership.id, sorted(set(roles) - set(held)))
        log.info("%s joined the organization: managing their membership of %s", user, project_id)
        return UpdateResult(_outputs(news, membership, roles))

    def _add(self, project_id: str, user: UserReference, role: str, roles: list[str] | None) -> tuple[ProjectMembership, bool]:
        """The membership, and whether this call added it (else it existed exactly as declared)."""
        try:
            return self.access.add_member(project_id, role, user_id=user.user_id, email=user.email), True
        except AlreadyMemberError:
            return self._take_over_as_declared(project_id, user, role, roles), False
        except NotInOrganizationError as error:
            raise ValueError(
                f"{user} is not a member of the OpenAI organization, so it cannot be added to project "
                f"{project_id}: set `invite: true` in the spec to invite them (or invite=True on this resource "
                f"with an Invite), or invite them yourself first (API: {error.message})"
            ) from None
        except ProjectArchivedError:
            raise ValueError(f"project {project_id} is archived: archived projects have no users") from None

    def _take_over_as_declared(self, project_id: str, user: UserReference, role: str, roles: list[str] | None) -> ProjectMembership:
        """The member exists already. If exactly as declared (same role, no extra role the
        declaration lacks), it is what an interrupted run of this stack leaves behind: take it
        over without a write. Otherwise fail with what exists and how to take it over."""
        existing = self.access.find_member_by_reference(project_id, user)
        if existing is None:
            raise RuntimeError(f"the API reported {user} in project {project_id}, but it cannot be read back; retry")
        extra = undeclared_roles(self.access, project_id, existing.id, existing.role, roles or []) if roles is not None else []
        if existing.role == role and not extra:
            log.warning(
                "%s is already a member of project %s exactly as declared (role %s), as an interrupted run leaves "
                "it: managing it from now on", user, project_id, role,
            )
            return existing
        differences = [f"role '{existing.role}'"] + [f"extra role {extra_role}" for extra_role in extra]
        raise ValueError(
            f"{user} is already a member of project {project_id} with {', '.join(differences)}, and this stack did "
            "not create that membership. To manage it here, set adopt=True on this resource (pulumi import cannot "
            f"work for dynamic providers); adopting sets its role to '{role}' if it differs. "
            "Or remove the membership from the project first."
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        project_id, user_id = _ids(id_, props)
        if user_id is None:
            joined = self.access.find_user_by_email(props["email"])
            member = self.access.find_member(project_id, joined.id) if joined else None
            if member is None:  # still pending (or joined without it: the next up adds it)
                return ReadResult(id_, props, SCHEMA.inputs_from_outputs(props))
            id_, user_id = f"{project_id}/{member.id}", member.id
        membership = self.access.find_member(project_id, user_id)
        if membership is None:
            return ReadResult("", {})
        roles = props.get("roles")
        held = None if roles is None else held_roles(self.access, project_id, user_id, roles)
        outputs = _outputs(props, membership, held)
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        project_id, user_id = _ids(id_, olds)
        if user_id is None:
            if self._not_joined(news):
                return UpdateResult(_pending_outputs(news))
            return self._join(project_id, news)
        membership = MEMBERSHIP.record_from(olds)
        role, roles, before = news["role"], news.get("roles"), olds.get("roles")
        if role != olds.get("role"):
            try:
                membership = self.access.change_member_role(project_id, user_id, role)
            except NotFoundError:
                # Removed outside Pulumi since the last refresh: converge by adding it back.
                membership, added = self._add(project_id, UserReference(user_id=user_id), role, roles)
                before = [] if added else None
        if roles is not None:
            if before is None:
                # Newly managed (a stack upgraded from UserRoleAssignment children): what is held stays.
                before = held_roles(self.access, project_id, user_id, roles)
            assign_roles(self.access, project_id, user_id, set(roles) - set(before))
            unassign_roles(self.access, project_id, user_id, set(before) - set(roles))
        return UpdateResult(_outputs(news, membership, roles))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        project_id, user_id = _ids(id_, props)
        if user_id is None:  # pending: the invite gave this membership if they joined since
            user_id = self.access.resolve_user_id(UserReference(email=props.get("email")))
            if user_id is None:
                return
        self.access.remove_member(project_id, user_id)  # its roles go with it


def _outputs(inputs: Mapping[str, Any], membership: ProjectMembership, roles: list[str] | None) -> dict[str, Any]:
    return SCHEMA.output_values(inputs, MEMBERSHIP.outputs(membership), {
        "roles": None if roles is None else sorted(roles),
        "invite": True if inputs.get("invite") else None,  # absent, as before invites, unless set
        "pending": False,
        **as_written(inputs),
    })


def _pending_outputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A membership waiting for its invited user to join: no user id yet."""
    return SCHEMA.output_values(inputs, MEMBERSHIP.outputs(None), {
        "email": inputs["email"], "role": inputs["role"],
        "roles": None if inputs.get("roles") is None else sorted(inputs["roles"]),
        "invite": True, "pending": True, **as_written(inputs),
    })


def _ids(id_: str, outputs: Mapping[str, Any]) -> tuple[str, str | None]:
    """(project id, user id); the user id is None while the membership is pending. The
    outputs say which: a pending membership's id holds the email until a refresh."""
    project_id, user_id = split_resource_id(id_, 2)
    if outputs.get("pending"):
        return project_id, None
    return project_id, outputs.get("user_id") or user_id


ProjectUserArgs = SCHEMA.args_class(
    "ProjectUserArgs", "Inputs of a ``ProjectUser``: give exactly one of ``user_id`` and ``email``."
)


class ProjectUser(
    AdminApiResource,
    module="openai", name="ProjectUser",
    schema=SCHEMA, args=ProjectUserArgs, provider=ProjectUserProvider,
):
    """A user's membership of an OpenAI project, with the extra roles it carries. Its id is
    ``{project_id}/{user_id}``."""
