#!/usr/bin/env bash
# Set up a fresh checkout: a virtualenv in .venv with the runtime and test dependencies,
# this project installed in it (editable, as pulumi_openai_access), and the Pulumi CLI
# (the user's own, or built once from Go modules and cached outside the repo).
# Safe to run again: each step is quick when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $("$PYTHON" --version)" >&2
    "$PYTHON" -m venv .venv
fi
# requirements-test.txt includes requirements.txt, which installs this project (editable).
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
# The access report's test opens the page in headless Chromium, Debian's package. CI runs
# this as root on Debian: install it there; elsewhere, say how.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing chromium (the report's browser test)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
    else
        echo "setup: chromium is missing; the report's browser test needs it: sudo apt-get install chromium" >&2
    fi
fi
pulumi_bin="$(bash scripts/get-pulumi.sh | tail -n 1)"
echo "setup: Pulumi CLI in $pulumi_bin" >&2
# The one line that puts `openai-access` (this .venv) and `pulumi` on PATH, as the last line of
# stdout:  eval "$(bash scripts/setup.sh | tail -n 1)"
echo "setup: done; to put openai-access and pulumi on PATH in this shell, run the next line (or eval it):" >&2
printf 'export PATH="%s:%s:$PATH"\n' "$PWD/.venv/bin" "$pulumi_bin"
