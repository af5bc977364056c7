"""Every ``openai-access`` command's --help ends with two or three examples (issue 18); the
commands are read from the parser, so a new command is held to it too."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from pulumi_openai_access.cli.main import build_parser


def commands() -> list[str]:
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(subparsers.choices)


def examples_at_the_end(help_text: str) -> list[str]:
    tail = help_text.rstrip().split("\nexamples:\n")[-1]
    return [line for line in tail.splitlines() if line.strip()]


@pytest.mark.parametrize("command", [None, *commands()])
def test_help_ends_with_two_or_three_examples(command: str | None):
    argv = ["--help"] if command is None else [command, "--help"]
    shown = subprocess.run([sys.executable, "-m", "pulumi_openai_access", *argv], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    assert "\nexamples:\n" in shown
    lines = examples_at_the_end(shown)
    assert 2 <= len(lines) <= 3, shown
    runner = "openai-access" if command != "emulator" else "openai-access emulator"
    assert all(line.strip().startswith(runner) for line in lines), lines
