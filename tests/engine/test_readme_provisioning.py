"""The README's provisioning steps, run as written on a fresh clone, against the emulator
(issue 18): setup, backend login, stack init, discover, the secret key, check, preview, up.

What differs from a user's shell: the organization is the emulator (its URL in
$OPENAI_BASE_URL, its key where the README says ``sk-admin-...``); the local backend of
``pulumi login --local`` is a ``file://`` backend in this test's directory (``--local`` is the
machine's shared ~/.pulumi); and where this machine's Pulumi CLI has no Python language host,
the README's own stand-in runs ``pulumi preview|up|refresh|destroy`` (the README says so).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from pulumi_openai_access.emulator.process import EmulatorProcess

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
STAND_IN = ".venv/bin/python -m scripts.stack"
ENGINE_COMMAND = re.compile(r"^pulumi (preview|up|refresh|destroy)\b")


def provisioning_steps() -> list[str]:
    """The first shell block of the README's provisioning section, one command a line."""
    section = README.read_text().split("## Provisioning a real organization", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def fresh_clone(destination: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            check=True, capture_output=True, text=True).stdout
    for name in filter(None, listed.split("\0")):
        if (REPO_ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, destination / name)
    return destination


def as_run_here(step: str, pulumi_cli: Path, emulator: EmulatorProcess, backend: Path) -> str:
    step = step.replace("sk-admin-...", emulator.admin_key)
    # `--local` is ~/.pulumi of the user database's home, shared by everyone on this machine:
    # the same kind of backend, in this test's own directory.
    step = step.replace("pulumi login --local", f"pulumi login {backend.as_uri()}")
    if not (pulumi_cli / "pulumi-language-python").exists():
        step = ENGINE_COMMAND.sub(rf"{STAND_IN} \1", step)
    return step


def test_the_provisioning_steps_work_as_written_on_a_fresh_clone(tmp_path: Path, pulumi_cli: Path,
                                                                  emulator: EmulatorProcess):
    clone = fresh_clone(tmp_path / "clone")
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "backend").mkdir()
    steps = provisioning_steps()
    assert steps[0] == 'eval "$(bash scripts/setup.sh | tail -n 1)"'
    assert any(step.startswith("pulumi stack init") for step in steps)
    assert "pulumi login --local" in steps
    script = "set -euo pipefail\n" + "\n".join(
        f"echo '+ {step}' >&2\n{as_run_here(step, pulumi_cli, emulator, tmp_path / 'backend')}" for step in steps)
    env = {
        # A user's shell: nothing of this checkout's .venv, no Pulumi login yet, no key.
        "PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p),
        # Pulumi finds ~ through the user database, not $HOME: its home (login, local backend) is set apart.
        "HOME": str(home), "PULUMI_HOME": str(home / ".pulumi"), "LANG": "C.UTF-8",
        # The machine: offline, and the organization is the emulator.
        "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_SKIP_CONFIRMATIONS": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "OPENAI_BASE_URL": emulator.base_url,
        # The CLI this machine built once (its cache is under the real home, not this one).
        "PULUMI_BUILD_CACHE": str(pulumi_cli.parent),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
    }
    assert shutil.which("pulumi", path=env["PATH"]) is None  # the steps themselves put it on PATH

    run = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, timeout=580)

    assert run.returncode == 0, f"{run.stderr[-4000:]}\n{run.stdout[-4000:]}"
    stack_file = yaml.safe_load((clone / "Pulumi.prod.yaml").read_text())
    assert stack_file["encryptionsalt"] != yaml.safe_load((clone / "Pulumi.demo.yaml").read_text())["encryptionsalt"]
    assert stack_file["config"]["openai-access:accessFile"] == "access-prod.yaml"
    assert stack_file["config"]["openai:baseUrl"] == emulator.base_url
    assert "secure" in stack_file["config"]["openai:adminKey"]  # the key only encrypted
    assert emulator.admin_key not in (clone / "Pulumi.prod.yaml").read_text()
    # `up` adopted what discover found: every membership taken over, nothing written.
    writes = {route: n for route, n in emulator.requests().by_route.items() if not route.startswith("GET ")}
    assert writes == {}
    assert "the spec checks out against the organization" in run.stderr
    assert "in sync: 2 projects match the spec" in run.stdout  # the audit after up
    assert re.search(r"\+ \d+ created", run.stdout), run.stdout[-3000:]
    # and `pulumi` in that directory sees the same stack, on the same backend
    outputs = subprocess.run([str(pulumi_cli / "pulumi"), "stack", "output", "summary", "--stack", "prod"], cwd=clone,
                             env={**env, "PULUMI_CONFIG_PASSPHRASE": "choose a passphrase"}, capture_output=True,
                             text=True, timeout=120)
    assert outputs.returncode == 0 and "ada@example.com" in outputs.stdout, outputs.stderr
