"""Run a stack program through the real Pulumi engine, offline, with the Automation API.

The Automation API runs the program in this Python process and hands the CLI its address,
so the Python language host (which the Go module proxy here does not serve) is not needed:
only the CLI and its ``pulumi-resource-pulumi-python`` plugin, from ``scripts/get-pulumi.sh``.
State goes to a local file backend; secrets use the passphrase provider.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping

from pulumi import automation as auto

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_NAME = "openai-access"

# Never reach for the network: no update check, no plugin downloads, no registry look-ups.
OFFLINE_ENGINE_ENV = {
    "PULUMI_SKIP_UPDATE_CHECK": "true",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    "PULUMI_DISABLE_REGISTRY_RESOLVE": "true",
}


@functools.cache
def pulumi_bin_dir() -> Path:
    """The directory of the ``pulumi`` CLI: the user's own, or one built once and cached."""
    result = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "get-pulumi.sh")], capture_output=True, text=True)
    if result.returncode != 0:  # its progress is noise when it works, the explanation when it fails
        sys.stderr.write(result.stderr)
        result.check_returncode()
    return Path(result.stdout.strip().splitlines()[-1])


def open_stack(
    stack_name: str,
    program: Callable[[], None],
    *,
    work_dir: Path,
    state_dir: Path,
    passphrase: str,
    env: Mapping[str, str] | None = None,
) -> auto.Stack:
    """Creates or selects ``stack_name`` of the project in ``work_dir`` (its Pulumi.yaml and
    Pulumi.<stack>.yaml), with state under ``state_dir``. ``env`` reaches the engine and the
    provider process: never put the admin key there, set it as secret config instead."""
    state_dir.mkdir(parents=True, exist_ok=True)
    env_vars = {
        **engine_env(),
        "PULUMI_BACKEND_URL": state_dir.resolve().as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        **(env or {}),
    }
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        pulumi_home=str(state_dir / "pulumi-home"),
        env_vars=env_vars,
        secrets_provider="passphrase",
        pulumi_command=pulumi_command(),
    )
    return auto.create_or_select_stack(stack_name, project_name=PROJECT_NAME, program=program, opts=options)


def engine_env() -> dict[str, str]:
    """What the CLI and the provider process it starts need here: offline, this interpreter,
    the CLI on PATH. No backend and no passphrase: those are the caller's."""
    return {
        **OFFLINE_ENGINE_ENV,
        # The engine starts the dynamic provider with this interpreter: the one that has the
        # providers installed (the Automation API drops the project's virtualenv setting).
        "PULUMI_PYTHON_CMD": sys.executable,
        "PATH": f"{pulumi_bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def pulumi_command() -> auto.PulumiCommand:
    return auto.PulumiCommand(root=str(pulumi_bin_dir().parent))
