"""The README's main-job command, run as a newcomer runs it: emulator, preview, up, result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_demo(state_dir: Path, *flags: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.demo", "--state-dir", str(state_dir), *flags],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_demo_provisions_the_sample_organization_then_finds_nothing_to_change(tmp_path: Path):
    first = run_demo(tmp_path, "--fresh")
    assert "=== pulumi preview ===" in first and "+ 8 to create" in first
    assert "+ 8 created" in first
    assert "proj_WebStorefront00000000000: barbara@example.com member (storefront)" in first
    assert "proj_DataPlatform000000000000: grace@example.com owner +role-api-project-viewer (data, data-leads)" in first
    # What the emulator holds afterwards, as the demo prints it.
    assert "proj_WebStorefront00000000000: barbara@example.com member []" in first

    second = run_demo(tmp_path, "--destroy")
    assert "8 unchanged" in second
    assert "(0 API requests)" in second
    assert "- 8 deleted" in second
