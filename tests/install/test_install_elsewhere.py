"""The package installed with pip into another stack's virtualenv, and used from there.

A user's infrastructure repository lives elsewhere: this builds the wheel, installs it (with
its dependencies) into a fresh virtualenv in a temporary directory, and runs a stack program
there that uses the components and the shipped emulator through the real Pulumi engine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from scripts.stack_runner import pulumi_bin_dir

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result.stdout


def test_wheel_holds_one_distinctive_top_level_package(tmp_path: Path):
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, REPO_ROOT)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"pulumi_openai_access"}
    for expected in ("__init__.py", "__main__.py", "cli/main.py", "providers/project_user.py",
                     "providers/admin_api/client.py", "components/access_component.py",
                     "emulator/process.py", "emulator/sample_org.json"):
        assert f"pulumi_openai_access/{expected}" in names, expected


def test_a_stack_in_another_repository_installs_and_uses_the_components(tmp_path: Path):
    dist, venv, project = tmp_path / "dist", tmp_path / "venv", tmp_path / "infra"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO_ROOT)
    (wheel,) = dist.glob("*.whl")
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{wheel}[emulator]")
    project.mkdir()
    shutil.copy(REPO_ROOT / "tests" / "support" / "outside_stack" / "provision.py", project)
    (project / "Pulumi.yaml").write_text("name: infra\nruntime: python\n")

    seen = json.loads(run(venv / "bin" / "python", project / "provision.py", pulumi_bin_dir(), cwd=project))

    assert all(str(venv) in path for path in seen["package_path"]), seen["package_path"]
    assert seen["changes"] == {"create": 3}  # stack, component, membership (with its role)
    barbara = "user-BarbaraLiskov00000000000"
    assert {"project_id": "proj_DataPlatform000000000000", "user_id": barbara, "role": "member"}.items() <= next(
        m for m in seen["memberships"] if m["user_id"] == barbara).items()
    assert any(a["user_id"] == barbara and a["role_id"] == "role-api-project-viewer" for a in seen["role_assignments"])

    # the command, both ways, from the installed wheel
    assert run(venv / "bin" / "openai-access", "--help").startswith("usage: openai-access")
    assert run(venv / "bin" / "python", "-m", "pulumi_openai_access", "--version") == "openai-access 0.1.0\n"
