"""A fresh clone runs ``pulumi up`` the way the official CLI sets it up: a new ``.venv``, then
``pip install -r requirements.txt`` and nothing else, then the clone's ``__main__.py``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from pulumi_openai_access.emulator.process import SAMPLE

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(*args: object, cwd: Path) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=540)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_a_fresh_clone_installs_from_requirements_alone_and_runs_its_program(tmp_path: Path):
    clone = tmp_path / "clone"
    tracked = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO_ROOT).split("\0")
    for name in filter(None, tracked):
        if (REPO_ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, clone / name)
    # What the language host does for `runtime: {name: python, options: {virtualenv: .venv}}`.
    run(sys.executable, "-m", "venv", ".venv", cwd=clone)
    run(".venv/bin/python", "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "requirements.txt",
        cwd=clone)

    seen = json.loads(run(".venv/bin/python", "-m", "tests.support.fresh_clone_driver", cwd=clone))

    assert seen["providers_file"].startswith(str(clone)), seen["providers_file"]
    assert seen["changes"] == {"create": 3}  # stack, component, membership (with its role)
    assert seen["summary"] == [f"{SAMPLE.DATA}: barbara@example.com member +{SAMPLE.VIEWER_ROLE} (data)"]
    assert {"project_id": SAMPLE.DATA, "user_id": SAMPLE.BARBARA, "role": "member"}.items() <= next(
        m for m in seen["memberships"] if m["user_id"] == SAMPLE.BARBARA).items()
    assert any(a["user_id"] == SAMPLE.BARBARA and a["role_id"] == SAMPLE.VIEWER_ROLE for a in seen["role_assignments"])
