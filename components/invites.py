"""Invites of a spec with ``invite: true``: one ``Invite`` per person declared by email only
(a person with a user id is in the organization), named ``invite/{email}``, giving the
projects and roles their grants give. Their memberships wait for them (``ProjectUser``
``invite=True``: pending, nothing written) until they join.
"""

from __future__ import annotations

from typing import Any, Sequence

import pulumi

from ..providers.invite import Invite, InviteArgs
from .access_spec import AccessSpec
from .declared_projects import DeclaredProjects
from .grant_merge import MemberAccess


def invited_people(spec: AccessSpec, grants: Sequence[MemberAccess]) -> dict[str, list[dict[str, str]]]:
    """email → the projects an invite gives them ({id, role}: the project as the spec names it,
    an id or a declared project's key), for people declared by email only."""
    if not spec.invite:
        return {}
    people: dict[str, list[dict[str, str]]] = {}
    for grant in grants:
        if grant.member.email and not grant.member.user_id:
            people.setdefault(grant.member.email, []).append({"id": grant.project_id, "role": grant.role})
    return people


def declare_invites(spec: AccessSpec, grants: Sequence[MemberAccess], declared: DeclaredProjects,
                    opts: pulumi.ResourceOptions) -> dict[str, Invite]:
    """``declared`` turns a declared project's key into its id (an output)."""
    domains = None if spec.invite_domains is None else list(spec.invite_domains)
    return {
        email: Invite(f"invite/{email}", InviteArgs(
            email=email, projects=[{"id": declared.project_id(p["id"]), "role": p["role"]} for p in projects],
            allowed_domains=domains), opts)
        for email, projects in invited_people(spec, grants).items()
    }


def invite_statuses(invites: dict[str, Invite]) -> pulumi.Output[dict[str, Any]]:
    """email → {status, invite_id, expires_at}: who is invited and waiting, for the stack output."""
    return pulumi.Output.from_input({
        email: {"status": invite.status, "invite_id": invite.invite_id, "expires_at": invite.expires_at}
        for email, invite in invites.items()
    })
