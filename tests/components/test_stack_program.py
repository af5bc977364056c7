"""The stack program's reading of the spec from stack config, inline or from a YAML file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi
import pytest

from pulumi_openai_access.components import AccessSpecError
from pulumi_openai_access.components.stack_program import load_spec, readable_summary

SPEC = {"teams": {"web": {"members": ["ada@example.com"], "grants": {"proj_Web0000000000000000000000": "owner"}}}}


def config_with(values: dict[str, str]) -> pulumi.Config:
    pulumi.runtime.set_all_config({f"openai-access:{key}": value for key, value in values.items()})
    return pulumi.Config("openai-access")


def test_inline_spec_from_stack_config():
    spec = load_spec(config_with({"access": json.dumps(SPEC)}))
    assert list(spec.teams) == ["web"]
    assert spec.teams["web"].grants["proj_Web0000000000000000000000"].role == "owner"


def test_spec_from_a_yaml_file_relative_to_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "access.yaml").write_text(
        "teams:\n  web:\n    members: [ada@example.com]\n    grants:\n      proj_Web0000000000000000000000: member\n")
    spec = load_spec(config_with({"accessFile": "access.yaml"}))
    assert spec.teams["web"].grants["proj_Web0000000000000000000000"].role == "member"


@pytest.mark.parametrize(
    "values, words",
    [
        ({}, "set access (the spec inline) or accessFile"),
        ({"access": json.dumps(SPEC), "accessFile": "x.yaml"}, "not both"),
        ({"accessFile": "missing.yaml"}, "no such file"),
        ({"access": json.dumps({"teams": {"web": {"members": ["ada@example.com"], "grants": {}}}})},
         "teams.web.grants: a team needs at least one project grant"),
    ],
)
def test_config_problems_are_named(values, words, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AccessSpecError, match=re.escape(words)):
        load_spec(config_with(values))


def test_readable_summary_is_one_sorted_line_per_membership():
    access = {"proj_b": {"bob@example.com": {"role": "member", "roles": [], "teams": ["t"]}},
              "proj_a": {"ada@example.com": {"role": "owner", "roles": ["role-x"], "teams": ["t", "u"]}}}
    assert readable_summary(access) == ["proj_a: ada@example.com owner +role-x (t, u)",
                                        "proj_b: bob@example.com member (t)"]
