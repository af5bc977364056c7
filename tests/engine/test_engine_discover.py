"""A discovered spec applied through the real engine: adopting sends 0 writes, and the next
up sends 0 requests; audit then finds the organization in sync. The brownfield promise of
``openai-access discover``."""

from __future__ import annotations

import yaml

from tests.support.cli import generated_seed, spec_access


def test_a_discovered_organization_comes_under_code_with_no_write(cli, emulator, engine_stack, tmp_path):
    emulator.reset(generated_seed())
    state = emulator.state()
    spec_file = tmp_path / "access.yaml"
    assert cli("discover", "--output", str(spec_file)).code == 0
    declared = spec_access(spec_file.read_text(), state)
    stack = engine_stack("brownfield", spec=yaml.safe_load(spec_file.read_text()))
    resources = 2 + len(declared)  # the stack, the component, one ProjectUser per membership

    adopting = stack.up()

    assert not adopting.failed, adopting.errors
    assert adopting.changes == {"create": resources}
    assert adopting.requests.writes() == {}
    assert emulator.state() == state

    again = stack.up()

    assert again.changes == {"same": resources}
    assert again.requests.total == 0
    assert cli("audit", "--spec", str(spec_file)).code == 0
