"""``Invite``: a person declared by email, invited to the organization until they join.

One resource per person (its id is the email in lower case). ``create`` sends at most one
``POST /organization/invites``: nothing when the person is in the organization already, and
nothing when an invite of that address is pending (sent by anyone: it is taken over). While
the invite is pending, every ``up`` checks it (reads only); once the person has joined, the
invite's work is done and the resource stays quiet. An invite that expired (or was deleted
outside Pulumi) before the person joined is sent again. Deleting the resource deletes a
pending invite; an accepted one cannot be deleted and the person stays in the organization
(their memberships are ``ProjectUser`` resources, removed on their own).

The invite carries the projects and roles the person's grants give, so that joining gives
them their memberships at once; the extra project roles it cannot carry are assigned by their
``ProjectUser`` resources afterwards. An invite cannot be changed: a change of ``projects``
while it is pending is recorded, and the memberships follow the spec once the person joins.

Contract with existing stacks: the provider class is pickled by reference as
``pulumi_openai_access.providers.invite.InviteProvider`` and the resource type is
``pulumi-python:dynamic/openai:Invite``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping, Sequence

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .admin_api.behaviour import INVITE_PROJECT_ROLES, ORGANIZATION_ROLES
from .admin_api.errors import InviteAcceptedError
from .admin_api.models import InviteRecord
from .base_provider import AdminApiProvider
from .input_checks import PROJECT_ID_PATTERN, InputChecker, Rule, is_unknown, one_of
from .resource_inputs import AdminApiResource
from .resource_schema import Change, Constraint, Input, Output, ResourceSchema
from .shared_inputs import USER

log = logging.getLogger(__name__)

# What `status` says: in the organization before anything was sent; invited, waiting; joined
# through the invite; and an invite that no longer stands (expired, or deleted elsewhere)
# while the person has not joined: the next `up` sends it again.
JOINED, PENDING, ACCEPTED, LAPSED = "member", "pending", "accepted", "lapsed"
SETTLED = (JOINED, ACCEPTED)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].casefold()


def _domains_problem(domains: Any) -> str | None:
    if not isinstance(domains, (list, tuple)) or not domains or not all(
            isinstance(d, str) and "." in d and "@" not in d and d.strip() == d and d for d in domains):
        return f"must be a non-empty list of domain names such as 'example.com', got {domains!r}"
    return None


DOMAINS = Rule(_domains_problem, "a non-empty list of domain names such as 'example.com'")


def outside_domains(email: str, domains: Sequence[str]) -> str | None:
    """The rail, worded once for the resource and the spec: None when ``email`` may be invited."""
    if email_domain(email) in {domain.casefold() for domain in domains}:
        return None
    return (f"{email} is not in the domains invites may go to ({', '.join(domains)}): fix the address, "
            "or add its domain to invite_domains")


def _email_in_domains(inputs: Mapping[str, Any]) -> str | None:
    domains, email = inputs.get("allowed_domains"), inputs.get("email")
    return None if domains is None or not isinstance(email, str) else outside_domains(email, domains)


class InvitedProjects(Input):
    """``projects``: a list of ``{id, role}``; every problem a failure of ``projects``, under its index."""

    def check(self, checker: InputChecker) -> None:
        prop = self.name
        projects = checker.value(prop)
        if projects is None or is_unknown(projects):
            return
        if not isinstance(projects, (list, tuple)):
            checker.fail(prop, f"{prop} must be a list of {{id, role}}, got {projects!r}")
            return
        for index, project in enumerate(projects):
            if is_unknown(project):
                continue
            if (not isinstance(project, Mapping) or set(project) != {"id", "role"}
                    or not (is_unknown(project["id"])  # a project the same up creates, in a preview
                            or (isinstance(project["id"], str) and PROJECT_ID_PATTERN.match(project["id"])))
                    or project["role"] not in INVITE_PROJECT_ROLES):
                checker.fail(prop, f"{prop}[{index}] must be {{id: a project id, role: member or owner}}, "
                                   f"got {project!r}")


def _normalize_projects(projects: Any) -> Any:
    """Sorted by project; what the check refused is passed on as it is."""
    if not isinstance(projects, (list, tuple)) or not all(isinstance(p, Mapping) and {"id", "role"} <= set(p)
                                                          for p in projects):
        return projects
    return sorted(({"id": p["id"], "role": p["role"]} for p in projects), key=lambda p: str(p["id"]))


def _casefold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


SCHEMA = ResourceSchema(
    inputs=(
        Input("email", str, "The person's email address; a new address replaces the resource.",
              rule=USER.email, required=True, on_change=Change.REPLACE, normalize=_casefold),
        Input("role", str, "The organization role the invite gives, `reader` (default) or `owner`.",
              rule=one_of(ORGANIZATION_ROLES), default="reader"),
        InvitedProjects("projects", list[dict[str, str]],
                        "The projects the invite gives, `{id, role}` (`member` or `owner`), as the person's grants do.",
                        normalize=_normalize_projects, default=[]),
        Input("allowed_domains", list[str] | None,
              "A rail: the domains invites may go to; an email elsewhere fails `check`, before any request.",
              rule=DOMAINS),
    ),
    outputs=(
        Output("status", str, "`member` (in the organization already: nothing sent), `pending`, `accepted`, "
                              "or `lapsed` (expired or deleted before they joined: the next up sends it again)."),
        Output("invite_id", str | None, "The invite's id, `invite-…` (none for a `member`)."),
        Output("expires_at", int | None, "When the pending invite expires (unix seconds)."),
        Output("user_id", str | None, "The person's user id, once they are in the organization."),
    ),
    constraints=(Constraint("email", ("allowed_domains", "email"), _email_in_domains),),
)


class InviteProvider(AdminApiProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = SCHEMA.check(news)
        if not olds and not result.failures:
            # The preview's line: who up will invite, and where (unless they have joined already).
            projects = ", ".join(f"{p['id']} as {p['role']}" for p in result.inputs.get("projects") or [])
            log.info("%s: up invites them to the organization (%s)%s, unless they are in it already", news["email"],
                     result.inputs.get("role"), f" and to {projects}" if projects else "")
        return result

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = SCHEMA.diff(olds, news)
        if olds.get("status") in SETTLED or result.replaces:
            return result
        # Pending or lapsed: up looks again (joined? expired?), and re-sends a lapsed invite.
        return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["email"], self._converge(props, None))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._converge(news, olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outputs = {**props, **self._observe(props)}
        return ReadResult(id_, outputs, SCHEMA.inputs_from_outputs(outputs))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        invite_id = props.get("invite_id")
        if not invite_id or props.get("status") in SETTLED:
            return  # nothing of ours stands: the person's memberships are other resources
        try:
            if self.access.delete_invite(invite_id):
                log.info("%s: deleted invite %s, which was still pending", id_, invite_id)
        except InviteAcceptedError:
            log.info("%s: invite %s was accepted meanwhile; the person stays in the organization", id_, invite_id)

    # --- what exists, and what to send ----------------------------------------------------
    def _observe(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The person's status now, reading only."""
        user = self.access.find_user_by_email(props["email"])
        invite_id = props.get("invite_id")
        if user is not None:
            return {"status": ACCEPTED if invite_id else JOINED, "user_id": user.id, "expires_at": None}
        found = self.access.find_invite(invite_id) if invite_id else None
        if found is not None and found.pending_at(time.time()):
            return _pending(found)
        return {"status": LAPSED, "user_id": None}

    def _converge(self, props: Mapping[str, Any], olds: Mapping[str, Any] | None) -> dict[str, Any]:
        """At most one POST: none when the person joined or an invite of theirs is pending."""
        inputs = {name: props.get(name) for name in ("email", "role", "projects", "allowed_domains")}
        previous = (olds or {}).get("invite_id")
        seen = self._observe({"email": props["email"], "invite_id": previous})
        if seen["status"] != LAPSED:
            return {**inputs, "invite_id": previous, "expires_at": None, **seen}
        email = props["email"]
        invite = self.access.pending_invite(email, time.time())
        if invite is not None:
            log.warning("%s: an invite of theirs is pending already (%s); taking it over rather than sending another",
                        email, invite.id)
        else:
            if previous:
                log.info("%s: invite %s lapsed (expired or deleted) before they joined; sending a new one",
                         email, previous)
            invite = self.access.invite(email, props.get("role") or "reader",
                                        [(p["id"], p["role"]) for p in props.get("projects") or []])
        return {**inputs, **_pending(invite)}


def _pending(invite: InviteRecord) -> dict[str, Any]:
    return {"status": PENDING, "invite_id": invite.id, "expires_at": invite.expires_at, "user_id": None}


InviteArgs = SCHEMA.args_class("InviteArgs", "Inputs of an ``Invite``: the person's email and what the invite gives.")


class Invite(
    AdminApiResource,
    module="openai", name="Invite",
    schema=SCHEMA, args=InviteArgs, provider=InviteProvider,
):
    """A person invited to the organization until they join; one POST at most. Its id is the
    email in lower case. ``status`` says where they are: member, pending, accepted, lapsed."""
