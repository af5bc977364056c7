"""A stack state written by an earlier release, kept as a fixture for the upgrade contract.

Every existing stack holds the providers pickled by reference (module path and class name)
and the resource type names: a release that renames either breaks refresh and destroy of
what is already in state. ``RELEASE_FIXTURE`` is a real stack state written by the code
before the reorganisation of issue 17 (``written_by``: its commit), through the real engine
against the emulator: every resource type, each with its typical inputs. The contract test
(``tests/engine/test_engine_upgrade.py``) imports it into a new stack, puts the emulator back
as it was, and runs today's code on it.

The state is exported as stored: the service account's key is ciphertext under the engine
tests' passphrase, never plain text (the emulator keeps only its digest). Written with

    .venv/bin/python -m tests.support.release_state

from a checkout of the release to keep (it overwrites ``RELEASE_FIXTURE``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from pulumi_openai_access.providers.exclusive_project_access import ExclusiveProjectAccess
from pulumi_openai_access.providers.project_user import ProjectUser
from pulumi_openai_access.providers.service_account import ServiceAccount
from pulumi_openai_access.providers.user_role_assignment import UserRoleAssignment
from tests.support.engine import EngineStack, is_secret

REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASE_FIXTURE = REPO_ROOT / "tests" / "engine" / "fixtures" / "release_state.json"
STACK_NAME = "release"
SERVICE_ACCOUNT_TYPE = "pulumi-python:dynamic/openai:ServiceAccount"


def release_program() -> None:
    """One resource of each type, as the release's users declare them (the sample organization):
    a new member with an extra role, a role for an existing member, a service account with a
    rotation and scoped key, and DATA made exclusive with everyone it holds declared."""
    ProjectUser("barbara-web", project_id=SAMPLE.WEB, email="Barbara@Example.com", role="member",
                roles=[SAMPLE.VIEWER_ROLE])
    UserRoleAssignment("katherine-web-viewer", project_id=SAMPLE.WEB, user_id=SAMPLE.KATHERINE,
                       role_id=SAMPLE.VIEWER_ROLE)
    ServiceAccount("web-deploy-bot", project_id=SAMPLE.WEB, name="deploy-bot", rotation="2026-q1",
                   key_scopes=["api.model.request"])
    ExclusiveProjectAccess("data-exclusive", project_id=SAMPLE.DATA, max_removals=2, members=[
        {"user_id": SAMPLE.GRACE},
        {"user_id": SAMPLE.KATHERINE, "roles": []},
        {"user_id": SAMPLE.EDSGER, "roles": [SAMPLE.VIEWER_ROLE]},
    ])


def write_release_fixture(path: Path = RELEASE_FIXTURE) -> None:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    with EmulatorProcess.start() as emulator, tempfile.TemporaryDirectory() as tmp:
        stack = EngineStack(STACK_NAME, emulator, Path(tmp), extra=release_program)
        stack.up()
        (account,) = stack.resources(SERVICE_ACCOUNT_TYPE)
        key = account["outputs"]["api_key"]
        key = json.loads(key["plaintext"]) if is_secret(key) else key
        stored = stack.export_encrypted()
        fixture = {"written_by": commit, "stack": STACK_NAME, "deployment": stored, "emulator": emulator.state()}
        text = json.dumps(fixture, indent=1, sort_keys=True) + "\n"
        if not key or key in text:
            raise SystemExit("refusing to write the fixture: the service account's key would be in it in plain text")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path} (state written by {commit})")


if __name__ == "__main__":
    write_release_fixture(Path(sys.argv[1]) if len(sys.argv) > 1 else RELEASE_FIXTURE)
