"""``KeyConsumer``: a tiny dynamic resource standing in for whatever a stack hands a service
account's key to (a Kubernetes secret, a secret manager entry). It takes the key as an input,
checks that it authenticates against the emulator (``GET /v1/models``), and outputs whether it
did. Its provider is pickled by reference, so the provider process needs this repository on
``PYTHONPATH`` (the engine tests pass it)."""

from __future__ import annotations

from typing import Any

import pulumi
import requests
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class KeyConsumerProvider(ResourceProvider):
    serialize_as_secret_always = False  # nothing is captured: the key only passes through props

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("key-consumer", _outputs(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("api_key") != news.get("api_key") or olds.get("base_url") != news.get("base_url")
        return DiffResult(changes=changed, replaces=[], stables=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(_outputs(news))


def _outputs(props: dict[str, Any]) -> dict[str, Any]:
    response = requests.get(f"{props['base_url']}/models", headers={"Authorization": f"Bearer {props['api_key']}"},
                            timeout=10)
    return {"api_key": props["api_key"], "base_url": props["base_url"], "key_worked": response.status_code == 200}


class KeyConsumer(Resource, module="test", name="KeyConsumer"):
    key_worked: pulumi.Output[bool]

    def __init__(self, name: str, api_key: pulumi.Input[str], base_url: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(KeyConsumerProvider(), name, {"api_key": api_key, "base_url": base_url, "key_worked": None},
                         opts)
