"""What a newcomer meets running the emulator (issue 18): --help lists what it serves, a
port in use is one line, and a request log redirected to a file holds no colour codes."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import requests

from pulumi_openai_access.emulator.api import ROUTES

EMULATOR = [sys.executable, "-m", "pulumi_openai_access.emulator"]


def test_help_lists_every_path_served_and_ends_with_examples():
    shown = subprocess.run([*EMULATOR, "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    for _method, template, _handler in ROUTES:
        assert template in shown
    assert "/_emulator/requests" in shown
    examples = shown.split("examples:")[1].strip().splitlines()
    assert 2 <= len(examples) <= 3 and all("pulumi_openai_access.emulator --" in line for line in examples)


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([*EMULATOR, "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"emulator: port {port} on 127.0.0.1 is in use: choose another --port (0 picks a free one)"]


def test_a_request_log_written_to_a_file_has_no_colour_codes(tmp_path: Path):
    log = tmp_path / "emulator.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([*EMULATOR, "--port", "0"], stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            base_url = process.stdout.readline().split()[-1]  # type: ignore[union-attr]
            assert requests.get(base_url + "/organization/users", timeout=10).status_code == 401  # coloured on a tty
            assert requests.get(base_url + "/organization/nowhere", timeout=10).status_code == 404
        finally:
            process.terminate()
            process.wait(timeout=10)
    text = log.read_text()
    assert '"GET /v1/organization/users HTTP/1.1" 401' in text
    assert '"GET /v1/organization/nowhere HTTP/1.1" 404' in text
    assert "\x1b[" not in text
