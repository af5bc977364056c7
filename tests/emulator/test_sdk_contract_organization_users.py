"""The official openai SDK against the emulator's organization user removal (issue 21):
``DELETE /organization/users/{user_id}`` takes the user's memberships and roles with them;
the last owner is refused (decided in ``behaviour``); the SCIM and service-account flags of
seeded users are in the listing.

See ``tests/emulator/test_sdk_contract.py`` for why the SDK is the judge of the emulator's shapes.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization import UserDeleteResponse

from pulumi_openai_access.emulator.process import ORGANIZATION_USER, SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.admin_api import behaviour


@pytest.fixture
def org(emulator: EmulatorProcess) -> Any:
    client = openai.OpenAI(admin_api_key=emulator.admin_key, api_key="unused", base_url=emulator.base_url,
                           max_retries=0)
    return client.admin.organization


def test_a_removed_user_leaves_with_their_memberships_and_roles(emulator: EmulatorProcess, org: Any) -> None:
    deleted = org.users.delete(SAMPLE.EDSGER)
    assert isinstance(deleted, UserDeleteResponse)
    assert (deleted.object, deleted.id, deleted.deleted) == ("organization.user.deleted", SAMPLE.EDSGER, True)
    assert SAMPLE.EDSGER not in [user.id for user in org.users.list()]
    state = emulator.state()
    assert not [m for m in state["memberships"] if m["user_id"] == SAMPLE.EDSGER]
    assert not [a for a in state["role_assignments"] if a["user_id"] == SAMPLE.EDSGER]
    assert emulator.requests().count("DELETE", ORGANIZATION_USER) == 1
    with pytest.raises(openai.NotFoundError):
        org.users.delete(SAMPLE.EDSGER)


def test_the_last_owner_stays(emulator: EmulatorProcess, org: Any) -> None:
    org.users.delete(SAMPLE.GRACE)  # ada is an owner too
    with pytest.raises(openai.BadRequestError, match=behaviour.LAST_OWNER_FRAGMENT):
        org.users.delete(SAMPLE.ADA)


def test_service_account_and_scim_flags_are_listed(emulator: EmulatorProcess, org: Any) -> None:
    seed = emulator.state()
    seed["users"] += [
        {"id": "user-Bot000000000000000000000", "email": "bot@example.com", "name": "ci", "role": "reader",
         "is_service_account": True},
        {"id": "user-Scim00000000000000000000", "email": "scim@example.com", "name": "Scim", "role": "reader",
         "is_scim_managed": True},
    ]
    emulator.reset(seed)
    users = {user.email: user for user in org.users.list()}
    assert (users["bot@example.com"].is_service_account, users["bot@example.com"].is_scim_managed) == (True, False)
    assert (users["scim@example.com"].is_service_account, users["scim@example.com"].is_scim_managed) == (False, True)
    assert (users["ada@example.com"].is_service_account, users["ada@example.com"].is_scim_managed) == (False, False)
    assert emulator.state()["users"][-1]["is_scim_managed"] is True
