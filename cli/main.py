"""``openai-access``: discover, audit, check, report, emulator. The wiring of arguments to the work.

Exit status: 0 done (audit: in sync), 1 audit found differences or check problems, 2 an error
(one line on stderr). Progress goes to stderr, results to stdout or the files asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, NoReturn, Sequence

import yaml

from ..components.access_spec import AccessSpec, parse_access_spec
from ..providers.access_gateway import AccessGateway
from ..providers.exclusive_decision import OrganizationPeople
from ..providers.organization_decision import OrganizationUser
from ..providers.admin_api.base_url import DEFAULT_BASE_URL
from ..providers.settings import BASE_URL_CONFIG, BASE_URL_ENV
from .access_map import build_access_map
from .audit import AuditResult, PendingInvite, audit
from .audit_report import audit_json, audit_markdown, audit_table, summary_line
from .connection import open_gateway
from .declared_resolution import resolve_declared
from .errors import error_line
from .live_org import LiveOrganization, active_projects, chosen_projects, read_organization
from .progress import Reporter, reporting
from .report_html import render_report
from .spec_check import read_facts, spec_problems
from .spec_yaml import render_spec
from .stack_file import (
    endpoint_settings,
    ensure_stack_can_read_a_spec_file,
    load_stack_spec,
    point_stack_at_spec,
    stack_config,
    stack_file,
)
from .team_inference import infer_teams

PROG = "openai-access"
EXIT_OK, EXIT_DIFFERENCES, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one line too, like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of requests per minute, got {text!r}")
    return value


def _examples(*lines: str) -> dict[str, object]:
    """The end of a command's --help: a few ready-to-run examples."""
    return {"epilog": "examples:\n" + "\n".join(f"  {line}" for line in lines),
            "formatter_class": argparse.RawDescriptionHelpFormatter}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Bring an OpenAI organization's project access under code, and check it.",
                     **_examples(f"{PROG} discover --stack prod            # write access-prod.yaml, point the stack at it",
                                 f"{PROG} audit --stack prod               # exit 0 in sync, 1 differences",
                                 f"{PROG} COMMAND --help                   # each command's options and examples"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    endpoint = argparse.ArgumentParser(add_help=False)
    endpoint.add_argument("--base-url", metavar="URL",
                          help="the Admin API (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)")
    endpoint.add_argument("--requests-per-minute", type=_positive, metavar="N",
                          help="an upper bound on the requests per minute to each endpoint; the pace the API "
                          "allows is learned anyway (default: $OPENAI_ADMIN_REQUESTS_PER_MINUTE, else none)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    discover = commands.add_parser(
        "discover", parents=[endpoint], help="write the live organization's access as a spec",
        description="Read the active projects, their members and their project roles, and write them as an "
        "access spec (teams of people with identical access, adopt: true). The key comes from $OPENAI_ADMIN_KEY.",
        **_examples(f"{PROG} discover --stack prod                # access-prod.yaml + Pulumi.prod.yaml",
                    f"{PROG} discover --project proj_abc -o web.yaml",
                    f"{PROG} discover --base-url http://127.0.0.1:8700/v1   # the emulator"),
    )
    discover.add_argument("--project", action="append", metavar="ID", help="only this project (repeatable)")
    discover.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the spec here (default: stdout)")
    discover.add_argument("--stack", metavar="NAME",
                          help="also point Pulumi.NAME.yaml (in this Pulumi project directory) at the spec file, "
                          "as openai-access:accessFile; the spec goes to --output or access-NAME.yaml")

    audit_cmd = commands.add_parser(
        "audit", parents=[endpoint], help="compare a spec with the live organization (read-only)",
        description="Compare a spec with the live organization, without Pulumi state. Exit status: 0 in sync, "
        "1 differences, 2 error. The key comes from $OPENAI_ADMIN_KEY.",
        **_examples(f"{PROG} audit --stack prod                   # the spec that stack reads",
                    f"{PROG} audit --spec access.yaml --markdown > audit.md",
                    f"{PROG} audit --spec access.yaml --json --project proj_abc --strict"),
    )
    _spec_source(audit_cmd)
    audit_cmd.add_argument("--all-projects", action="store_true", help="also report the projects the spec does not name")
    audit_cmd.add_argument("--project", action="append", metavar="ID", help="only this project (repeatable)")
    audit_cmd.add_argument("--strict", action="store_true",
                           help="count as differences the members and roles the spec does not declare in projects "
                           "that are not exclusive (by default information: the stack leaves them alone)")
    output = audit_cmd.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="machine-readable output (shape: README)")
    output.add_argument("--markdown", action="store_true", help="Markdown, for a pull-request comment")

    check = commands.add_parser(
        "check", parents=[endpoint], help="check a spec against the organization before preview and up (read-only)",
        description="What only the API knows, checked before any write: each project the spec names exists and "
        "is active, each person is in the organization, each custom role id is a role of its project. Every "
        "problem is named with its path in the spec. Exit status: 0 fine, 1 problems, 2 error. The key comes "
        "from $OPENAI_ADMIN_KEY.",
        **_examples(f"{PROG} check --stack prod                   # before pulumi preview / up",
                    f"{PROG} check --spec access.yaml"),
    )
    _spec_source(check)

    report = commands.add_parser(
        "report", parents=[endpoint], help="who has what where, as one HTML page (read-only)",
        description="Write one self-contained HTML page of people x projects: each cell the role, the extra "
        "roles, the team that gives them and until when, coloured by how it stands against the spec (in sync, "
        "missing, not declared, kept by a rail, ending within 14 days); filters by person, team and project. "
        "The key comes from $OPENAI_ADMIN_KEY.",
        **_examples(f"{PROG} report --stack prod --html access.html",
                    f"{PROG} report --spec access.yaml --html access.html --project proj_abc"),
    )
    _spec_source(report)
    report.add_argument("--html", type=Path, metavar="FILE", required=True, help="write the page here")
    report.add_argument("--project", action="append", metavar="ID", help="only this project (repeatable)")
    report.set_defaults(all_projects=False, strict=False)

    commands.add_parser("emulator", add_help=False, help="run the Admin API emulator (its own --help)")
    return parser


def _spec_source(command: argparse.ArgumentParser) -> None:
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--spec", type=Path, metavar="FILE", help="the access spec file")
    source.add_argument("--stack", metavar="NAME", help="the spec of Pulumi.NAME.yaml in this Pulumi project directory")


def main(argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        args, rest = build_parser().parse_known_args(argv)
        if args.command == "emulator":
            return _run_emulator(rest, stderr)
        if rest:
            build_parser().parse_args(argv)  # reports the unknown arguments, as one line
    except SystemExit as exit_:  # --help, --version, a usage error: argparse has printed it
        return EXIT_OK if exit_.code is None else exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    # What the error line names: the endpoint once known, and where the spec came from.
    context: dict[str, str | None] = {"base_url": args.base_url or os.environ.get(BASE_URL_ENV), "spec_source": None}
    try:
        if args.command == "discover":
            return _discover(args, stdout, stderr, context)
        context["spec_source"] = str(args.spec) if args.spec else f"Pulumi.{args.stack}.yaml"
        if args.command == "check":
            return _check(args, stdout, stderr, context)
        if args.command == "report":
            return _report(args, stderr, context)
        return _audit(args, stdout, stderr, context)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=stderr)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the command's contract: one line, no traceback
        line = error_line(error, base_url=context["base_url"], spec_source=context["spec_source"])
        print(f"{PROG}: error: {line}", file=stderr)
        return EXIT_ERROR


def _discover(args: argparse.Namespace, stdout: IO[str], stderr: IO[str], context: dict[str, str | None]) -> int:
    output: Path | None = args.output
    stack_settings: dict[str, str] = {}
    if args.stack:
        # Fail before reading anything: no Pulumi project here, or a stack with its spec inline.
        ensure_stack_can_read_a_spec_file(Path.cwd(), args.stack)
        if stack_file(Path.cwd(), args.stack).is_file():
            stack_settings = endpoint_settings(stack_config(Path.cwd(), args.stack))
        output = output or Path(f"access-{args.stack}.yaml")
    gateway = open_gateway(args.base_url, args.requests_per_minute)
    context["base_url"] = gateway.client.base_url
    with reporting(stderr) as reporter:
        projects = (chosen_projects(gateway, args.project, reporter) if args.project
                    else active_projects(gateway, reporter))
        # Key counts in the spec's comment block: one key listing per project that has accounts.
        org = read_organization(gateway, projects, reporter, count_keys=True, custom_roles=True)
        reporter.step("listing invites")
        now = time.time()
        invites = [invite for invite in gateway.invites() if invite.pending_at(now)]
    teams = infer_teams(org)
    text = render_spec(org, teams, invites)
    if output is None:
        stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
    if not org.members:
        print(f"{PROG}: warning: no memberships found: the spec has no team, and a stack needs at least one",
              file=stderr)
    where = f"wrote {output}" if output else "discovered"
    accounts = f"; {len(org.service_accounts)} service accounts listed as comments, not declared" \
        if org.service_accounts else ""
    accounts += f"; {len(invites)} pending invites listed as comments" if invites else ""
    print(f"{PROG}: {where}: {len(org.members)} memberships in {len(org.projects)} projects as {len(teams)} teams"
          f"{accounts}", file=stderr)
    if args.stack and output is not None:
        # The stack's providers must reach the API this spec was read from.
        read_from, had = gateway.client.base_url, stack_settings.get(BASE_URL_CONFIG)
        endpoint = {BASE_URL_CONFIG: read_from} if read_from != DEFAULT_BASE_URL or had not in (None, read_from) else {}
        stack_path = point_stack_at_spec(Path.cwd(), args.stack, output, endpoint)
        if endpoint and had != read_from:
            print(f"{PROG}: {stack_path.name}: {BASE_URL_CONFIG} set to {read_from}, where the spec was read from"
                  + (f" (was {had})" if had else ""), file=stderr)
        print(f"{PROG}: {stack_path.name} now reads its access from {output}; `pulumi up` adopts it with no write",
              file=stderr)
    return EXIT_OK


@dataclass(frozen=True)
class _Audited:
    spec: AccessSpec
    org: LiveOrganization
    user_ids: dict[str, str]
    result: AuditResult
    gateway: AccessGateway


def _audited(args: argparse.Namespace, stderr: IO[str], context: dict[str, str | None]) -> _Audited:
    """The spec, the organization read for it, and the audit of the one against the other."""
    spec, settings = _spec_and_settings(args)
    gateway = open_gateway(args.base_url, args.requests_per_minute, settings)
    context["base_url"] = gateway.client.base_url
    with reporting(stderr) as reporter:
        # Declared projects are found by name among the active ones (listed for them, or for the scope).
        projects = active_projects(gateway, reporter) if spec.projects or not args.project else {}
        resolution = resolve_declared(spec, gateway, projects, reporter)
        spec = resolution.spec  # keys that name something live are its ids from here on
        if args.project:
            in_scope = chosen_projects(gateway, args.project, reporter)
        else:
            named = {project_id for team in spec.teams.values() for project_id in team.grants} | set(spec.service_accounts)
            in_scope = {pid: name for pid, name in projects.items() if args.all_projects or pid in named}
        org = read_organization(gateway, in_scope, reporter)
        user_ids = _user_ids_by_email(gateway, spec, reporter)
        # The rails of exclusive projects: who keeps access though the spec does not declare them.
        owners = frozenset(user.id for user in gateway.organization_users() if user.role == "owner") \
            if spec.exclusive_projects else frozenset()
        pending = _pending_invites(gateway, spec, user_ids, reporter)
        people = _organization_users(gateway, spec, reporter)
    result = audit(spec, org, user_ids.get, pending=pending, organization=OrganizationPeople(owners=owners),
                   strict=args.strict, only=args.project, organization_users=people,
                   findings=resolution.findings)
    return _Audited(spec, org, user_ids, result, gateway)


def _audit(args: argparse.Namespace, stdout: IO[str], stderr: IO[str], context: dict[str, str | None]) -> int:
    result = _audited(args, stderr, context).result
    if args.json:
        stdout.write(audit_json(result))
    elif args.markdown:
        stdout.write(audit_markdown(result))
    else:
        stdout.write(audit_table(result, terminal=stdout.isatty()))
    if args.json or args.markdown:
        print(f"{PROG}: {summary_line(result)}", file=stderr)
    return EXIT_OK if result.in_sync else EXIT_DIFFERENCES


def _report(args: argparse.Namespace, stderr: IO[str], context: dict[str, str | None]) -> int:
    audited = _audited(args, stderr, context)
    names = {user.id: user.name for user in audited.gateway.organization_users() if user.name}
    access = build_access_map(audited.spec, audited.org, audited.result, audited.user_ids.get, names=names)
    page = render_report(access, title=str(context["spec_source"]), role_names=audited.org.role_names)
    args.html.parent.mkdir(parents=True, exist_ok=True)
    args.html.write_text(page)
    print(f"{PROG}: wrote {args.html}: {len(access.people)} people, {len(access.projects)} projects, "
          f"{access.memberships} memberships", file=stderr)
    return EXIT_OK


def _check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str], context: dict[str, str | None]) -> int:
    spec, settings = _spec_and_settings(args)
    gateway = open_gateway(args.base_url, args.requests_per_minute, settings)
    context["base_url"] = gateway.client.base_url
    with reporting(stderr) as reporter:
        facts = read_facts(gateway, spec, reporter)
    problems = spec_problems(spec, facts)
    for problem in problems:
        stdout.write(f"{context['spec_source']}: {problem}\n")
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{PROG}: {len(problems)} {noun} in the spec; fix them before `pulumi up` (nothing was written)",
              file=stderr)
        return EXIT_DIFFERENCES
    print(f"{PROG}: the spec checks out against the organization: {len(facts.projects)} projects, "
          f"{len(facts.users)} people in the organization", file=stderr)
    return EXIT_OK


def _spec_and_settings(args: argparse.Namespace) -> tuple[AccessSpec, dict[str, str]]:
    if args.stack:
        return load_stack_spec(Path.cwd(), args.stack), endpoint_settings(stack_config(Path.cwd(), args.stack))
    if not args.spec.is_file():
        raise FileNotFoundError(f"no spec file {args.spec}: give the path of an access spec (YAML)")
    return parse_access_spec(yaml.safe_load(args.spec.read_text())), {}


def _user_ids_by_email(gateway: AccessGateway, spec: AccessSpec, reporter: Reporter) -> dict[str, str]:
    """The user id of each person the spec names by email only (one listing of the organization)."""
    emails = sorted({m.email.casefold() for team in spec.teams.values() for m in team.members
                     if m.email and not m.user_id})
    if not emails:
        return {}
    reporter.step("looking up people by email", len(emails))
    found = {}
    for email in emails:
        user = gateway.find_user_by_email(email)
        if user is not None:
            found[email] = user.id
        reporter.advance()
    return found


def _organization_users(gateway: AccessGateway, spec: AccessSpec, reporter: Reporter) -> list[OrganizationUser]:
    """With ``organization.exclusive``, everyone in the organization (one shared listing)."""
    if not spec.organization.exclusive:
        return []
    reporter.step("listing the organization's users")
    return [OrganizationUser.of(user) for user in gateway.organization_users()]


def _pending_invites(gateway: AccessGateway, spec: AccessSpec, user_ids: dict[str, str],
                     reporter: Reporter) -> dict[str, PendingInvite]:
    """The pending invites of people the spec names by email who are not in the organization
    (the invites are listed only when there is such a person)."""
    absent = {m.email.casefold() for team in spec.teams.values() for m in team.members
              if m.email and not m.user_id} - set(user_ids)
    if not absent:
        return {}
    reporter.step("listing invites")
    now = time.time()
    return {invite.email.casefold(): PendingInvite(invite.email.casefold(), invite.id, invite.expires_at)
            for invite in gateway.invites() if invite.email.casefold() in absent and invite.pending_at(now)}


def _run_emulator(argv: Sequence[str], stderr: IO[str]) -> int:
    try:
        from ..emulator.cli import main as emulator_main
    except ImportError as error:
        print(f"{PROG}: error: the emulator needs its extra ({error}): "
              "pip install 'pulumi-openai-access[emulator]'", file=stderr)
        return EXIT_ERROR
    return emulator_main(list(argv), prog=f"{PROG} emulator")


def _version() -> str:
    try:
        return version("pulumi-openai-access")
    except PackageNotFoundError:
        return "(not installed)"
