"""Stacks run through the real Pulumi engine (Automation API, inline program) against the
emulator over real sockets.

    def test_something(engine_stack, emulator):
        stack = engine_stack("lifecycle", spec={"teams": {...}})
        op = stack.up()
        assert op.changes == {"create": 7}
        assert op.requests.writes() == {...}
        stack.spec = {...}          # the next operation's program sees the new spec
        stack.preview()

Each stack has its own temporary project directory (``Pulumi.yaml``: ``name: openai-access``,
``runtime: python``), a file backend under it and passphrase secrets. Its config holds
``openai:adminKey`` as a secret and ``openai:baseUrl``: the key is never put in the
environment (``LocalWorkspace``'s repr prints its env vars). The inline program builds
``OrganizationAccess("organization", stack.spec)`` when ``stack.spec`` is set, and runs
``stack.extra()`` first when set (single resources, or a program that raises).

Every operation is an ``Operation``: the engine's output (``on_output``), its diagnostics
(``on_event``; the provider process's stderr arrives there, as ``info#err`` lines, since the
engine forwards plugin stderr), the error text if it failed, the change summary, and the
emulator's request counts during the operation (a delta of ``emulator.requests()``).

Where the key does go: the engine hands the dynamic provider plugin the whole stack config
and records it as the inputs and outputs of the default ``pulumi:providers:pulumi-python``
resource, so the key is in state there, encrypted because it is secret config (in plaintext
if it were not). ``Stack.export_stack()`` always decrypts (``--show-secrets``);
``EngineStack.export_encrypted()`` exports the state as stored.

The CLI comes from ``scripts/get-pulumi.sh`` (cached after the first build). If it cannot be
obtained, the engine tests fail with the reason under CI (``CI`` set to true), and are
skipped with the reason printed elsewhere.

Import the fixtures into a test module: ``from tests.support.engine import engine_stack, pulumi_cli``.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_openai_access.components import OrganizationAccess, parse_access_spec
from pulumi_openai_access.components.grant_merge import merge_grants
from scripts import stack_runner
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess

PROJECT_USER_TYPE = "pulumi-python:dynamic/openai:ProjectUser"
ROLE_ASSIGNMENT_TYPE = "pulumi-python:dynamic/openai:UserRoleAssignment"
PASSPHRASE = "engine-tests-passphrase"
WRITE_METHODS = ("POST", "DELETE", "PUT", "PATCH")


# --- the CLI ---------------------------------------------------------------------------------
def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


_cli: dict[str, Any] = {}


def pulumi_cli_or_reason() -> tuple[Path | None, str | None]:
    """The CLI's directory, or why it cannot be had (asked once per session)."""
    if not _cli:
        script = stack_runner.REPO_ROOT / "scripts" / "get-pulumi.sh"
        # Run once here to keep its messages for the reason; stack_runner's (cached) call then
        # finds the CLI in the cache at once.
        probe = subprocess.run(["bash", str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if probe.returncode != 0:
            tail = "\n".join(probe.stderr.strip().splitlines()[-5:])
            _cli.update(dir=None, reason=f"{script} failed (exit code {probe.returncode}):\n{tail}")
        else:
            try:
                bin_dir = stack_runner.pulumi_bin_dir()
            except (subprocess.CalledProcessError, OSError, IndexError) as error:
                _cli.update(dir=None, reason=f"{script} failed: {error}")
            else:
                found = (bin_dir / "pulumi").exists()
                reason = None if found else f"get-pulumi.sh printed {bin_dir}, which holds no pulumi"
                _cli.update(dir=bin_dir, reason=reason)
    return _cli["dir"], _cli["reason"]


@pytest.fixture(scope="session")
def pulumi_cli(request: pytest.FixtureRequest) -> Path:
    """The Pulumi CLI directory; fails under CI (``CI=true``), skips with the reason elsewhere."""
    bin_dir, reason = pulumi_cli_or_reason()
    if reason is not None or bin_dir is None:
        message = f"the engine tests need the Pulumi CLI: {reason}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"\nSKIPPING the engine tests (not under CI): {message}", yellow=True)
        pytest.skip(message)
    return bin_dir


# --- request counts --------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestDelta:
    """Requests the emulator saw during one operation, by ``"METHOD /v1/route"`` key."""

    handled: Mapping[str, int]
    faults: Mapping[str, int]
    rate_limited: Mapping[str, int]

    @classmethod
    def between(cls, before: Any, after: Any) -> RequestDelta:
        def minus(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
            return {k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0)}

        return cls(
            minus(after.by_route, before.by_route),
            minus(after.faults, before.faults),
            minus(after.rate_limited, before.rate_limited),
        )

    @property
    def total(self) -> int:
        """Every request that reached the API: handled, faulted or rate-limited."""
        return sum(self.handled.values()) + sum(self.faults.values()) + sum(self.rate_limited.values())

    def count(self, method: str, route: str) -> int:
        return self.handled.get(f"{method} {route}", 0)

    def writes(self) -> dict[str, int]:
        """Handled writes (the emulator applied them, or refused them with an error)."""
        return {k: v for k, v in self.handled.items() if k.split(" ", 1)[0] in WRITE_METHODS}


# --- one engine operation --------------------------------------------------------------------
@dataclass
class Operation:
    kind: str  # preview | up | refresh | destroy
    output: list[str] = field(default_factory=list)  # on_output lines
    events: list[auto.EngineEvent] = field(default_factory=list)
    error: str | None = None  # the CommandError text (stdout + stderr of the CLI) if it failed
    changes: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)  # stack outputs (plain values)
    result_stdout: str = ""
    result_stderr: str = ""
    requests: RequestDelta | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def text(self) -> str:
        """The engine's output as a user sees it, plus the error text."""
        return "\n".join(self.output) + "\n" + (self.error or "")

    @property
    def diagnostics(self) -> list[tuple[str, str, str | None]]:
        """(severity, message, urn) of every diagnostic event."""
        found = []
        for event in self.events:
            diagnostic = event.diagnostic_event
            if diagnostic is not None:
                found.append((diagnostic.severity, diagnostic.message, diagnostic.urn))
        return found

    @property
    def errors(self) -> str:
        """The error diagnostics' messages."""
        return "\n".join(message for severity, message, _ in self.diagnostics if severity == "error")

    @property
    def provider_stderr(self) -> str:
        """The dynamic provider process's stderr, as the engine forwarded it."""
        return "".join(message for severity, message, _ in self.diagnostics if severity == "info#err")

    @property
    def everything(self) -> str:
        """Every text the operation produced: output, diagnostics, events, error, stdout, stderr."""
        parts = [self.text, self.result_stdout, self.result_stderr]
        parts += [json.dumps(_event_json(event), default=str) for event in self.events]
        return "\n".join(parts)


def _event_json(event: Any) -> Any:
    """An EngineEvent as plain data, whatever fields it has."""
    if isinstance(event, (str, int, float, bool)) or event is None:
        return event
    if isinstance(event, Mapping):
        return {str(k): _event_json(v) for k, v in event.items()}
    if isinstance(event, (list, tuple)):
        return [_event_json(v) for v in event]
    if hasattr(event, "__dict__"):
        return {k: _event_json(v) for k, v in vars(event).items()}
    return str(event)


# --- a stack ---------------------------------------------------------------------------------
class EngineStack:
    """One stack of the ``openai-access`` project, run by the real engine."""

    def __init__(
        self,
        name: str,
        emulator: EmulatorProcess,
        root: Path,
        *,
        spec: Mapping[str, Any] | None = None,
        extra: Callable[[], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.emulator = emulator
        self.work_dir = root / "project"
        self.state_dir = root / "backend"
        self.work_dir.mkdir(parents=True)
        (self.work_dir / "Pulumi.yaml").write_text("name: openai-access\nruntime: python\n")
        self.spec: Mapping[str, Any] | None = spec  # read by the program at each operation
        self.extra = extra
        self.operations: list[Operation] = []
        self.stack = stack_runner.open_stack(
            name, self._program, work_dir=self.work_dir, state_dir=self.state_dir, passphrase=PASSPHRASE, env=env
        )
        self.stack.set_all_config({
            "openai:adminKey": auto.ConfigValue(emulator.admin_key, secret=True),
            "openai:baseUrl": auto.ConfigValue(emulator.base_url),
        })

    def _program(self) -> None:
        if self.extra is not None:
            self.extra()
        if self.spec is not None:
            organization = OrganizationAccess("organization", self.spec)
            pulumi.export("access", organization.access)
            pulumi.export("access_ending", organization.access_ending)
            pulumi.export("invites", organization.invite_statuses)

    # --- operations ------------------------------------------------------------------------
    def preview(self, **kwargs: Any) -> Operation:
        return self._run("preview", **kwargs)

    def up(self, **kwargs: Any) -> Operation:
        return self._run("up", **kwargs)

    def refresh(self, **kwargs: Any) -> Operation:
        return self._run("refresh", **kwargs)

    def destroy(self, **kwargs: Any) -> Operation:
        return self._run("destroy", **kwargs)

    def _run(self, kind: str, *, expect_failure: bool = False, **kwargs: Any) -> Operation:
        op = Operation(kind)
        before = self.emulator.requests()
        try:
            result = getattr(self.stack, kind)(on_output=op.output.append, on_event=op.events.append, **kwargs)
        except auto.errors.CommandError as error:
            op.error = str(error)
        else:
            op.result_stdout, op.result_stderr = result.stdout or "", result.stderr or ""
            if kind == "preview":
                op.changes = {str(k): v for k, v in result.change_summary.items()}
            else:
                op.changes = dict(result.summary.resource_changes or {})
            if kind == "up":
                op.outputs = {key: value.value for key, value in result.outputs.items()}
        op.requests = RequestDelta.between(before, self.emulator.requests())
        self.operations.append(op)
        if expect_failure and not op.failed:
            raise AssertionError(f"{kind} succeeded, expected it to fail; output:\n{op.text}")
        if not expect_failure and op.failed:
            raise AssertionError(f"{kind} failed:\n{op.error}")
        return op

    def interrupted(self, kind: str, when: Callable[[], bool], *, timeout: float = 180.0) -> Operation:
        """Runs ``kind`` and kills the engine (SIGKILL of the CLI process) as soon as ``when()``
        holds, as when a CI runner dies. The provider process outlives the engine, as it does
        for users: it is left to finish the requests it has in flight (until the API has been
        quiet for a while), then stopped."""
        finished: list[Operation] = []
        before = _children(os.getpid(), "pulumi")
        runner = threading.Thread(target=lambda: finished.append(self._run(kind, expect_failure=True)))
        runner.start()
        deadline = time.monotonic() + timeout
        while not when():
            assert runner.is_alive(), f"{kind} ended before the moment to interrupt it"
            assert time.monotonic() < deadline, f"{kind} never reached the moment to interrupt it"
            time.sleep(0.05)
        engines = _children(os.getpid(), "pulumi") - before
        providers = {pid for engine in engines for pid in _children(engine, "python")}
        for pid in engines:
            os.kill(pid, signal.SIGKILL)
        runner.join(timeout)
        self._wait_until_api_quiet()
        for pid in providers:
            os.kill(pid, signal.SIGTERM)
        return finished[0]

    def _wait_until_api_quiet(self, quiet: float = 2.0) -> None:
        last, since = self.emulator.requests().total, time.monotonic()
        while time.monotonic() - since < quiet:
            time.sleep(0.2)
            now = self.emulator.requests().total
            if now != last:
                last, since = now, time.monotonic()

    def reader(self, name: str, program: Callable[[], None], root: Path,
               env: Mapping[str, str] | None = None) -> auto.Stack:
        """Another stack of the same project and backend, as another team's repository would
        have it: its program reads this one through ``pulumi.StackReference``."""
        root.mkdir(parents=True)
        (root / "Pulumi.yaml").write_text(f"name: {stack_runner.PROJECT_NAME}\nruntime: python\n")
        return stack_runner.open_stack(name, program, work_dir=root, state_dir=self.state_dir,
                                       passphrase=PASSPHRASE, env=env)

    # --- state -----------------------------------------------------------------------------
    def deployment(self) -> dict[str, Any]:
        """``pulumi stack export``: the deployment (resources, secrets provider...)."""
        return self.stack.export_stack().deployment

    def export_encrypted(self) -> dict[str, Any]:
        """``pulumi stack export`` without ``--show-secrets``: the deployment as stored, secrets
        encrypted. (``Stack.export_stack()`` always passes ``--show-secrets``.)"""
        workspace = self.stack.workspace
        env = {"PULUMI_HOME": workspace.pulumi_home or "", **workspace.env_vars}
        result = workspace.pulumi_command.run(["stack", "export", "--stack", self.name], str(self.work_dir), env)
        return json.loads(result.stdout)["deployment"]

    def resources(self, type_: str | None = None, deployment: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The resources in state (of one type), from ``deployment`` or a fresh export."""
        found = (deployment if deployment is not None else self.deployment()).get("resources") or []
        return [r for r in found if type_ is None or r["type"] == type_]

    def managed(self) -> tuple[dict[tuple[str, str], str], set[tuple[str, str, str]]]:
        """What the state says it manages: memberships ((project, user) → role) and role
        assignments ((project, user, role): a membership's ``roles`` and assignment resources),
        from the resources' ids and outputs."""
        deployment = self.deployment()
        memberships: dict[tuple[str, str], str] = {}
        assignments: set[tuple[str, str, str]] = set()
        for resource in self.resources(PROJECT_USER_TYPE, deployment):
            project_id, user_id = resource["id"].split("/")
            key = (project_id, user_id)
            assert key not in memberships, f"two ProjectUser resources for {key} in state"
            memberships[key] = resource["outputs"]["role"]
            assignments.update((project_id, user_id, role) for role in resource["outputs"].get("roles") or [])
        for resource in self.resources(ROLE_ASSIGNMENT_TYPE, deployment):
            project_id, user_id, role_id = resource["id"].split("/")
            key3 = (project_id, user_id, role_id)
            assert key3 not in assignments, f"two UserRoleAssignment resources for {key3} in state"
            assignments.add(key3)
        return memberships, assignments

    def backend_bytes(self) -> Iterator[tuple[Path, bytes]]:
        """Every file under the backend directory and the project directory, decompressed
        where gzipped (the state, its backups and history, config, workspace files)."""
        for root in (self.state_dir, self.work_dir):
            for path in sorted(root.rglob("*")):
                if not path.is_file() or path.name in ("pulumi", "pulumi-resource-pulumi-python"):
                    continue
                data = path.read_bytes()
                if path.suffix == ".gz":
                    data = gzip.decompress(data)
                yield path, data


def _children(parent: int, command: str) -> set[int]:
    """The processes of ``parent`` whose command name starts with ``command``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue  # ended meanwhile
        name, fields = rest.rsplit(") ", 1)
        if name.startswith(command) and int(fields.split()[1]) == parent:
            found.add(int(pid))
    return found


# Pulumi's wire marker of a secret value: {SIG_KEY: SECRET_SIG, "plaintext" | "ciphertext": ...}
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def provider_values(deployment: Mapping[str, Any]) -> list[str]:
    """Every ``__provider`` value in a deployment (inputs and outputs)."""
    values = []
    for resource in deployment.get("resources") or []:
        for section in ("inputs", "outputs"):
            value = (resource.get(section) or {}).get("__provider")
            if value is not None:
                values.append(value)
    return values


def decoded_provider(value: Any) -> bytes:
    """A ``__provider`` value decoded from base64 (the pickled provider), or its text."""
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return value.encode()
    return json.dumps(value).encode()


# --- what the emulator should hold ------------------------------------------------------------
def memberships_of(state: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(project, user) → role; fails on a duplicate membership."""
    pairs = [(m["project_id"], m["user_id"]) for m in state["memberships"]]
    duplicates = [pair for pair, n in Counter(pairs).items() if n > 1]
    assert not duplicates, f"duplicate memberships in the emulator: {duplicates}"
    return {(m["project_id"], m["user_id"]): m["role"] for m in state["memberships"]}


def assignments_of(state: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    """(project, user, role); fails on a duplicate assignment."""
    triples = [(a["project_id"], a["user_id"], a["role_id"]) for a in state["role_assignments"]]
    duplicates = [t for t, n in Counter(triples).items() if n > 1]
    assert not duplicates, f"duplicate role assignments in the emulator: {duplicates}"
    return set(triples)


def spec_access(
    spec: Mapping[str, Any], users: list[Mapping[str, Any]]
) -> tuple[dict[tuple[str, str], str], set[tuple[str, str, str]]]:
    """What a spec grants, by user id: memberships and extra role assignments."""
    id_by_email = {u["email"].casefold(): u["id"] for u in users if u.get("email")}
    memberships: dict[tuple[str, str], str] = {}
    assignments: set[tuple[str, str, str]] = set()
    for grant in merge_grants(parse_access_spec(spec)):
        user_id = grant.member.user_id or id_by_email[(grant.member.email or "").casefold()]
        memberships[(grant.project_id, user_id)] = grant.role
        assignments.update((grant.project_id, user_id, role) for role in grant.extra_roles)
    return memberships, assignments


def assert_emulator_matches(
    emulator: EmulatorProcess, spec: Mapping[str, Any], baseline: Mapping[str, Any]
) -> None:
    """The emulator holds exactly ``baseline`` with ``spec`` applied: the spec's memberships
    with the spec's roles, its role assignments, and nothing else changed or duplicated."""
    state = emulator.state()
    granted, assigned = spec_access(spec, state["users"])
    expected_memberships = {**memberships_of(baseline), **granted}
    expected_assignments = assignments_of(baseline) | assigned
    actual_memberships = memberships_of(state)
    actual_assignments = assignments_of(state)
    assert actual_memberships == expected_memberships, _mismatch(
        "memberships", actual_memberships.items(), expected_memberships.items()
    )
    assert actual_assignments == expected_assignments, _mismatch(
        "role assignments", actual_assignments, expected_assignments
    )


def assert_state_in_emulator(stack: EngineStack) -> None:
    """Every membership and role assignment in the stack's state exists in the emulator,
    memberships with the role the state records."""
    state = stack.emulator.state()
    memberships, assignments = stack.managed()
    actual_memberships = memberships_of(state)
    actual_assignments = assignments_of(state)
    for key, role in memberships.items():
        assert actual_memberships.get(key) == role, (
            f"state has membership {key} with role {role!r}; the emulator has {actual_memberships.get(key)!r}"
        )
    missing = assignments - actual_assignments
    assert not missing, f"state has role assignments the emulator does not: {sorted(missing)}"


def _mismatch(what: str, actual: Any, expected: Any) -> str:
    actual, expected = set(actual), set(expected)
    return (
        f"emulator {what} differ from the spec applied to the seed:\n"
        f"  unexpected: {sorted(actual - expected)}\n  missing:    {sorted(expected - actual)}"
    )


# --- the fixture -----------------------------------------------------------------------------
@pytest.fixture
def engine_stack(
    pulumi_cli: Path, emulator: EmulatorProcess, tmp_path: Path
) -> Callable[..., EngineStack]:
    """``engine_stack(name, spec=..., extra=..., env=..., emulator=...)``: a new stack in its
    own directory under ``tmp_path``, against the session's emulator unless given another."""
    made: list[str] = []

    def make(
        name: str,
        *,
        spec: Mapping[str, Any] | None = None,
        extra: Callable[[], None] | None = None,
        env: Mapping[str, str] | None = None,
        emulator: EmulatorProcess = emulator,
    ) -> EngineStack:
        assert name not in made, f"stack {name} made twice in one test"
        made.append(name)
        return EngineStack(name, emulator, tmp_path / name, spec=spec, extra=extra, env=env)

    return make


# --- a spec for the scenarios ----------------------------------------------------------------
def team_spec() -> dict[str, Any]:
    """Two teams whose members are not yet in the projects they are granted (in the sample
    organization): barbara in WEB and DATA, edsger in WEB; 3 memberships, 2 extra roles."""
    return {
        "teams": {
            "storefront": {
                "members": ["barbara@example.com", SAMPLE.EDSGER],
                "grants": {SAMPLE.WEB: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}},
            },
            "data": {
                "members": ["barbara@example.com"],
                "grants": {SAMPLE.DATA: "owner"},
            },
        }
    }
