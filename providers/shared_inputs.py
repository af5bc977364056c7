"""Properties that several resources declare alike, with their rules: the project (every
resource), the user, ``adopt`` and the requested email (the membership, the role assignment
and a group's user), and the group (a group's users and grants). The access spec names
people by the same rules (``person_problems``)."""

from __future__ import annotations

from typing import Any, Mapping

from .input_checks import (
    EMAIL_PATTERN,
    PROJECT_ID_PATTERN,
    USER_ID_PATTERN,
    is_given,
    matching,
    name,
    true_or_false,
)
from .input_diff import same_flag
from .resource_schema import Change, Input, Output, UserInputs
from .user_reference import requested_email

PROJECT = Input(
    "project_id", str, "The project's id, `proj_…`. A new project replaces the resource.",
    rule=matching(PROJECT_ID_PATTERN, "a project id such as 'proj_abc123'"),
    required=True, on_change=Change.REPLACE,
)
USER = UserInputs(
    user_id=matching(USER_ID_PATTERN, "a user id such as 'user-abc123' (an email needs an '@')"),
    email=matching(EMAIL_PATTERN, "an email address such as 'ada@example.com'"),
)
GROUP_ID = Input(
    "group_id", str, "The group's id, `group_…` (a `Group`'s `group_id`). A new group replaces the resource.",
    rule=name("a group id such as 'group_01J1F8ABCD'", max_length=200), required=True, on_change=Change.REPLACE,
)
ADOPT = Input(
    "adopt", bool,
    "Take over what already exists in OpenAI instead of failing (pulumi import cannot work for dynamic providers).",
    rule=true_or_false, normalize=bool, default=False, same=same_flag("adopt"),
)
REQUESTED_EMAIL = Output(
    "requested_email", str | None, "The email as the program wrote it, when it names the user by email.",
)


def as_written(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs that keep how the program wrote ``adopt`` and the user (a state from before
    ``adopt`` existed has none: false)."""
    return {"adopt": bool(inputs.get("adopt")), "requested_email": requested_email(inputs)}


def person_problems(person: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """What is wrong with a person named by ``user_id`` and/or ``email`` (both: the same
    person, the id is what the API is sent), as (the field, or None for the whole person,
    what is wrong). The spec's team members and the exclusive resource's members."""
    if not (is_given(person.get("user_id")) or is_given(person.get("email"))):
        return [(None, "needs a user_id or an email")]
    found = [(key, rule.problem(person[key])) for key, rule in (("user_id", USER.user_id), ("email", USER.email))
             if is_given(person.get(key))]
    return [(key, problem) for key, problem in found if problem is not None]
