"""An error response's status and message decide its error type, as ``behaviour`` says the API answers."""

from __future__ import annotations

import pytest

from pulumi_openai_access.providers.admin_api import (
    AlreadyAssignedError,
    AlreadyMemberError,
    AssigneeNotMemberError,
    InvalidRequestError,
    NotFoundError,
    NotInOrganizationError,
    ProjectArchivedError,
    behaviour,
)
from pulumi_openai_access.providers.admin_api.response_errors import classify


@pytest.mark.parametrize("status, message, expected", [
    (behaviour.ALREADY_MEMBER_STATUS, behaviour.ALREADY_MEMBER_MESSAGE, AlreadyMemberError),
    (behaviour.NOT_IN_ORGANIZATION_STATUS, behaviour.NOT_IN_ORGANIZATION_MESSAGE, NotInOrganizationError),
    (behaviour.NOT_PROJECT_MEMBER_STATUS, behaviour.NOT_PROJECT_MEMBER_MESSAGE, NotFoundError),
    (400, behaviour.NOT_PROJECT_MEMBER_MESSAGE, NotFoundError),  # its status is unconfirmed
    (behaviour.ARCHIVED_PROJECT_STATUS, behaviour.ARCHIVED_PROJECT_MESSAGE, ProjectArchivedError),
    (behaviour.ASSIGNEE_NOT_MEMBER_STATUS, behaviour.ASSIGNEE_NOT_MEMBER_MESSAGE, AssigneeNotMemberError),
    (behaviour.ALREADY_ASSIGNED_STATUS, behaviour.ALREADY_ASSIGNED_MESSAGE, AlreadyAssignedError),
    (behaviour.NOT_ASSIGNED_STATUS, behaviour.NOT_ASSIGNED_MESSAGE, NotFoundError),
    (behaviour.UNKNOWN_ROLE_STATUS, behaviour.UNKNOWN_ROLE_MESSAGE, NotFoundError),
    (behaviour.UNKNOWN_PROJECT_STATUS, behaviour.UNKNOWN_PROJECT_MESSAGE, NotFoundError),
    (400, "Something else entirely", InvalidRequestError),
])
def test_classification_follows_behaviour(status, message, expected):
    text = message.format(user_id="user-A", project_id="proj_B", role_id="role_C", user="user-A")
    assert classify(status, text) is expected
