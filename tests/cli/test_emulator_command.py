"""``openai-access emulator``: the emulator under the command's entry point, so that discover
and audit can be tried without an account."""

from __future__ import annotations

import subprocess
import sys

from pulumi_openai_access.emulator.process import DEFAULT_ADMIN_KEY


def test_the_emulator_runs_under_the_command_and_discover_reads_it(cli):
    process = subprocess.Popen([sys.executable, "-m", "pulumi_openai_access", "emulator", "--port", "0", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), first
        base_url = first.removeprefix("listening on ").strip()

        run = cli("discover", "--base-url", base_url, env={"OPENAI_ADMIN_KEY": DEFAULT_ADMIN_KEY})

        assert run.code == 0, run.stderr
        assert "ada@example.com" in run.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_emulators_own_help_names_the_command(cli, capsys):
    assert cli("emulator", "--help").code == 0
    assert capsys.readouterr().out.startswith("usage: openai-access emulator [-h]")
