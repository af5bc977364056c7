"""The dynamic provider run the way the Pulumi engine runs it, without the engine.

``python -u -m pulumi.dynamic`` in the project directory, its port read from the first stdout
line, then driven over gRPC with the engine's own messages: Configure with the stack config,
then Check, Diff, Create, Read, Update and Delete with serialized properties whose
``__provider`` is the pickled provider, exactly as a stack's state holds it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc
from pulumi.runtime.proto import provider_pb2_grpc

REPO_ROOT = Path(__file__).resolve().parents[2]


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return rpc.deserialize_properties(struct, keep_unknowns=True)


@dataclass
class ProviderProcess:
    process: subprocess.Popen[bytes]
    stub: provider_pb2_grpc.ResourceProviderStub
    channel: grpc.Channel
    stderr_path: Path

    @classmethod
    def start(cls, cwd: Path = REPO_ROOT, env: dict[str, str] | None = None) -> "ProviderProcess":
        stderr = tempfile.NamedTemporaryFile(prefix="dynamic-provider-", suffix=".log", delete=False)
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:0"],
            cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
            env={**os.environ, "PULUMI_PROJECT": "openai-access", **(env or {})},
        )
        port = process.stdout.readline().decode().strip()  # type: ignore[union-attr]
        if not port.isdigit():
            process.kill()
            raise RuntimeError(f"provider did not announce a port: {port!r}; {Path(stderr.name).read_text()}")
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=20)
        return cls(process, provider_pb2_grpc.ResourceProviderStub(channel), channel, Path(stderr.name))

    def configure(self, config: dict[str, str]) -> None:
        self.stub.Configure(proto.ConfigureRequest(args=to_struct(config), acceptSecrets=False))

    def stop(self) -> str:
        """Stops the process; returns everything it wrote to stderr."""
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        text = self.stderr_path.read_text()
        self.stderr_path.unlink(missing_ok=True)
        return text


@dataclass
class EngineResource:
    """One resource's lifecycle through the gRPC interface, as the engine drives it."""

    provider_process: ProviderProcess
    provider: Any
    urn: str

    def _with_provider(self, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, "__provider": serialize_provider(self.provider)}

    def check(self, news: dict[str, Any], olds: dict[str, Any] | None = None) -> tuple[dict[str, Any], list]:
        response = self.provider_process.stub.Check(proto.CheckRequest(
            urn=self.urn, olds=to_struct(self._with_provider(olds or {})), news=to_struct(self._with_provider(news))))
        return from_struct(response.inputs), list(response.failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]):
        return self.provider_process.stub.Diff(proto.DiffRequest(
            id=id_, urn=self.urn, olds=to_struct(olds), news=to_struct(self._with_provider(news))))

    def create(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self.provider_process.stub.Create(proto.CreateRequest(urn=self.urn, properties=to_struct(inputs)))
        return response.id, from_struct(response.properties)

    def read(self, id_: str, outputs: dict[str, Any]):
        response = self.provider_process.stub.Read(proto.ReadRequest(id=id_, urn=self.urn, properties=to_struct(outputs)))
        return response.id, from_struct(response.properties), from_struct(response.inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self.provider_process.stub.Update(proto.UpdateRequest(
            id=id_, urn=self.urn, olds=to_struct(olds), news=to_struct(news)))
        return from_struct(response.properties)

    def delete(self, id_: str, outputs: dict[str, Any]) -> None:
        self.provider_process.stub.Delete(proto.DeleteRequest(id=id_, urn=self.urn, properties=to_struct(outputs)))
