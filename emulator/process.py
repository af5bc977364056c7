"""Run the Admin API emulator as a real subprocess and drive its control routes.

    with EmulatorProcess.start("--quiet") as emu:
        requests.get(f"{emu.base_url}/organization/users", headers=emu.auth_headers)
        emu.set_faults(Fault("POST", PROJECT_USERS, "drop_after"))
        assert emu.requests().count("POST", PROJECT_USERS) == 1

It ships with the package so that a stack's own CI can test an access spec offline: start
one, point ``openai:baseUrl`` at ``base_url``, run the stack, assert on ``state()``. This
project's tests mostly use the ``emulator`` fixture of ``tests/conftest.py`` instead (one
process per session, reset before each test).

Routes are named by their template, exactly as in the emulator's route table
(``pulumi_openai_access.emulator.api.ROUTES``), for example
``"/v1/organization/projects/{project_id}/users"``. The sample organization's ids are in
``SAMPLE`` below.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from .api import (
    GROUP,
    GROUP_ROLE,
    GROUP_ROLES,
    GROUP_USER,
    GROUP_USERS,
    GROUPS,
    INVITE,
    INVITES,
    ORGANIZATION_USER,
    MODELS,
    PROJECT,
    PROJECTS,
    PROJECT_API_KEY,
    PROJECT_API_KEYS,
    PROJECT_GROUP,
    PROJECT_GROUPS,
    PROJECT_ROLE,
    PROJECT_ROLES,
    PROJECT_USER,
    PROJECT_USERS,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEYS,
    SERVICE_ACCOUNTS,
    USER_ROLE,
    USER_ROLES,
)

__all__ = [
    "DEFAULT_ADMIN_KEY", "EmulatorProcess", "EmulatorStartError", "Fault", "RequestCounts", "SAMPLE",
    "PROJECT_USERS", "PROJECT_USER", "USER_ROLES", "USER_ROLE", "SERVICE_ACCOUNTS", "SERVICE_ACCOUNT",
    "SERVICE_ACCOUNT_KEYS", "PROJECT_API_KEYS", "PROJECT_API_KEY", "MODELS",
    "GROUPS", "GROUP", "GROUP_USERS", "GROUP_USER", "PROJECT_GROUPS", "PROJECT_GROUP", "GROUP_ROLES", "GROUP_ROLE",
    "SERVICE_ACCOUNT_KEYS", "PROJECT_API_KEYS", "PROJECT_API_KEY", "MODELS", "PROJECTS", "PROJECT",
    "PROJECT_ROLES", "PROJECT_ROLE", "INVITES", "INVITE", "ORGANIZATION_USER",
]

DEFAULT_ADMIN_KEY = "sk-admin-emulator"


class SAMPLE:
    """Ids in the bundled sample organization (``emulator/sample_org.json``)."""

    ORG = "org-EmulatorSample0000000001"
    ADA = "user-AdaLovelace0000000000000"  # org owner; owner of WEB with role-api-project-owner
    GRACE = "user-GraceHopper0000000000000"  # org owner; owner of DATA
    ALAN = "user-AlanTuring00000000000000"  # member of WEB with the custom KEY_MANAGER role
    KATHERINE = "user-KatherineJohnson00000000"  # member of WEB and DATA, no role assignments
    EDSGER = "user-EdsgerDijkstra0000000000"  # member of DATA with role-api-project-viewer
    BARBARA = "user-BarbaraLiskov00000000000"  # in no project
    WEB = "proj_WebStorefront00000000000"
    DATA = "proj_DataPlatform000000000000"
    KEY_MANAGER = "role_01J1F8PR0JKEYMANAGER00000A"  # custom role of WEB
    BILLING_VIEWER = "role_01J1F8B1NGV1EWER00000000AA"  # custom organization role
    OWNER_ROLE = "role-api-project-owner"
    MEMBER_ROLE = "role-api-project-member"
    VIEWER_ROLE = "role-api-project-viewer"


class EmulatorStartError(RuntimeError):
    """The emulator exited or stayed silent instead of announcing its URL."""

    def __init__(self, message: str, returncode: int | None, stderr: str) -> None:
        super().__init__(f"{message} (exit code {returncode}); stderr:\n{stderr}")
        self.returncode = returncode
        self.stderr = stderr


@dataclass(frozen=True)
class Fault:
    """One fault rule for ``set_faults``; ``route`` is a template or ``*``, as is ``method``."""

    method: str
    route: str
    action: str  # "status" | "drop_before" | "drop_after"
    status: int | None = None
    retry_after: float | None = None
    count: int = 1
    message: str | None = None


@dataclass(frozen=True)
class RequestCounts:
    """``GET /_emulator/requests``: handled requests, plus 429s and faults kept apart."""

    total: int
    by_route: dict[str, int] = field(default_factory=dict)
    rate_limited: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    # The handled writes in the order they were made: {"method", "path" (below /v1), "status"}.
    writes: list[dict[str, Any]] = field(default_factory=list)

    def count(self, method: str, route: str) -> int:
        """Handled requests (any status) to one endpoint."""
        return self.by_route.get(f"{method} {route}", 0)


@dataclass
class EmulatorProcess:
    base_url: str  # "http://127.0.0.1:PORT/v1", what clients take as their base URL
    admin_key: str
    process: subprocess.Popen[str]
    log_path: Path  # the emulator's stderr (request log, errors)

    @classmethod
    def start(
        cls, *args: str, admin_key: str = DEFAULT_ADMIN_KEY, timeout: float = 20.0, env: dict[str, str] | None = None
    ) -> EmulatorProcess:
        """Start ``python -m pulumi_openai_access.emulator --port 0 --admin-key KEY *args``."""
        fd, log_name = tempfile.mkstemp(prefix="emulator-", suffix=".log")
        with os.fdopen(fd, "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "pulumi_openai_access.emulator", "--port", "0", "--admin-key", admin_key, *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True,
                env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
            )
        log_path = Path(log_name)
        line = _read_line(process, timeout)
        prefix = "listening on "
        if not line.startswith(prefix):
            process.kill()
            process.wait()
            raise EmulatorStartError(f"expected {prefix!r}, got {line!r}", process.returncode, log_path.read_text())
        # Keep draining stdout so a stray print can never block the server on a full pipe.
        threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
        return cls(line[len(prefix):].strip(), admin_key, process, log_path)

    # --- addresses ---------------------------------------------------------------------------
    @property
    def root_url(self) -> str:
        """The server root, without ``/v1`` (control routes live under ``/_emulator``)."""
        return self.base_url.removesuffix("/v1")

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    # --- control routes ----------------------------------------------------------------------
    def _control(self, method: str, name: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.root_url}/_emulator/{name}", json=body, timeout=10)
        if response.status_code != 200:
            raise RuntimeError(f"/_emulator/{name}: {response.status_code} {response.text}")
        return response.json()

    def requests(self) -> RequestCounts:
        data = self._control("GET", "requests")
        return RequestCounts(data["total"], data["by_route"], data["rate_limited"]["by_route"], data["faults"]["by_route"],
                             [{**w, "path": w["path"].removeprefix("/v1")} for w in data["writes"]])

    def reset(self, seed: dict[str, Any] | None = None, *, keep_counters: bool = False, keep_knobs: bool = False) -> None:
        """Back to ``seed`` (default: the startup seed); counters and knobs back to startup."""
        body: dict[str, Any] = {"keep_counters": keep_counters, "keep_knobs": keep_knobs}
        if seed is not None:
            body["seed"] = seed
        self._control("POST", "reset", body)

    def set_faults(self, *faults: Fault | dict[str, Any]) -> list[dict[str, Any]]:
        """Replace all fault rules (none: clear them); returns the rules now active."""
        rules = [asdict(f) if isinstance(f, Fault) else f for f in faults]
        return self._control("POST", "faults", {"rules": rules})["rules"]

    def faults(self) -> list[dict[str, Any]]:
        """Rules with uses left."""
        return self._control("GET", "faults")["rules"]

    def set_rate_limit(
        self,
        limit: int | None,
        *,
        window_seconds: float | None = None,
        retry_after: str | None = None,
        per_route: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """``limit`` requests per window per endpoint (None: unlimited); ``retry_after`` is
        "seconds" | "ms" | "both" | "none"; ``per_route`` keys are "METHOD /v1/template"."""
        body: dict[str, Any] = {"limit": limit}
        for name, value in (("window_seconds", window_seconds), ("retry_after", retry_after), ("per_route", per_route)):
            if value is not None:
                body[name] = value
        return self._control("POST", "rate_limit", body)

    def set_latency(self, ms: int) -> None:
        self._control("POST", "latency", {"latency_ms": ms})

    def state(self) -> dict[str, Any]:
        """The emulated organization in seed format (ids and timestamps filled in)."""
        return self._control("GET", "state")

    def accept_invite(self, invite_id: str) -> dict[str, Any]:
        """What the invited person's acceptance does: ``{"invite": {...}, "user": {...}}``."""
        return self._control("POST", f"invites/{invite_id}/accept")

    def key_works(self, api_key: str) -> bool:
        """Whether a project API key (a service account's) authenticates: GET /v1/models
        answers 200 with it, 401 for a key that is unknown, deleted or expired."""
        response = requests.get(f"{self.base_url}/models", headers={"Authorization": f"Bearer {api_key}"}, timeout=10)
        if response.status_code not in (200, 401):
            raise RuntimeError(f"GET /v1/models: {response.status_code} {response.text}")
        return response.status_code == 200

    # --- lifecycle ----------------------------------------------------------------------------
    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, wait (kill after ``timeout``); returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first stdout line, or "" if the process exits or stays silent for ``timeout``."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                return process.stdout.readline()
            if process.poll() is not None:
                return ""
    return ""
