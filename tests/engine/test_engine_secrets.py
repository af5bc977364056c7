"""The admin key, set as secret stack config, appears nowhere a stack's life leaves text:
not in the engine's output of any operation (successes and failures), not in the provider
process's stderr even with DEBUG logging, not in ``__provider``, not in the exported state,
not in any file of the backend or the project directory.

One place does hold it, encrypted: the engine passes the whole stack config to the dynamic
provider plugin, and records it as the inputs of the default ``pulumi:providers:pulumi-python``
resource. Set as a secret it is stored there as a secret (ciphertext); set as plain config
it would be stored in plaintext. The test pins down that this is the only place, and that
it is encrypted.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from pulumi import automation as auto

from pulumi_openai_access.emulator.process import PROJECT_USER, SAMPLE, EmulatorProcess, Fault
from tests.support.engine import (
    assert_emulator_matches,
    decoded_provider,
    is_secret,
    provider_values,
    team_spec,
)

MARKER = "engine-test: provider logging at DEBUG"

# Imported by the provider process (and only by processes given this PYTHONPATH): every
# logger at DEBUG to stderr, which the engine forwards into its own output.
SITECUSTOMIZE = f"""\
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
print({MARKER!r}, file=sys.stderr, flush=True)
"""


def test_the_admin_key_is_never_written_or_shown(engine_stack, tmp_path: Path):
    key = f"sk-admin-EngineTestSecret{secrets.token_hex(16)}"
    key_body = key.removeprefix("sk-admin-")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)

    with EmulatorProcess.start(admin_key=key) as emulator:  # a key of its own, found nowhere else
        baseline = emulator.state()
        stack = engine_stack("secrets", spec=team_spec(), emulator=emulator, env={"PYTHONPATH": str(site)})
        assert key not in repr(stack.stack.workspace) and key not in str(stack.stack.workspace.env_vars)

        stack.preview()
        stack.up()
        assert_emulator_matches(emulator, stack.spec, baseline)
        stack.refresh()
        spec = team_spec()
        spec["teams"]["data"]["grants"][SAMPLE.DATA] = "member"
        stack.spec = spec
        stack.up()  # an update
        emulator.set_faults(Fault("POST", PROJECT_USER, "status", status=403, count=1))
        stack.spec = team_spec()
        failed = stack.up(expect_failure=True)  # an API error, through the provider to the engine
        assert "The emulator injected this 403 fault." in failed.error
        decrypted = stack.deployment()  # Stack.export_stack(): --show-secrets
        stored = stack.export_encrypted()
        stack.destroy()
        assert emulator.state() == baseline
        emulator_log = emulator.log_path.read_text()

    operations = stack.operations
    assert [op.kind for op in operations] == ["preview", "up", "refresh", "up", "up", "destroy"]
    # The provider's stderr did reach us, with the client's DEBUG logs of every request.
    up_stderr = operations[1].provider_stderr
    assert MARKER in up_stderr, f"the provider's stderr was not captured:\n{operations[1].text}"
    assert re.search(r"POST /organization/projects/\{project_id\}/users -> 2\d\d request_id=", up_stderr), up_stderr

    for op in operations:
        for text in (op.everything, op.provider_stderr):
            assert key not in text and key_body not in text, f"the key is in the output of {op.kind}"

    # The state as stored: the key nowhere, not even in the provider's config.
    stored_text = json.dumps(stored)
    assert stored["resources"], "nothing was exported"
    assert key not in stored_text and key_body not in stored_text
    # Decrypted: the key only as the secret value of the default provider's config.
    [default_provider] = [r for r in decrypted["resources"] if r["type"] == "pulumi:providers:pulumi-python"]
    for section in ("inputs", "outputs"):
        config_value = default_provider[section]["openai:adminKey"]
        assert is_secret(config_value) and json.loads(config_value["plaintext"]) == key
        stored_value = next(r for r in stored["resources"] if r["urn"] == default_provider["urn"])[section]
        assert is_secret(stored_value["openai:adminKey"]) and "ciphertext" in stored_value["openai:adminKey"]
        del default_provider[section]["openai:adminKey"]
    decrypted_text = json.dumps(decrypted)
    assert key not in decrypted_text and key_body not in decrypted_text
    providers = provider_values(stored)
    assert len(providers) == 2 * 3  # inputs and outputs of 3 memberships
    for value in providers:
        decoded = decoded_provider(value)
        assert key.encode() not in decoded and key_body.encode() not in decoded

    files = dict(stack.backend_bytes())
    state_file = stack.state_dir / ".pulumi" / "stacks" / "openai-access" / "secrets.json"
    assert state_file in files  # the state (destroyed by now), its backups and history,
    assert any(b"openai:adminKey" in data for path, data in files.items() if ".pulumi/history/" in str(path))
    config = (stack.work_dir / "Pulumi.secrets.yaml").read_text()
    assert "openai:adminKey" in config and "secure:" in config  # there, but encrypted
    for path, data in files.items():
        assert key.encode() not in data and key_body.encode() not in data, f"the key is in {path}"

    # the emulator's own request log, for good measure
    assert key not in emulator_log and key_body not in emulator_log


def test_a_plain_text_key_in_config_stops_the_program_before_anything_is_stored(engine_stack):
    stack = engine_stack("plaintext", spec=team_spec())
    stack.stack.set_config("openai:adminKey", auto.ConfigValue(stack.emulator.admin_key, secret=False))

    preview = stack.preview(expect_failure=True)
    assert "set it with `pulumi config set --secret openai:adminKey" in preview.error
    up = stack.up(expect_failure=True)
    assert "--secret openai:adminKey" in up.error
    assert preview.requests.total == 0 and up.requests.total == 0
    # Nothing was registered, so the key was not copied into state as provider config.
    stored = json.dumps(stack.export_encrypted())
    assert stack.emulator.admin_key not in stored
