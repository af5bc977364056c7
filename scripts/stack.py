"""``pulumi preview|up|refresh|destroy`` of this project's stack program, without the
Python language host: the Automation API runs the program in this process.

With the official Pulumi CLI installed, plain ``pulumi up`` in the project directory does
the same. This is for machines where only ``scripts/get-pulumi.sh``'s CLI is available.

    .venv/bin/python -m scripts.stack STACK preview|up|refresh|destroy [--backend DIR]

The stack's config is ``Pulumi.<STACK>.yaml``; set the key as secret config first
(``pulumi config set --secret openai:adminKey ...``) or export OPENAI_ADMIN_KEY. The
passphrase of the secrets provider comes from PULUMI_CONFIG_PASSPHRASE.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pulumi_openai_access.components.stack_program import provision_access
from scripts.stack_runner import REPO_ROOT, open_stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack")
    parser.add_argument("operation", choices=["preview", "up", "refresh", "destroy"])
    parser.add_argument("--backend", type=Path, default=REPO_ROOT / ".pulumi-state" / "backend",
                        help="local file backend directory (default: %(default)s)")
    args = parser.parse_args()
    passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE")
    if passphrase is None:
        parser.error("set PULUMI_CONFIG_PASSPHRASE (the passphrase of this stack's secrets)")
    stack = open_stack(args.stack, provision_access, work_dir=REPO_ROOT, state_dir=args.backend, passphrase=passphrase)
    getattr(stack, args.operation)(on_output=print)
    return 0


if __name__ == "__main__":
    sys.exit(main())
