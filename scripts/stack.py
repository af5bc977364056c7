"""A stand-in for ``pulumi`` where this machine lacks the Python language host.

``pulumi preview|up|refresh|destroy`` in a project directory need ``pulumi-language-python``,
which ``scripts/get-pulumi.sh`` cannot get everywhere. This runs those four the same way,
through the Automation API (the stack program runs in this process), with the flags the
README uses; every other command goes to the ``pulumi`` CLI unchanged. Run it in the project
directory, from this checkout's virtualenv:

    .venv/bin/python -m scripts.stack preview --refresh --diff
    .venv/bin/python -m scripts.stack up --stack prod
    .venv/bin/python -m scripts.stack refresh --clear-pending-creates

It is ``pulumi`` in every other respect: the same backend (``pulumi login``, or
$PULUMI_BACKEND_URL), the same selected stack (``pulumi stack select``, or ``--stack``), the
same stack files and secrets provider ($PULUMI_CONFIG_PASSPHRASE for the passphrase one). A
stack that does not exist is refused with the list of stacks (``--create`` creates it). A
failure prints the engine's own error lines once and exits non-zero.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

from pulumi import automation as auto

from pulumi_openai_access.components.stack_program import provision_access
from scripts.stack_runner import engine_env, pulumi_bin_dir, pulumi_command

PROG = "python -m scripts.stack"
ENGINE_COMMANDS = ("preview", "up", "refresh", "destroy")
EXIT_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {PROG} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-s", "--stack", metavar="NAME", help="the stack (default: the selected one)")
    common.add_argument("--create", action="store_true", help="create the stack if it does not exist")
    common.add_argument("--diff", action="store_true", help="show the diff of each resource")
    common.add_argument("-t", "--target", action="append", metavar="URN", help="only this resource (repeatable)")
    common.add_argument("-m", "--message", help="a message for the update's history")
    common.add_argument("-p", "--parallel", type=int, metavar="N", help="at most N resource operations at once")
    common.add_argument("--color", choices=("always", "never", "raw", "auto"), help="colourize the output")
    common.add_argument("--suppress-outputs", action="store_true", help="do not show the stack's outputs")
    # Never prompts: these are accepted so that `pulumi` command lines run unchanged.
    for flag in ("--yes", "-y", "--skip-preview", "-f", "--non-interactive"):
        common.add_argument(flag, action="store_true", dest="_ignored", help=argparse.SUPPRESS)
    for name in ENGINE_COMMANDS:
        sub = commands.add_parser(name, parents=[common], help=f"pulumi {name}, the stack program run in-process")
        if name != "refresh":
            sub.add_argument("-r", "--refresh", action="store_true", help="refresh the state first")
        if name in ("preview", "up", "refresh"):
            sub.add_argument("--expect-no-changes", action="store_true", help="fail if there is any change")
        if name == "refresh":
            sub.add_argument("--clear-pending-creates", action="store_true",
                             help="drop the creates an interrupted run never saw finish")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] not in (*ENGINE_COMMANDS, "-h", "--help"):
        return _pulumi_cli(argv)  # everything else is the CLI's own: stack ls, stack output, cancel, config...
    args = build_parser().parse_args(argv)
    workspace = auto.LocalWorkspace(work_dir=str(Path.cwd()), program=provision_access,
                                    env_vars=engine_env(), pulumi_command=pulumi_command())
    try:
        stack = _stack(workspace, args.stack, create=args.create)
    except auto.CommandError as error:
        code = _failed(error, None)
        if "login" in str(error):
            print(f"{PROG}: no Pulumi backend in this shell: run `pulumi login --local` (or `pulumi login URL`)",
                  file=sys.stderr)
        return code
    errors: list[str] = []
    try:
        _run(stack, args, on_output=lambda line: print(line, flush=True), on_error=errors.append)
    except auto.CommandError as error:
        return _failed(error, errors)
    return 0


def _run(stack: auto.Stack, args: argparse.Namespace, **streams: Callable[[str], Any]) -> None:
    options: dict[str, Any] = {
        "diff": args.diff or None, "target": args.target, "message": args.message, "parallel": args.parallel,
        "color": args.color, "suppress_outputs": args.suppress_outputs or None, **streams,
    }
    if args.command != "refresh":
        options["refresh"] = args.refresh or None
    if args.command in ("preview", "up", "refresh"):
        options["expect_no_changes"] = args.expect_no_changes or None
    if args.command == "refresh":
        options["clear_pending_creates"] = args.clear_pending_creates or None
    if args.command == "destroy":
        options.pop("message")
    getattr(stack, args.command)(**{key: value for key, value in options.items() if value is not None})


def _stack(workspace: auto.LocalWorkspace, name: str | None, *, create: bool) -> auto.Stack:
    """The stack to run, as ``pulumi`` picks it; a name the backend does not know is refused."""
    known = sorted(summary.name for summary in workspace.list_stacks())
    selected = name or next((s.name for s in workspace.list_stacks() if s.current), None)
    listing = ", ".join(known) or "none yet"
    if selected is None:
        _exit(f"no stack selected: pass --stack NAME or run `pulumi stack select NAME` (stacks: {listing})")
    if selected not in known and selected.rpartition("/")[2] not in known:
        if not create:
            _exit(f"no stack named {selected!r} in this backend (stacks: {listing}): check the name, or create it "
                  f"with `pulumi stack init {selected}` (or add --create)")
        return auto.Stack.create(selected, workspace)
    return auto.Stack.select(selected, workspace)


def _failed(error: auto.CommandError, streamed_errors: list[str] | None) -> int:
    """The engine's own error lines, once: the ones it wrote to stdout were shown as they
    came, those on stderr follow; never a Python traceback of this wrapper. ``streamed_errors``
    None: nothing was streamed, the error's text holds the command's stderr."""
    lines = _stderr_of(error) if streamed_errors is None else [line.rstrip() for line in streamed_errors]
    for line in dict.fromkeys(line for line in lines if line.strip()):
        print(line, file=sys.stderr)
    return 1


def _stderr_of(error: auto.CommandError) -> list[str]:
    """The stderr part of a ``CommandError``'s text (it carries the command's whole result)."""
    text = str(error)
    stderr = text.split("\n stderr: ", 1)[1] if "\n stderr: " in text else text
    return [line for line in stderr.splitlines() if line.strip()]


def _pulumi_cli(argv: list[str]) -> int:
    pulumi = pulumi_bin_dir() / "pulumi"
    return subprocess.run([str(pulumi), *argv], env={**os.environ, **engine_env()}).returncode


def _exit(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_ERROR)


if __name__ == "__main__":
    sys.exit(main())
