"""``openai-access discover``: the live organization as a spec that says exactly what exists.

Round trips on the sample organization and on a generated one: the discovered spec, parsed
and merged as the stack program does, describes exactly the live memberships and extra roles;
discovering twice gives the same bytes. Also: the fewest requests, readable team names,
custom role names as comments, the mirror role left out, --project, --output and --stack.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pulumi_openai_access.emulator.process import SAMPLE
from tests.support.cli import CUSTOM, generated_seed, live_access, spec_access

@pytest.mark.parametrize("seed", [None, "generated"])
def test_round_trip_describes_exactly_what_exists_and_is_byte_identical(cli, emulator, seed):
    if seed == "generated":
        emulator.reset(generated_seed())
    state = emulator.state()

    first, second = cli("discover"), cli("discover")

    assert first.code == 0, first.stderr
    assert spec_access(first.stdout, state) == live_access(state)
    assert first.stdout == second.stdout
    assert yaml.safe_load(first.stdout)["adopt"] is True
    assert emulator.state() == state  # read-only


def test_the_fewest_requests_and_no_write(cli, emulator):
    emulator.reset(generated_seed())
    state = emulator.state()
    before = emulator.requests()

    assert cli("discover").code == 0

    counts = emulator.requests().by_route
    seen = {route: n - before.by_route.get(route, 0) for route, n in counts.items() if n - before.by_route.get(route, 0)}
    assert seen == {
        "GET /v1/organization/projects": 1,
        "GET /v1/organization/projects/{project_id}/users": 6,  # one page per project
        "GET /v1/projects/{project_id}/users/{user_id}/roles": len(state["memberships"]),
        # one per project; no key listing, since none of them has a service account
        "GET /v1/organization/projects/{project_id}/service_accounts": 6,
        # the groups, and one grant listing per project (no group has a grant here)
        "GET /v1/organization/groups": 1,
        "GET /v1/organization/projects/{project_id}/groups": 6,
        "GET /v1/projects/{project_id}/roles": 6,  # one per project: its custom roles are declared
        "GET /v1/organization/invites": 1,  # the pending invites, listed as comments
    }


def test_sample_spec_reads_like_one_a_person_wrote(cli):
    spec = cli("discover").stdout

    teams = yaml.safe_load(spec)["teams"]
    assert set(teams) == {
        "data-platform-and-web-storefront", "data-platform-owners", "data-platform-viewer",
        "web-storefront-api-key-manager", "web-storefront-owners",
    }
    assert teams["data-platform-and-web-storefront"]["members"] == ["katherine@example.com"]
    # Ada's role-api-project-owner only mirrors her role: not an extra role
    assert teams["web-storefront-owners"]["grants"] == {SAMPLE.WEB: "owner"}
    # The project's custom role is declared, under a key the grant uses.
    assert yaml.safe_load(spec)["project_roles"] == {SAMPLE.WEB: {"api-key-manager": {
        "name": "API Key Manager", "description": "Manages the project's API keys and nothing else.",
        "permissions": ["api.organization.projects.api_keys.read", "api.organization.projects.api_keys.write"]}}}
    assert f"    api-key-manager:  # {SAMPLE.KEY_MANAGER}\n" in spec
    assert teams["web-storefront-api-key-manager"]["grants"][SAMPLE.WEB]["roles"] == ["api-key-manager"]
    assert f"{SAMPLE.WEB}: owner  # Web Storefront\n" in spec


def test_generated_names_are_unique_and_comments_stay_on_one_line(cli, emulator):
    emulator.reset(generated_seed())

    spec = cli("discover").stdout

    teams = yaml.safe_load(spec)["teams"]
    assert "proj-gen00003" in " ".join(teams)  # 研究 has no latin letter: named after its id
    assert any(name.endswith("-and-web-storefront-key-manager-api") for name in teams)
    assert f"- {CUSTOM}  # Key Manager (API)\n" in spec
    members = [m for team in teams.values() for m in team["members"]]
    assert len(members) == len(set(members)) == 40  # everyone in exactly one team
    assert all(m == m.lower() for m in members)


def test_project_limits_discovery_to_the_projects_named(cli, emulator):
    state = emulator.state()

    run = cli("discover", "--project", SAMPLE.DATA)

    assert run.code == 0, run.stderr
    assert spec_access(run.stdout, state) == live_access(state, projects={SAMPLE.DATA})


def test_output_and_stack_write_the_spec_and_point_the_stack_at_it(cli, emulator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: infra\nruntime: python\n")
    (tmp_path / "Pulumi.prod.yaml").write_text("# production\nconfig:\n  openai:baseUrl: https://api.openai.com/v1\n")

    run = cli("discover", "--stack", "prod", "--output", "access/prod.yaml")

    assert run.code == 0, run.stderr
    assert run.stdout == ""
    assert yaml.safe_load((tmp_path / "Pulumi.prod.yaml").read_text()) == {"config": {
        "openai:baseUrl": emulator.base_url, "infra:accessFile": "access/prod.yaml",  # where the spec was read from
    }}
    assert f"openai:baseUrl set to {emulator.base_url}, where the spec was read from (was https://api.openai.com/v1)" \
        in run.stderr
    assert (tmp_path / "Pulumi.prod.yaml").read_text().startswith("# production\n")  # the user's comments stay
    assert spec_access((tmp_path / "access" / "prod.yaml").read_text(), emulator.state()) == live_access(emulator.state())
    assert "Pulumi.prod.yaml now reads its access from access/prod.yaml" in run.stderr

    again = cli("discover", "--stack", "prod", "--output", "access/prod.yaml")

    assert again.code == 0
    assert (tmp_path / "Pulumi.prod.yaml").read_text().count("infra:accessFile") == 1


def test_stack_outside_a_pulumi_project_fails_before_reading(cli, emulator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = emulator.requests().total

    run = cli("discover", "--stack", "prod")

    assert run.code == 2
    assert run.error_lines == [f"openai-access: error: no Pulumi.yaml in {tmp_path}: run this in your Pulumi "
                               "project directory"]
    assert emulator.requests().total == before
    assert not list(Path(tmp_path).iterdir())


def test_progress_shows_each_listing_and_the_throttle_waits(cli, emulator):
    emulator.reset(generated_seed())

    run = cli("discover", "--requests-per-minute", "3000")

    lines = run.stderr.splitlines()
    assert "openai-access: listing projects" in lines
    assert "openai-access: reading role assignments: 6/66" in lines  # every tenth, not every request
    assert any("waiting for the rate limit" in line for line in lines), run.stderr


def test_an_organization_with_no_membership_is_said_so(cli, emulator):
    emulator.reset({"users": [{"email": "solo@example.com", "name": "Solo", "role": "owner"}],
                    "projects": [{"name": "Empty"}]})

    run = cli("discover")

    assert run.code == 0
    assert "teams: {}" in run.stdout
    assert "openai-access: warning: no memberships found" in run.stderr


def test_a_stack_file_in_flow_style_is_rewritten_with_every_setting_kept(cli, emulator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: infra\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {openai:requestsPerMinute: '9'}\n")

    assert cli("discover", "--stack", "dev").code == 0

    assert yaml.safe_load((tmp_path / "Pulumi.dev.yaml").read_text()) == {"config": {
        "openai:requestsPerMinute": "9", "infra:accessFile": "access-dev.yaml", "openai:baseUrl": emulator.base_url}}
