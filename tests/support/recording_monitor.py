"""Pulumi's mock monitor, keeping every registration request as the engine would receive it
(URN, parent, dependencies, options, outputs to keep secret), so tests can assert on the resource graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor


@dataclass(frozen=True)
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    dependencies: tuple[str, ...]
    protect: bool
    inputs: dict[str, Any]
    secret_outputs: tuple[str, ...] = ()


class _EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


class RecordingMonitor(MockMonitor):
    def __init__(self) -> None:
        super().__init__(_EchoMocks())
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object)
            inputs.pop("__provider", None)
            self.registrations.append(Registration(
                urn=response.urn, type=request.type, name=request.name, parent=request.parent,
                dependencies=tuple(sorted(request.dependencies)), protect=bool(request.protect), inputs=inputs,
                secret_outputs=tuple(request.additionalSecretOutputs),
            ))
        return response

    def of_type(self, suffix: str) -> dict[str, Registration]:
        return {r.name: r for r in self.registrations if r.type.endswith(suffix)}


def install_recording_monitor(preview: bool = False) -> RecordingMonitor:
    monitor = RecordingMonitor()
    pulumi.runtime.set_mocks(monitor.mocks, preview=preview, monitor=monitor)
    return monitor
