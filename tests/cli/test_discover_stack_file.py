"""``discover --stack`` and the stack file (issue 18): the URL the spec was read from is
recorded, the encryption salt of ``pulumi stack init`` stays, and a stack with its spec
inline is refused before anything is read or written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

SALT = "encryptionsalt: v1:abc=:v1:def:ghi==\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: infra\nruntime: python\n")
    return tmp_path


def test_the_base_url_is_recorded_next_to_the_salt_of_stack_init(cli, emulator, project):
    (project / "Pulumi.prod.yaml").write_text(SALT)

    run = cli("discover", "--stack", "prod", "--base-url", emulator.base_url, env={"OPENAI_BASE_URL": None})

    assert run.code == 0, run.stderr
    assert yaml.safe_load((project / "Pulumi.prod.yaml").read_text()) == {
        "encryptionsalt": "v1:abc=:v1:def:ghi==",
        "config": {"infra:accessFile": "access-prod.yaml", "openai:baseUrl": emulator.base_url},
    }
    assert (project / "access-prod.yaml").is_file()


def test_a_stack_file_created_by_discover_carries_no_salt(cli, emulator, project):
    assert cli("discover", "--stack", "dev").code == 0
    assert "encryptionsalt" not in (project / "Pulumi.dev.yaml").read_text()


def test_the_public_api_is_not_written_as_a_setting(cli, emulator, project, monkeypatch):
    from pulumi_openai_access.cli import main as command

    monkeypatch.setattr(command, "DEFAULT_BASE_URL", emulator.base_url)  # the emulator plays the public API here
    assert cli("discover", "--stack", "dev").code == 0
    assert "openai:baseUrl" not in (project / "Pulumi.dev.yaml").read_text()


def test_an_inline_spec_is_refused_before_any_request_or_file(cli, emulator, project):
    inline = "config:\n  infra:access:\n    teams: {}\n"
    (project / "Pulumi.prod.yaml").write_text(inline)
    before = emulator.requests().total

    run = cli("discover", "--stack", "prod")

    assert run.code == 2
    assert run.error_lines == ["openai-access: error: Pulumi.prod.yaml holds the spec inline (infra:access): remove "
                               "it first, or write the discovered spec there yourself"]
    assert emulator.requests().total == before
    assert sorted(p.name for p in project.iterdir()) == ["Pulumi.prod.yaml", "Pulumi.yaml"]
    assert (project / "Pulumi.prod.yaml").read_text() == inline
