"""The README's new-service program through the real engine (``examples/new_service.py``): a
project, its custom role, the team's memberships with that role and a service account, created
from nothing in one up after a preview of 0 requests, in dependency order; the account's key
handed as a secret to another resource of the program, and read by another stack through a
stack reference and used against the emulator; destroy archives the project."""

from __future__ import annotations

import re

import pulumi

from examples.new_service import new_service_access
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from scripts.stack_runner import PROJECT_NAME, REPO_ROOT
from tests.support.engine import EngineStack
from tests.support.key_consumer import KeyConsumer

# The provider processes import tests.support.key_consumer by reference.
ENV = {"PYTHONPATH": str(REPO_ROOT)}


def program(emulator: EmulatorProcess):
    def run() -> None:
        checkout = new_service_access("checkout", "Checkout service",
                                      team=["barbara@example.com", "katherine@example.com"])
        consumer = KeyConsumer("app-secret", api_key=checkout.bot.api_key, base_url=emulator.base_url)
        pulumi.export("project_id", checkout.project.id)
        pulumi.export("evaluator_id", checkout.evaluator.id)
        pulumi.export("deploy_bot_key", checkout.bot.api_key)
        pulumi.export("consumer_key_worked", consumer.key_worked)

    return run


def log_length(emulator: EmulatorProcess) -> int:
    return len(emulator.log_path.read_text().splitlines())


def first_line(emulator: EmulatorProcess, pattern: str, since: int) -> int:
    """The emulator log's first line from ``since`` on that matches (the log serves the whole session)."""
    lines = emulator.log_path.read_text().splitlines()
    return next(i for i in range(since, len(lines)) if re.search(pattern, lines[i]))


def test_a_new_service_gets_its_project_role_team_and_key_in_one_program(engine_stack, emulator, tmp_path):
    owner: EngineStack = engine_stack("access", extra=program(emulator), env=ENV)
    preview = owner.preview()
    assert preview.requests.total == 0
    # the stack, the project, the role, two memberships, the account, the consumer
    assert preview.changes == {"create": 7}

    since = log_length(emulator)
    up = owner.up()
    assert up.changes == {"create": 7}
    project_id, evaluator_id, key = up.outputs["project_id"], up.outputs["evaluator_id"], up.outputs["deploy_bot_key"]
    assert up.outputs["consumer_key_worked"] is True and emulator.key_works(key)
    assert owner.stack.outputs()["deploy_bot_key"].secret
    state = emulator.state()
    assert {(a["user_id"], a["role_id"]) for a in state["role_assignments"] if a["project_id"] == project_id} == {
        (SAMPLE.BARBARA, evaluator_id), (SAMPLE.KATHERINE, evaluator_id)}
    # Dependency order: the project, then its role, then the memberships that carry it.
    project_created = first_line(emulator, r"POST /v1/organization/projects ", since)
    role_created = first_line(emulator, rf"POST /v1/projects/{project_id}/roles ", since)
    member_added = first_line(emulator, rf"POST /v1/organization/projects/{project_id}/users ", since)
    assert project_created < role_created < member_added
    assert owner.up().requests.total == 0

    # Another stack reads the key through a stack reference, still a secret, and uses it.
    def reader_program() -> None:
        reference = pulumi.StackReference(f"organization/{PROJECT_NAME}/access")
        read_key = reference.require_output("deploy_bot_key")
        pulumi.export("key_worked", KeyConsumer("reader-secret", api_key=read_key, base_url=emulator.base_url)
                      .key_worked)
        pulumi.export("key", read_key)

    reader = owner.reader("reader", reader_program, tmp_path / "reader", ENV)
    read = reader.up()
    assert read.outputs["key_worked"].value is True
    assert read.outputs["key"].secret and read.outputs["key"].value == key
    reader.destroy()

    owner.destroy()
    project = next(p for p in emulator.state()["projects"] if p["id"] == project_id)
    assert project["status"] == "archived"
    assert [r for r in emulator.state()["roles"] if r["project_id"] == project_id] == []
    assert not emulator.key_works(key)
    assert all(key not in op.everything for op in owner.operations)
