"""``python -m scripts.stack``, the stand-in for ``pulumi`` where the language host is missing
(issue 18): the README's commands and flags pass through, it shares ``pulumi``'s backend
and stacks, an unknown stack is refused with the list, and a failure shows the engine's own
error lines once, exit 1, no Python traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "stand-in test"


@pytest.fixture
def project(tmp_path: Path, pulumi_cli: Path, emulator: EmulatorProcess):
    directory = tmp_path / "project"
    directory.mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.yaml", directory)
    env = {
        **os.environ,
        "PATH": f"{pulumi_cli}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_BACKEND_URL": (tmp_path / "backend").as_uri(), "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PYTHONPATH": str(REPO_ROOT),  # `scripts` of this checkout, from a project directory elsewhere
    }
    env.pop("OPENAI_ADMIN_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    (tmp_path / "backend").mkdir()

    def run(*argv: str, pulumi: bool = False) -> subprocess.CompletedProcess[str]:
        command = [str(pulumi_cli / "pulumi")] if pulumi else [sys.executable, "-m", "scripts.stack"]
        return subprocess.run([*command, *argv], cwd=directory, env=env, capture_output=True, text=True, timeout=300)

    run.directory = directory  # type: ignore[attr-defined]
    return run


def write_spec(directory: Path, roles: list[str]) -> None:
    spec = {"adopt": True, "teams": {"data": {"members": ["barbara@example.com"],
                                              "grants": {SAMPLE.DATA: {"role": "member", "roles": roles}}}}}
    (directory / "access.yaml").write_text(yaml.safe_dump(spec))


def test_the_readme_commands_pass_through_on_pulumis_own_backend(project, emulator):
    assert project("stack", "init", "prod", pulumi=True).returncode == 0
    assert project("config", "set", "openai:baseUrl", emulator.base_url).returncode == 0  # passed to the CLI
    assert project("config", "set", "--secret", "openai:adminKey", emulator.admin_key).returncode == 0
    assert project("config", "set", "openai-access:accessFile", "access.yaml").returncode == 0
    write_spec(project.directory, [SAMPLE.VIEWER_ROLE])

    up = project("up", "--yes", "--skip-preview")
    preview = project("preview", "--refresh", "--diff", "--expect-no-changes")
    refresh = project("refresh", "--clear-pending-creates", "--yes")
    output = project("stack", "output", "summary", pulumi=True)  # pulumi itself sees what the stand-in did
    listed = project("stack", "ls")

    assert up.returncode == 0, up.stdout + up.stderr
    assert "+ 3 created" in up.stdout
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    assert output.returncode == 0 and "barbara@example.com member" in output.stdout, output.stderr
    assert listed.returncode == 0 and "prod" in listed.stdout


def test_an_unknown_stack_is_refused_with_the_list_and_not_created(project):
    assert project("stack", "init", "prod", pulumi=True).returncode == 0
    files = sorted(path.name for path in project.directory.iterdir())

    typo = project("preview", "--stack", "prdo")

    assert typo.returncode == 2
    assert typo.stderr.strip().splitlines() == [
        "python -m scripts.stack: error: no stack named 'prdo' in this backend (stacks: prod): check the name, "
        "or create it with `pulumi stack init prdo` (or add --create)"]
    assert sorted(path.name for path in project.directory.iterdir()) == files  # no Pulumi.prdo.yaml
    assert "prdo" not in project("stack", "ls", pulumi=True).stdout


def test_a_failure_shows_the_engines_error_once_without_a_traceback(project, emulator):
    assert project("stack", "init", "prod", pulumi=True).returncode == 0
    project("config", "set", "openai:baseUrl", emulator.base_url)
    project("config", "set", "--secret", "openai:adminKey", emulator.admin_key)
    project("config", "set", "openai-access:accessFile", "access.yaml")
    write_spec(project.directory, ["role_01J1F8NOSUCHROLE0000000000A"])

    failed = project("up")

    assert failed.returncode == 1
    everything = failed.stdout + failed.stderr
    assert "Traceback" not in everything
    error = "cannot assign role role_01J1F8NOSUCHROLE0000000000A in project"
    diagnostics = failed.stdout.split("Diagnostics:", 1)[1].split("Outputs:", 1)[0]
    [line] = [line for line in diagnostics.splitlines() if error in line]  # once, as the engine shows it
    assert line.strip().startswith("error: ValueError: ") and "`openai-access check --stack NAME`" in line
    assert error not in failed.stderr  # and not repeated by the stand-in


def test_a_bad_spec_is_its_problems_alone(project, emulator):
    assert project("stack", "init", "prod", pulumi=True).returncode == 0
    project("config", "set", "openai-access:accessFile", "access.yaml")
    write_spec(project.directory, ["role-api-project-veiwer"])

    failed = project("preview")

    assert failed.returncode == 1
    assert "Traceback" not in failed.stdout + failed.stderr
    assert "did you mean 'role-api-project-viewer'?" in failed.stdout
