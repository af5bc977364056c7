"""``openai-access discover`` in an organization that uses groups: each granted group is a team
(a SCIM group as external_group with grants only, a hand-made one as group with its members),
group access is not repeated as memberships, and the output is byte-identical run to run."""

from __future__ import annotations

import yaml

from pulumi_openai_access.components import parse_access_spec
from pulumi_openai_access.providers.admin_api import AdminClient
from tests.support.groups import GROUPS_IN_USE


def test_groups_come_out_as_teams(cli, emulator):
    emulator.reset(GROUPS_IN_USE)
    state = emulator.state()
    first, second = cli("discover"), cli("discover")
    assert first.code == 0, first.stderr
    assert first.stdout == second.stdout
    assert emulator.state() == state  # read-only

    teams = yaml.safe_load(first.stdout)["teams"]
    assert teams["ml-engineers"] == {"external_group": "ML Engineers", "grants": {"proj_web": "owner"}}
    assert teams["hand-made"] == {"group": "hand-made", "members": ["alan@example.com"],
                                  "grants": {"proj_data": {"role": "member", "roles": ["analyst"]}}}
    # The memberships stay memberships; nobody's group access is repeated as one.
    people = {person for team in teams.values() if "group" not in team and "external_group" not in team
              for person in team["members"]}
    assert people == {"ada@example.com", "grace@example.com"}
    assert "its users are the identity provider's" in first.stdout
    parse_access_spec(yaml.safe_load(first.stdout))  # a valid spec


def test_a_group_name_held_twice_is_named_by_id(cli, emulator):
    emulator.reset(GROUPS_IN_USE)
    AdminClient(emulator.admin_key, emulator.base_url).create_group("hand-made")
    teams = yaml.safe_load(cli("discover").stdout)["teams"]
    assert teams["hand-made"] == {"external_group": "group_hand",
                                  "grants": {"proj_data": {"role": "member", "roles": ["analyst"]}}}
