"""``pulumi up`` of a fresh clone, the way the official CLI sets it up: run from the clone's own
``.venv`` (made and filled from ``requirements.txt`` alone by the test), it runs the clone's
``__main__.py`` through the real engine against an emulator and prints what it saw as JSON.

    .venv/bin/python -m tests.support.fresh_clone_driver      (in the clone's directory)

The language host that ``pulumi up`` uses is not served here, so the Automation API runs
``__main__.py`` in this process instead; the engine, the provider process (this virtualenv's
Python) and the program are the same.
"""

import json
import runpy
from pathlib import Path

from pulumi import automation as auto

from pulumi_openai_access import providers
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess
from scripts.stack_runner import open_stack

SPEC = {"teams": {"data": {"members": ["barbara@example.com"],
                           "grants": {SAMPLE.DATA: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}}}}}


def main() -> None:
    clone = Path.cwd()
    with EmulatorProcess.start("--quiet") as emulator:
        stack = open_stack(
            "fresh", lambda: runpy.run_path(str(clone / "__main__.py"), run_name="__main__"),
            work_dir=clone, state_dir=clone / ".pulumi-state" / "backend", passphrase="fresh-clone",
        )
        stack.set_config("openai:adminKey", auto.ConfigValue(emulator.admin_key, secret=True))
        stack.set_config("openai:baseUrl", auto.ConfigValue(emulator.base_url))
        stack.set_config("openai-access:access", auto.ConfigValue(json.dumps(SPEC)))
        result = stack.up()
        print(json.dumps({
            "providers_file": providers.__file__,
            "changes": result.summary.resource_changes,
            "summary": result.outputs["summary"].value,
            "memberships": emulator.state()["memberships"],
            "role_assignments": emulator.state()["role_assignments"],
        }))


if __name__ == "__main__":
    main()
