"""Properties that several resources declare alike: the project (every resource), and the
user, ``adopt`` and the requested email (the membership and the role assignment)."""

from __future__ import annotations

from .input_checks import PROJECT_ID_PATTERN, matching, true_or_false
from .input_diff import same_flag
from .resource_schema import Change, Input, Output, UserInputs

PROJECT = Input(
    "project_id", str, "The project's id, `proj_…`. A new project replaces the resource.",
    rule=matching(PROJECT_ID_PATTERN, "an OpenAI project id such as 'proj_abc123'"),
    required=True, on_change=Change.REPLACE,
)
USER = UserInputs()
ADOPT = Input(
    "adopt", bool,
    "Take over what already exists in OpenAI instead of failing (pulumi import cannot work for dynamic providers).",
    rule=true_or_false, normalize=bool, default=False, same=same_flag("adopt"),
)
REQUESTED_EMAIL = Output(
    "requested_email", str | None, "The email as the program wrote it, when it names the user by email.",
)
