"""The emulator's request counters, and what one benchmark step added to them."""

from __future__ import annotations

from typing import Any

from pulumi_openai_access.emulator.process import EmulatorProcess


def request_counters(emu: EmulatorProcess) -> dict[str, Any]:
    return emu._control("GET", "requests")


def counter_delta(after: dict[str, Any], before: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """(handled requests, 429s) by endpoint between two readings."""
    def sub(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
        return {k: v - b.get(k, 0) for k, v in a.items() if v - b.get(k, 0)}

    return sub(after["by_route"], before["by_route"]), sub(after["rate_limited"]["by_route"],
                                                           before["rate_limited"]["by_route"])
