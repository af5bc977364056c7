"""A service account through the real engine: its key created, handed as a secret to another
resource of the same program and exported; rotated with no moment without a valid key; deleted
out of band, seen by refresh and repaired by up; destroyed. The key is stored encrypted and
shown nowhere in plain text. Faults during create never make two accounts."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_openai_access.emulator.process import (
    PROJECT_API_KEY,
    SAMPLE,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_KEYS,
    SERVICE_ACCOUNTS,
    EmulatorProcess,
    Fault,
)
from pulumi_openai_access.providers.admin_api import AdminClient
from pulumi_openai_access.components.stack_program import provision_access
from pulumi_openai_access.providers.service_account import ServiceAccount
from scripts.stack_runner import PROJECT_NAME, REPO_ROOT
from tests.support.engine import EngineStack, is_secret
from tests.support.key_consumer import KeyConsumer

SERVICE_ACCOUNT_TYPE = "pulumi-python:dynamic/openai:ServiceAccount"
CONSUMER_TYPE = "pulumi-python:dynamic/test:KeyConsumer"
NAME = "deploy-bot"
# The provider process imports tests.support.key_consumer by reference.
ENV = {"PYTHONPATH": str(REPO_ROOT)}


def program(emulator: EmulatorProcess, declared: dict[str, Any]):
    def run() -> None:
        account = ServiceAccount(f"{SAMPLE.WEB}/{NAME}", project_id=SAMPLE.WEB, name=NAME,
                                 rotation=declared["rotation"])
        consumer = KeyConsumer("app-secret", api_key=account.api_key, base_url=emulator.base_url)
        pulumi.export("deploy_bot_key", account.api_key)
        pulumi.export("deploy_bot_key_id", account.api_key_id)
        pulumi.export("consumer_key_worked", consumer.key_worked)

    return run


def one(stack: EngineStack, type_: str, deployment: dict | None = None) -> dict[str, Any]:
    (resource,) = stack.resources(type_, deployment)
    return resource


def accounts_named(emulator: EmulatorProcess, name: str) -> list[dict[str, Any]]:
    return [sa for sa in emulator.state()["service_accounts"] if sa["name"] == name]


def request_order(emulator: EmulatorProcess, *patterns: str) -> list[int]:
    """The line numbers in the emulator's request log of the first request matching each pattern."""
    lines = emulator.log_path.read_text().splitlines()
    return [next(i for i, line in enumerate(lines) if re.search(pattern, line)) for pattern in patterns]


def test_a_service_account_key_flows_as_a_secret_rotates_and_is_repaired(engine_stack, emulator, tmp_path):
    declared = {"rotation": "2026-q1"}
    # Every logger of the provider process at DEBUG, to its stderr (which the engine forwards).
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import logging, sys\nlogging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n")
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(REPO_ROOT)])}
    stack = engine_stack("service-account", extra=program(emulator, declared), env=env)
    keys: list[str] = []

    # 1. preview asks nothing; up makes one account with its key (a listing, one write), handed
    #    to the consumer, which could use it
    assert stack.preview().requests.total == 0
    up = stack.up()
    assert up.changes == {"create": 3}  # the stack, the account, the consumer
    assert up.requests.writes() == {f"POST {SERVICE_ACCOUNTS}": 1}
    assert stack.up().requests.total == 0  # a no-op up decides locally
    (account,) = accounts_named(emulator, NAME)
    key, key_id = up.outputs["deploy_bot_key"], up.outputs["deploy_bot_key_id"]
    keys.append(key)
    assert emulator.key_works(key) and up.outputs["consumer_key_worked"] is True
    assert [k["id"] for k in emulator.state()["api_keys"]] == [key_id]
    assert stack.stack.outputs()["deploy_bot_key"].secret  # readable by a stack reference, as a secret
    state = stack.deployment()
    assert one(stack, SERVICE_ACCOUNT_TYPE, state)["id"] == f"{SAMPLE.WEB}/{account['id']}"

    # 2. stored encrypted: in the account's outputs, the consumer's input and output, the stack's outputs
    stored = stack.export_encrypted()
    sa_state, consumer_state = one(stack, SERVICE_ACCOUNT_TYPE, stored), one(stack, CONSUMER_TYPE, stored)
    assert is_secret(sa_state["outputs"]["api_key"]) and "ciphertext" in sa_state["outputs"]["api_key"]
    assert is_secret(consumer_state["inputs"]["api_key"]) and is_secret(consumer_state["outputs"]["api_key"])
    (stack_resource,) = stack.resources("pulumi:pulumi:Stack", stored)
    assert is_secret(stack_resource["outputs"]["deploy_bot_key"])
    assert key not in json.dumps(stored)

    # 3. a new rotation: the new key is made while the old one still works, then the old one goes
    declared["rotation"] = "2026-q2"
    # the account, and the consumer, whose input (the key) is unknown until the account's update
    assert stack.preview().changes == {"same": 1, "update": 2}
    rotated = stack.up()
    new_key, new_key_id = rotated.outputs["deploy_bot_key"], rotated.outputs["deploy_bot_key_id"]
    keys.append(new_key)
    assert new_key_id != key_id and emulator.key_works(new_key) and not emulator.key_works(key)
    assert rotated.requests.writes() == {f"POST {SERVICE_ACCOUNT_KEYS}": 1, f"DELETE {PROJECT_API_KEY}": 1}
    assert rotated.outputs["consumer_key_worked"] is True  # the consumer got the new key in the same up
    created_at, deleted_at = request_order(
        emulator, rf'"POST /v1/organization/projects/{SAMPLE.WEB}/service_accounts/{account["id"]}/api_keys ',
        rf'"DELETE /v1/organization/projects/{SAMPLE.WEB}/api_keys/{key_id} ')
    assert created_at < deleted_at, "the old key was deleted before the new one existed"
    assert [k["id"] for k in emulator.state()["api_keys"]] == [new_key_id]
    assert len(accounts_named(emulator, NAME)) == 1

    # 4. the key deleted out of band: refresh sees it gone, up makes a new one and hands it on
    AdminClient(emulator.admin_key, emulator.base_url).delete_project_api_key(SAMPLE.WEB, new_key_id)
    refresh = stack.refresh()
    assert refresh.changes == {"same": 2, "update": 1}, refresh.changes  # the account's key outputs
    assert refresh.requests.writes() == {}, "refresh must only read"
    refreshed = one(stack, SERVICE_ACCOUNT_TYPE)["outputs"]
    assert refreshed.get("api_key_id") is None and refreshed.get("api_key") is None  # nulls are not stored
    planned = stack.preview()
    assert planned.changes == {"same": 1, "update": 2}
    assert "a new key is planned (the key is gone)" in planned.provider_stderr  # why, since no input changed
    repaired = stack.up()
    keys.append(repaired.outputs["deploy_bot_key"])
    assert emulator.key_works(repaired.outputs["deploy_bot_key"]) and repaired.outputs["consumer_key_worked"] is True
    assert [k["id"] for k in emulator.state()["api_keys"]] == [repaired.outputs["deploy_bot_key_id"]]
    assert stack.up().changes.get("update") is None  # and then nothing more to do

    # 5. destroy removes the account and its key
    final_stored = stack.export_encrypted()
    assert stack.destroy().requests.writes() == {f"DELETE {SERVICE_ACCOUNT}": 1}  # its keys go with it
    assert accounts_named(emulator, NAME) == [] and emulator.state()["api_keys"] == []

    # No key in plain text anywhere: engine output, provider stderr (at DEBUG), stored state, backend files
    assert "POST /organization/projects/{project_id}/service_accounts -> 200" in stack.operations[1].provider_stderr
    texts = [op.everything for op in stack.operations] + [op.provider_stderr for op in stack.operations]
    texts.append(json.dumps(final_stored))
    for secret in keys:
        for text in texts:
            assert secret not in text
        for path, data in stack.backend_bytes():
            assert secret.encode() not in data, f"a key in plain text in {path}"


@pytest.mark.parametrize("fault", [
    Fault("POST", SERVICE_ACCOUNTS, "drop_after"),
    Fault("POST", SERVICE_ACCOUNTS, "status", status=503, count=2),
], ids=["answer-dropped-after-create", "503-twice"])
def test_faults_during_create_never_make_two_accounts(engine_stack, emulator, fault):
    emulator.set_faults(fault)
    stack = engine_stack("service-account-faults", extra=program(emulator, {"rotation": None}), env=ENV)
    up = stack.up()
    assert up.requests.faults == {f"POST {SERVICE_ACCOUNTS}": fault.count}
    (account,) = accounts_named(emulator, NAME)
    key = up.outputs["deploy_bot_key"]
    assert emulator.key_works(key) and up.outputs["consumer_key_worked"] is True
    # Whatever the fault, the account has exactly the one key the stack holds.
    assert [k["id"] for k in emulator.state()["api_keys"]] == [up.outputs["deploy_bot_key_id"]]
    assert one(stack, SERVICE_ACCOUNT_TYPE)["id"] == f"{SAMPLE.WEB}/{account['id']}"


def test_the_stack_program_exports_the_keys_as_a_secret_another_stack_reads(engine_stack, emulator, tmp_path):
    spec = {"service_accounts": {SAMPLE.WEB: {NAME: None}, SAMPLE.DATA: {"etl": {"role": "owner"}}}}
    owner = engine_stack("access", extra=provision_access, env=ENV)
    owner.stack.set_config(f"{PROJECT_NAME}:access", auto.ConfigValue(json.dumps(spec)))
    up = owner.up()
    assert owner.stack.outputs()["service_account_keys"].secret
    keys = up.outputs["service_account_keys"]
    assert set(keys) == {SAMPLE.WEB, SAMPLE.DATA} and all(emulator.key_works(k) for p in keys.values()
                                                             for k in p.values())
    assert {r["urn"].rpartition("::")[2] for r in owner.resources(SERVICE_ACCOUNT_TYPE)} == {
        f"{SAMPLE.WEB}/service-account/{NAME}", f"{SAMPLE.DATA}/service-account/etl"}
    assert {(sa["name"], sa["role"]) for sa in emulator.state()["service_accounts"]} == {
        (NAME, "member"), ("etl", "owner")}

    # Another stack of the same backend reads the keys through a stack reference and uses one.
    def reader_program() -> None:
        reference = pulumi.StackReference(f"organization/{PROJECT_NAME}/access")
        key = reference.require_output("service_account_keys").apply(lambda k: k[SAMPLE.WEB][NAME])
        pulumi.export("key_worked", KeyConsumer("app-secret", api_key=key, base_url=emulator.base_url).key_worked)
        pulumi.export("key", key)

    reader = owner.reader("reader", reader_program, tmp_path / "reader", ENV)
    read = reader.up()
    assert read.outputs["key_worked"].value is True
    assert read.outputs["key"].secret and read.outputs["key"].value == keys[SAMPLE.WEB][NAME]  # still a secret
    reader.destroy()
    owner.destroy()
    assert emulator.state()["service_accounts"] == []
    for secret in (k for p in keys.values() for k in p.values()):
        assert all(secret not in op.everything for op in owner.operations)


def test_an_interrupted_create_is_taken_over_and_says_which_keys_it_leaves(engine_stack, emulator):
    # What a run stopped after the API created the account, before the state was written, leaves.
    leftover = AdminClient(emulator.admin_key, emulator.base_url).create_service_account(SAMPLE.WEB, NAME)
    stack = engine_stack("service-account-leftover", extra=program(emulator, {"rotation": None}), env=ENV)
    up = stack.up()
    assert [sa["id"] for sa in accounts_named(emulator, NAME)] == [leftover.id]  # no second account
    assert up.requests.writes() == {f"POST {SERVICE_ACCOUNT_KEYS}": 1}  # only a key of its own
    assert emulator.key_works(up.outputs["deploy_bot_key"]) and up.outputs["consumer_key_worked"] is True
    # The key it could not see is left alone, and the engine's output says so, by id.
    assert emulator.key_works(leftover.api_key.value.get_secret_value())
    assert "taking it over" in up.provider_stderr and leftover.api_key.id in up.provider_stderr
