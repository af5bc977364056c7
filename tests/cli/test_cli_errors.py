"""The command's errors: each one line on stderr, no traceback, naming what to do, exit
status 2, and never the key. Checked before anything is read where that is possible."""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import yaml

from pulumi_openai_access.cli.connection import COMMAND_RETRY
from pulumi_openai_access.emulator.process import SAMPLE
from pulumi_openai_access.providers.admin_api.retry import RetryPolicy
from tests.support.client import unused_port

WRONG_KEY = "sk-admin-WrongButSecret0123456789"


def assert_one_error_line(run, expected_start: str) -> str:
    assert run.code == 2, run.stderr
    assert len(run.error_lines) == 1, run.stderr
    assert run.stderr.rstrip("\n").splitlines()[-1] == run.error_lines[0]
    assert run.error_lines[0].startswith(expected_start), run.error_lines[0]
    assert "Traceback" not in run.stderr
    return run.error_lines[0]


def test_no_key_says_where_the_key_goes(cli, emulator):
    before = emulator.requests().total

    run = cli("discover", env={"OPENAI_ADMIN_KEY": None})

    line = assert_one_error_line(run, "openai-access: error: no admin key: export OPENAI_ADMIN_KEY")
    assert "Admin keys" in line
    assert emulator.requests().total == before


def test_a_refused_key_is_a_401_line_without_the_key(cli):
    run = cli("discover", env={"OPENAI_ADMIN_KEY": WRONG_KEY})

    line = assert_one_error_line(run, "openai-access: error: http://127.0.0.1:")
    assert "refused the admin key" in line and "401" in line and "check that $OPENAI_ADMIN_KEY" in line
    assert "WrongButSecret" not in run.stdout + run.stderr


def test_an_unreachable_url_names_the_url_and_the_settings(cli, emulator):
    port = urlsplit(emulator.base_url).port
    url = f"https://127.0.0.1:{port}/v1"  # TLS to a plain-HTTP server: fails at once, never retried

    run = cli("discover", "--base-url", url)

    line = assert_one_error_line(run, f"openai-access: error: cannot reach {url}: TLS failure")
    assert line.endswith("check --base-url / $OPENAI_BASE_URL and the network")


@pytest.mark.parametrize("command", [["discover"], ["audit", "--spec", "SPEC"]])
def test_a_refused_url_fails_at_once_not_after_the_retry_budget(cli, tmp_path, command):
    spec = tmp_path / "access.yaml"
    spec.write_text(yaml.safe_dump({"teams": {"t": {"members": ["a@example.com"], "grants": {SAMPLE.WEB: "member"}}}}))
    url = f"http://127.0.0.1:{unused_port()}/v1"  # nothing listens: refused, no byte sent
    started = time.monotonic()

    run = cli(*[str(spec) if arg == "SPEC" else arg for arg in command], "--base-url", url)

    elapsed = time.monotonic() - started
    line = assert_one_error_line(run, f"openai-access: error: cannot reach {url}: could not connect:")
    assert "Connection refused" in line and line.endswith("check --base-url / $OPENAI_BASE_URL and the network")
    assert elapsed < 5, elapsed  # the client's usual retries of a refused connection last ~2 minutes
    assert "retrying" not in run.stderr


def test_the_command_retries_as_the_providers_do_once_the_api_answered():
    assert COMMAND_RETRY == RetryPolicy(retry_unreachable_before_first_answer=False)
    assert RetryPolicy().retry_unreachable_before_first_answer  # the providers' default is unchanged


def test_plain_http_to_another_host_is_refused_before_any_request(cli):
    run = cli("audit", "--spec", "unused.yaml", env={"OPENAI_BASE_URL": "http://admin.example.com/v1"})
    assert_one_error_line(run, "openai-access: error: no spec file unused.yaml: give the path")  # spec first

    run = cli("discover", "--base-url", "http://admin.example.com/v1")

    line = assert_one_error_line(run, "openai-access: error: refusing plain http:// to 'admin.example.com'")
    assert "use https://" in line


def test_a_spec_that_does_not_parse_gives_every_problem_with_its_path(cli, emulator, tmp_path):
    spec = tmp_path / "access.yaml"
    spec.write_text(yaml.safe_dump({"teams": {"web": {
        "members": ["ada@example.com", "not-an-id"], "grants": {SAMPLE.WEB: "admin"}}}}))
    before = emulator.requests().total

    run = cli("audit", "--spec", str(spec))

    line = assert_one_error_line(run, f"openai-access: error: {spec}: invalid access spec: ")
    assert "teams.web.members.1: user_id 'not-an-id' is not a user id" in line
    assert f"teams.web.grants.{SAMPLE.WEB}.role: must be 'owner' or 'member', got 'admin'" in line
    assert emulator.requests().total == before


def test_a_spec_that_is_not_yaml_says_where(cli, tmp_path):
    spec = tmp_path / "access.yaml"
    spec.write_text("teams:\n  web: [unclosed\n")

    line = assert_one_error_line(cli("audit", "--spec", str(spec)), f"openai-access: error: {spec}: not valid YAML: ")
    assert "line 3" in line


def test_an_unknown_project_names_the_id(cli):
    line = assert_one_error_line(cli("discover", "--project", "proj_Nope"), "openai-access: error: No project found")
    assert "proj_Nope" in line and "404" in line


def test_a_stack_that_does_not_exist(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: infra\n")

    line = assert_one_error_line(cli("audit", "--stack", "prod"), "openai-access: error: no Pulumi.prod.yaml in ")
    assert "is the stack called 'prod'?" in line


@pytest.mark.parametrize("argv, expected", [
    (["audit"], "openai-access audit: error: one of the arguments --spec --stack is required"),
    (["discover", "--requests-per-minute", "0"], "openai-access discover: error: argument --requests-per-minute"),
    (["discover", "--frobnicate"], "openai-access: error: unrecognized arguments: --frobnicate"),
])
def test_usage_mistakes_are_one_line_too(cli, capsys, argv, expected):
    run = cli(*argv)

    err = capsys.readouterr().err
    assert run.code == 2
    assert err.count("\n") == 1 and err.startswith(expected), err


def test_the_installed_entry_points_fail_as_cleanly(emulator):
    env = {"PATH": "/usr/bin:/bin", "OPENAI_BASE_URL": emulator.base_url, "OPENAI_ADMIN_KEY": WRONG_KEY}

    result = subprocess.run([sys.executable, "-m", "pulumi_openai_access", "discover"], env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("openai-access: error: http://127.0.0.1:")
    assert "Traceback" not in result.stderr and "WrongButSecret" not in result.stderr + result.stdout
