"""A stack program of somebody else's infrastructure repository, and the driver that runs it.

It lives in a directory of its own with a virtualenv that has pulumi-openai-access installed
from a wheel, and knows nothing of this repository: it imports the installed package, starts
the installed emulator, runs `up` through the Pulumi engine (Automation API), and prints what
it sees as JSON for the test to check.

    python provision.py PULUMI_BIN_DIR
"""

import json
import os
import sys
from pathlib import Path

import pulumi
import pulumi_openai_access
from pulumi import automation as auto
from pulumi_openai_access.components import TeamAccess
from pulumi_openai_access.emulator.process import SAMPLE, EmulatorProcess

HERE = Path(__file__).resolve().parent


def program() -> None:
    team = TeamAccess("data-science", {
        "members": ["barbara@example.com"],
        "grants": {SAMPLE.DATA: {"role": "member", "roles": [SAMPLE.VIEWER_ROLE]}},
    })
    pulumi.export("access", team.access)


def main(pulumi_bin_dir: str) -> None:
    (HERE / "state").mkdir(exist_ok=True)
    with EmulatorProcess.start("--quiet") as emulator:
        stack = auto.create_or_select_stack(
            "ci", project_name="infra", program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(HERE),
                env_vars={
                    "PULUMI_BACKEND_URL": (HERE / "state").as_uri(),
                    "PULUMI_CONFIG_PASSPHRASE": "ci",
                    "PULUMI_SKIP_UPDATE_CHECK": "true",
                    "PULUMI_PYTHON_CMD": sys.executable,
                    "PATH": f"{pulumi_bin_dir}{os.pathsep}{os.environ['PATH']}",
                },
                pulumi_home=str(HERE / "pulumi-home"),
                secrets_provider="passphrase",
                pulumi_command=auto.PulumiCommand(root=str(Path(pulumi_bin_dir).parent)),
            ),
        )
        stack.set_config("openai:adminKey", auto.ConfigValue(emulator.admin_key, secret=True))
        stack.set_config("openai:baseUrl", auto.ConfigValue(emulator.base_url))
        result = stack.up()
        print(json.dumps({
            "package_path": list(pulumi_openai_access.__path__),
            "changes": result.summary.resource_changes,
            "access": result.outputs["access"].value,
            "memberships": emulator.state()["memberships"],
            "role_assignments": emulator.state()["role_assignments"],
        }))


if __name__ == "__main__":
    main(sys.argv[1])
