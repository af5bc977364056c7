"""Shared fixtures.

* ``emulator``: a running Admin API emulator (``pulumi_openai_access.emulator.process.EmulatorProcess``),
  reset to the sample organization, with no faults, rate limit or latency and zeroed
  counters, before each test. Point a client at ``emulator.base_url`` with
  ``emulator.admin_key``; the sample's ids are in ``pulumi_openai_access.emulator.process.SAMPLE``.
  ``emulator.reset(seed)`` loads another organization; ``set_faults``,
  ``set_rate_limit``, ``set_latency``, ``requests()`` and ``state()`` drive the knobs and
  inspect the result.
* ``emulator_process``: the same process without the reset (session-scoped); prefer
  ``emulator``.

One emulator process serves the whole session, so tests stay fast; resetting it before each
test keeps them independent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_openai_access.emulator.process import EmulatorProcess

# Fixtures of the support modules, available to every test without importing them.
pytest_plugins = ["tests.support.cli", "tests.support.client", "tests.support.engine", "tests.support.providers",
                  "tests.support.groups"]


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    with EmulatorProcess.start() as emu:
        yield emu


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorProcess:
    emulator_process.reset()
    return emulator_process

