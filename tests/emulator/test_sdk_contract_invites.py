"""The official openai SDK against the emulator's invite endpoints (issue 21): create, list
(paged), retrieve, delete, the errors decided in ``behaviour``, and the control route that
does what a person's acceptance does.

See ``tests/emulator/test_sdk_contract.py`` for why the SDK is the judge of the emulator's shapes.
"""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from openai.types.admin.organization import Invite, InviteDeleteResponse

from pulumi_openai_access.emulator.process import INVITE, INVITES, SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api import behaviour


@pytest.fixture
def org(emulator: EmulatorProcess) -> Any:
    client = openai.OpenAI(admin_api_key=emulator.admin_key, api_key="unused", base_url=emulator.base_url,
                           max_retries=0)
    return client.admin.organization


def test_create_retrieve_list_delete(emulator: EmulatorProcess, org: Any) -> None:
    before = time.time()
    created = org.invites.create(email="new@example.com", role="reader",
                                 projects=[{"id": SAMPLE.WEB, "role": "owner"}, {"id": SAMPLE.DATA, "role": "member"}])
    assert isinstance(created, Invite)
    assert (created.object, created.email, created.role, created.status, created.accepted_at) == (
        "organization.invite", "new@example.com", "reader", "pending", None)
    assert created.id.startswith("invite-") and created.created_at >= int(before)
    assert created.expires_at == created.created_at + behaviour.INVITE_LIFETIME_SECONDS
    assert [(p.id, p.role) for p in created.projects] == [(SAMPLE.WEB, "owner"), (SAMPLE.DATA, "member")]
    assert org.invites.retrieve(created.id) == created
    assert emulator.requests().count("POST", INVITES) == 1 and emulator.requests().count("GET", INVITE) == 1

    deleted = org.invites.delete(created.id)
    assert isinstance(deleted, InviteDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == ("organization.invite.deleted", created.id, True)
    assert created.id not in [invite.id for invite in org.invites.list()]
    with pytest.raises(openai.NotFoundError):
        org.invites.retrieve(created.id)


def test_list_pages_through_every_invite(org: Any) -> None:
    made = [org.invites.create(email=f"person{i}@example.com", role="reader", projects=[]).id for i in range(5)]
    first = org.invites.list(limit=2)
    assert len(first.data) == 2 and first.has_more and first.last_id == first.data[-1].id
    assert [invite.id for invite in org.invites.list(limit=2)] == made  # auto-paging, in creation order


def test_acceptance_creates_the_user_and_the_memberships_and_the_invite_stays_accepted(
        emulator: EmulatorProcess, org: Any) -> None:
    invite = org.invites.create(email="New@Example.com", role="reader", projects=[{"id": SAMPLE.WEB, "role": "owner"}])
    accepted = emulator.accept_invite(invite.id)
    user = org.users.retrieve(accepted["user"]["id"])
    assert (user.email, user.role) == ("New@Example.com", "reader")
    assert org.projects.users.retrieve(user.id, project_id=SAMPLE.WEB).role == "owner"
    assert list(org.projects.users.roles.list(user.id, project_id=SAMPLE.WEB)) == []  # no extra role comes with it
    again = org.invites.retrieve(invite.id)
    assert again.status == "accepted" and again.accepted_at
    with pytest.raises(openai.BadRequestError, match=behaviour.INVITE_ACCEPTED_FRAGMENT):
        org.invites.delete(invite.id)


def test_errors_decided_in_behaviour(emulator: EmulatorProcess, org: Any) -> None:
    with pytest.raises(openai.BadRequestError, match=behaviour.ALREADY_IN_ORGANIZATION_FRAGMENT) as member:
        org.invites.create(email="ADA@example.com", role="reader")
    assert member.value.param == "email"
    org.invites.create(email="twice@example.com", role="reader", projects=[])
    with pytest.raises(openai.BadRequestError, match=behaviour.INVITE_PENDING_FRAGMENT):
        org.invites.create(email="Twice@example.com", role="reader", projects=[])
    with pytest.raises(openai.BadRequestError) as role:
        org.invites.create(email="x@example.com", role="member")  # type: ignore[arg-type]
    assert role.value.param == "role"
    with pytest.raises(openai.BadRequestError) as project_role:
        org.invites.create(email="x@example.com", role="reader", projects=[{"id": SAMPLE.WEB, "role": "admin"}])
    assert project_role.value.param == "projects[0]"
    with pytest.raises(openai.NotFoundError):
        org.invites.create(email="x@example.com", role="reader", projects=[{"id": "proj_Nope", "role": "member"}])
    with pytest.raises(openai.NotFoundError):
        org.invites.delete("invite-Nope")


def test_seeded_invites_with_each_status(emulator: EmulatorProcess, org: Any) -> None:
    now = int(time.time())
    seed = emulator.state()
    seed["invites"] = [
        {"email": "pending@example.com", "role": "reader", "projects": [{"id": SAMPLE.WEB, "role": "member"}]},
        {"id": "invite-Expired", "email": "late@example.com", "role": "reader", "status": "expired"},
        {"email": "soon@example.com", "role": "owner", "expires_at": now + 60},
        {"email": "ada@example.com", "role": "owner", "status": "accepted"},
    ]
    emulator.reset(seed)
    listed = {invite.email: invite for invite in org.invites.list()}
    assert {email: invite.status for email, invite in listed.items()} == {
        "pending@example.com": "pending", "late@example.com": "expired", "soon@example.com": "pending",
        "ada@example.com": "accepted"}
    assert listed["late@example.com"].id == "invite-Expired" and listed["late@example.com"].expires_at <= now + 1
    assert listed["soon@example.com"].expires_at == now + 60
    # An expired invite is no pending one: the address may be invited again.
    assert org.invites.create(email="late@example.com", role="reader", projects=[]).status == "pending"
    assert {i["email"] for i in emulator.state()["invites"]} >= {"pending@example.com", "late@example.com"}


def test_a_bad_invite_seed_names_the_problem(emulator: EmulatorProcess) -> None:
    seed = emulator.state()
    seed["invites"] = [{"email": "ada@example.com", "role": "reader"}, {"email": "x@example.com", "role": "guest"},
                       {"email": "y@example.com", "role": "reader", "projects": [{"id": "proj_Nope", "role": "member"}]}]
    with pytest.raises(RuntimeError) as refused:
        emulator.reset(seed)
    for problem in ("invites[0].email", "invites[1].role", "invites[2].projects[0].id"):
        assert problem in str(refused.value)
