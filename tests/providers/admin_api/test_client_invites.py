"""The client's invite endpoints against the emulator: typed answers and errors, and an
invite whose outcome is unknown sent once (read back before it is sent again)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.emulator.process import INVITE, INVITES, SAMPLE, Fault
from pulumi_openai_access.providers.admin_api import (
    AlreadyInOrganizationError,
    InviteAcceptedError,
    InvitePendingError,
    NotFoundError,
)
from tests.support.client import client_for


def invites_for(emulator, email: str) -> list[dict]:
    return [i for i in emulator.state()["invites"] if i["email"].casefold() == email.casefold()]


def test_invite_lifecycle(emulator):
    client = client_for(emulator)
    invite = client.create_invite("new@example.com", role="reader", projects=[(SAMPLE.WEB, "owner")])
    assert (invite.email, invite.role, invite.status) == ("new@example.com", "reader", "pending")
    assert [(p.id, p.role) for p in invite.projects] == [(SAMPLE.WEB, "owner")]
    assert invite.pending_at(invite.created_at) and not invite.pending_at(invite.expires_at)
    assert [i.id for i in client.list_invites()] == [invite.id]
    assert client.get_invite(invite.id) == invite
    client.delete_invite(invite.id)
    with pytest.raises(NotFoundError):
        client.get_invite(invite.id)


def test_typed_errors(emulator):
    client = client_for(emulator)
    with pytest.raises(AlreadyInOrganizationError):
        client.create_invite("ada@example.com", role="reader", projects=[])
    invite = client.create_invite("new@example.com", role="reader", projects=[])
    with pytest.raises(InvitePendingError):
        client.create_invite("NEW@example.com", role="reader", projects=[])
    emulator.accept_invite(invite.id)
    with pytest.raises(InviteAcceptedError):
        client.delete_invite(invite.id)


@pytest.mark.parametrize("action", ["drop_after", "drop_before", "status"])
def test_an_invite_with_an_unknown_outcome_is_sent_once(emulator, action):
    emulator.set_faults(Fault("POST", INVITES, action, status=502 if action == "status" else None))
    invite = client_for(emulator).create_invite("new@example.com", role="reader", projects=[(SAMPLE.DATA, "member")])
    assert [i["id"] for i in invites_for(emulator, "new@example.com")] == [invite.id]
    # The emulator handled one POST: applied but unanswered, it was read back and not sent
    # again; refused or dropped before, sent once more.
    assert emulator.requests().count("POST", INVITES) == 1


def test_a_lost_delete_answer_is_done(emulator):
    client = client_for(emulator)
    invite = client.create_invite("new@example.com", role="reader", projects=[])
    emulator.set_faults(Fault("DELETE", INVITE, "drop_after"))
    client.delete_invite(invite.id)
    assert invites_for(emulator, "new@example.com") == []
