"""The emulator as a program: its first stdout line, options, seeds, --state and shutdown."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess, EmulatorStartError

ROOT = Path(__file__).resolve().parents[2]


def get(emu: EmulatorProcess, path: str, key: str | None = None) -> requests.Response:
    key = emu.admin_key if key is None else key
    return requests.get(emu.base_url + path, headers={"Authorization": f"Bearer {key}"}, timeout=10)


def write_seed(tmp_path: Path, seed: Any) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    return path


def test_first_stdout_line_announces_the_url_and_sigterm_stops_cleanly() -> None:
    process = subprocess.Popen([sys.executable, "-m", "pulumi_openai_access.emulator", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/v1\n", line)
        assert match and int(match.group(1)) > 0
        users = requests.get(line.split()[-1] + "/organization/users",
                             headers={"Authorization": "Bearer sk-admin-emulator"}, timeout=10)
        assert users.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_runs_as_python_m_emulator_from_the_repository_root_and_stops_on_sigint() -> None:
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--quiet"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("listening on http://127.0.0.1:")
        assert requests.get(line.split()[-1].removesuffix("/v1") + "/_emulator/state", timeout=10).ok
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]


def test_help_documents_the_admin_key_default() -> None:
    result = subprocess.run([sys.executable, "-m", "pulumi_openai_access.emulator", "--help"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "--admin-key" in result.stdout and "sk-admin-emulator" in result.stdout
    for option in ("--seed", "--state", "--rate-limit", "--rate-limit-window", "--retry-after", "--latency-ms"):
        assert option in result.stdout


def test_admin_key_option_sets_the_accepted_key() -> None:
    with EmulatorProcess.start(admin_key="sk-admin-custom-123") as emu:
        assert get(emu, "/organization/users").status_code == 200
        assert get(emu, "/organization/users", key="sk-admin-emulator").status_code == 401


def test_seed_file_with_generated_ids(tmp_path: Path) -> None:
    seed = {
        "organization": {"id": "org-test", "name": "Test"},
        "users": [{"email": "a@example.com", "name": "A", "role": "owner"}],
        "projects": [{"name": "P"}],
        "roles": [{"project_id": None, "name": "Org role", "permissions": ["x"]}],
    }
    with EmulatorProcess.start("--seed", str(write_seed(tmp_path, seed))) as emu:
        state = emu.state()
    assert re.fullmatch(r"user-[A-Za-z0-9]{24}", state["users"][0]["id"])
    assert re.fullmatch(r"proj_[A-Za-z0-9]{24}", state["projects"][0]["id"])
    assert re.fullmatch(r"role_[0-9A-HJKMNP-TV-Z]{26}", state["roles"][0]["id"])
    assert state["organization"] == {"id": "org-test", "name": "Test"}


def test_seed_refers_to_users_by_email_and_resets_to_itself(tmp_path: Path) -> None:
    seed = {
        "users": [{"id": "user-a", "email": "a@example.com", "name": "A", "role": "owner"}],
        "projects": [{"id": "proj_p", "name": "P"}],
        "memberships": [{"project_id": "proj_p", "email": "A@EXAMPLE.COM", "role": "member"}],
        "role_assignments": [{"project_id": "proj_p", "email": "a@example.com", "role_id": "role-api-project-viewer"}],
    }
    with EmulatorProcess.start("--seed", str(write_seed(tmp_path, seed))) as emu:
        assert [u["id"] for u in get(emu, "/organization/projects/proj_p/users").json()["data"]] == ["user-a"]
        emu.reset()
        assert emu.state()["role_assignments"][0]["role_id"] == "role-api-project-viewer"


@pytest.mark.parametrize("seed, problems", [
    ([], ["seed: must be an object"]),
    ({"users": [{"email": "a@x.io", "name": "A", "role": "owner"}], "teams": []}, ["seed: unknown key(s) teams"]),
    ({"users": [{"email": "a@x.io", "name": "A"}, {"email": "A@X.IO", "name": "B", "role": "reader"}]},
     ["users[0]: missing required key 'role'", "users[1].email: 'A@X.IO' is already used"]),
    ({"projects": [{"name": "P", "status": "deleted"}]}, ["projects[0].status: must be one of active, archived"]),
    ({"roles": [{"id": "role-api-project-owner", "project_id": None, "name": "R", "permissions": []}]},
     ["roles[0].id: duplicate role id 'role-api-project-owner'"]),
    ({"roles": [{"project_id": "proj_x", "name": "R", "permissions": "all"}]},
     ["roles[0].project_id: no project 'proj_x'", "roles[0].permissions: must be a list"]),
    ({"users": [{"id": "user-a", "email": "a@x.io", "name": "A", "role": "owner"}],
      "projects": [{"id": "proj_old", "name": "Old", "status": "archived"}],
      "memberships": [{"project_id": "proj_old", "user_id": "user-a", "role": "member"},
                      {"project_id": "proj_old", "user_id": "user-a", "email": "a@x.io", "role": "member"},
                      {"project_id": "proj_old", "user_id": "user-b", "role": "boss"}]},
     ["memberships[0]: project proj_old is archived", "memberships[1]: give exactly one of 'user_id' and 'email'",
      "memberships[2].user_id: no user 'user-b'", "memberships[2].role: must be one of owner, member"]),
    ({"users": [{"id": "user-a", "email": "a@x.io", "name": "A", "role": "owner"}],
      "projects": [{"id": "proj_1", "name": "1"}, {"id": "proj_2", "name": "2"}],
      "roles": [{"id": "role_two", "project_id": "proj_2", "name": "Two", "permissions": []}],
      "memberships": [{"project_id": "proj_1", "user_id": "user-a", "role": "member"}],
      "role_assignments": [{"project_id": "proj_1", "user_id": "user-a", "role_id": "role_two"},
                           {"project_id": "proj_2", "user_id": "user-a", "role_id": "role_two"}]},
     ["role_assignments[0].role_id: role 'role_two' is not predefined",
      "role_assignments[1]: user user-a must be a member of proj_2"]),
])
def test_invalid_seeds_exit_2_listing_every_problem(tmp_path: Path, seed: Any, problems: list[str]) -> None:
    with pytest.raises(EmulatorStartError) as failure:
        EmulatorProcess.start("--seed", str(write_seed(tmp_path, seed)))
    assert failure.value.returncode == 2
    for problem in problems:
        assert problem in failure.value.stderr
    assert "Traceback" not in failure.value.stderr


@pytest.mark.parametrize("content", [None, "{not json"])
def test_missing_or_malformed_seed_file_names_the_file(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "broken.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(EmulatorStartError) as failure:
        EmulatorProcess.start("--seed", str(path))
    assert failure.value.returncode == 2 and str(path) in failure.value.stderr


def test_state_file_persists_across_restarts(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with EmulatorProcess.start("--state", str(state_file)) as emu:
        assert state_file.exists()  # written at start, before any change
        added = requests.post(f"{emu.base_url}/organization/projects/{SAMPLE.DATA}/users",
                              json={"email": "barbara@example.com", "role": "owner"}, headers=emu.auth_headers,
                              timeout=10)
        assert added.status_code == 200
        assigned = requests.post(f"{emu.base_url}/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}/roles",
                                 json={"role_id": SAMPLE.OWNER_ROLE}, headers=emu.auth_headers, timeout=10)
        assert assigned.status_code == 200
        removed = requests.delete(f"{emu.base_url}/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.ALAN}",
                                  headers=emu.auth_headers, timeout=10)
        assert removed.status_code == 200
        before = emu.state()
        assert json.loads(state_file.read_text()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary files left behind

    with EmulatorProcess.start("--state", str(state_file)) as emu:
        assert emu.state() == before
        member = get(emu, f"/organization/projects/{SAMPLE.DATA}/users/{SAMPLE.BARBARA}").json()
        assert (member["role"], member["added_at"]) == ("owner", added.json()["added_at"])
        assert get(emu, f"/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.ALAN}").status_code == 404
        # reset goes back to the seed (here the sample), and the file follows.
        emu.reset()
        assert SAMPLE.ALAN in [m["user_id"] for m in json.loads(state_file.read_text())["memberships"]]


def test_an_existing_state_file_wins_over_the_seed(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps({"users": [{"id": "user-kept", "email": "k@x.io", "name": "K", "role": "owner"}]}))
    with EmulatorProcess.start("--state", str(state_file)) as emu:
        assert [u["id"] for u in emu.state()["users"]] == ["user-kept"]


def test_rate_limit_and_latency_flags(tmp_path: Path) -> None:
    with EmulatorProcess.start("--rate-limit", "2", "--rate-limit-window", "30", "--retry-after", "seconds",
                               "--latency-ms", "50") as emu:
        responses = [get(emu, "/organization/users") for _ in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429]
        assert 1 <= int(responses[2].headers["Retry-After"]) <= 30 and "retry-after-ms" not in responses[2].headers
        assert all(r.elapsed.total_seconds() >= 0.05 for r in responses)
        # reset returns to the command-line settings, not to "no limit".
        emu.reset()
        assert [get(emu, "/organization/users").status_code for _ in range(3)] == [200, 200, 429]
        assert emu.requests().rate_limited == {"GET /v1/organization/users": 1}


def test_an_internal_failure_still_answers_json_with_a_request_id(tmp_path: Path) -> None:
    state_dir = tmp_path / "gone"
    state_dir.mkdir()
    with EmulatorProcess.start("--state", str(state_dir / "state.json")) as emu:
        (state_dir / "state.json").unlink()
        state_dir.rmdir()  # the next state write fails
        response = requests.delete(f"{emu.base_url}/organization/projects/{SAMPLE.WEB}/users/{SAMPLE.ALAN}",
                                   headers=emu.auth_headers, timeout=10)
        assert response.status_code == 500
        assert response.json()["error"]["type"] == "server_error"
        assert response.headers["x-request-id"].startswith("req_")
        assert "Traceback" in emu.log_path.read_text()
