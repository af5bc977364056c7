"""An empty team name is refused with its path, like every other bad spec (issue 18)."""

from __future__ import annotations

import pytest

from pulumi_openai_access.components.access_spec import AccessSpecError, parse_access_spec


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_team_name_is_refused_with_its_path(name: str):
    raw = {"teams": {name: {"members": ["ada@example.com"], "grants": {"proj_abc": "member"}}}}
    with pytest.raises(AccessSpecError) as failure:
        parse_access_spec(raw)
    assert failure.value.problems == [
        "teams: a team name cannot be empty: name each team (it names nothing in OpenAI, only the team in the spec)"
    ]
