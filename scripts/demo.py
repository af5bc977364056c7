"""The main job on an embedded default: provision the demo stack against the emulator.

Starts the Admin API emulator with its sample organization (state kept in
``.pulumi-state/emulator.json``), points the ``demo`` stack (``Pulumi.demo.yaml``) at it with
a local file backend and a passphrase under ``.pulumi-state/``, shows the preview, applies
it, and prints who has what where. Run it again and it finds nothing to change; ``--fresh``
starts over; ``--destroy`` removes what the stack manages.

    .venv/bin/python -m scripts.demo [--fresh] [--destroy]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from pulumi_openai_access.components.stack_program import provision_access
from pulumi_openai_access.emulator.process import EmulatorProcess
from scripts.stack_runner import REPO_ROOT, open_stack

DEFAULT_STATE_DIR = REPO_ROOT / ".pulumi-state"
# Only guards the demo's local state: the demo organization has nothing secret in it.
DEMO_PASSPHRASE = "demo"


def banner(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="forget the emulator's and the stack's state first")
    parser.add_argument("--destroy", action="store_true", help="destroy the stack's resources at the end")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help="where the emulator's state and the stack's backend live (default: %(default)s)")
    args = parser.parse_args()
    state_dir: Path = args.state_dir
    if args.fresh:
        shutil.rmtree(state_dir, ignore_errors=True)
    state_dir.mkdir(parents=True, exist_ok=True)

    with EmulatorProcess.start("--quiet", "--state", str(state_dir / "emulator.json")) as emulator:
        banner(f"emulator: {emulator.base_url} (sample organization, key {emulator.admin_key})")
        # The emulator's key is a public default; a real organization's key goes in secret
        # stack config instead: pulumi config set --secret openai:adminKey sk-admin-...
        stack = open_stack(
            "demo", provision_access, work_dir=REPO_ROOT, state_dir=state_dir / "backend",
            passphrase=DEMO_PASSPHRASE,
            env={"OPENAI_BASE_URL": emulator.base_url, "OPENAI_ADMIN_KEY": emulator.admin_key},
        )
        banner("pulumi preview")
        stack.preview(on_output=print, color="never")
        banner("pulumi up")
        result = stack.up(on_output=print, color="never")
        banner("who has what where (stack output 'summary')")
        for line in result.outputs["summary"].value:
            print(f"  {line}")
        banner(f"the organization as the emulator now holds it ({emulator.requests().total} API requests)")
        state = emulator.state()
        emails = {user["id"]: user["email"] for user in state["users"]}
        for membership in sorted(state["memberships"], key=lambda m: (m["project_id"], emails[m["user_id"]])):
            roles = [a["role_id"] for a in state["role_assignments"]
                     if (a["project_id"], a["user_id"]) == (membership["project_id"], membership["user_id"])]
            print(f"  {membership['project_id']}: {emails[membership['user_id']]} {membership['role']} {roles}")
        if args.destroy:
            banner("pulumi destroy")
            stack.destroy(on_output=print, color="never")
    return 0


if __name__ == "__main__":
    sys.exit(main())
