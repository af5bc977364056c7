# Source this file (bash/zsh/sh):  . scripts/pulumi-env.sh
#
# Offline settings for the Pulumi engine, and the Pulumi CLI on PATH (built by
# scripts/get-pulumi.sh on first use, then taken from its cache).
# The backend (PULUMI_BACKEND_URL=file://...) and PULUMI_CONFIG_PASSPHRASE are
# left to the caller.

if [ -n "${BASH_SOURCE:-}" ]; then
    _pulumi_env_script="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
    # shellcheck disable=SC2296
    _pulumi_env_script="${(%):-%x}"
else
    _pulumi_env_script="$0"
fi
case "$_pulumi_env_script" in
    *pulumi-env.sh) _pulumi_env_root="$(cd "$(dirname "$_pulumi_env_script")/.." && pwd -P)" ;;
    # plain sh cannot tell which file is being sourced: use the checkout around $PWD
    *) _pulumi_env_root="$(git rev-parse --show-toplevel 2>/dev/null || pwd -P)" ;;
esac

# Never ask the network for a newer CLI.
export PULUMI_SKIP_UPDATE_CHECK=true
# Never download plugins: everything needed (pulumi-resource-pulumi-python)
# sits next to the CLI.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# Don't resolve package names through the Pulumi Registry (network).
export PULUMI_DISABLE_REGISTRY_RESOLVE=true
# Plugin cache, credentials.json, workspace settings: kept per checkout
# (git-ignored .pulumi-home) instead of ~/.pulumi, unless the caller chose one.
export PULUMI_HOME="${PULUMI_HOME:-$_pulumi_env_root/.pulumi-home}"

if _pulumi_env_bin="$("$_pulumi_env_root/scripts/get-pulumi.sh" | tail -n 1)" && [ -n "$_pulumi_env_bin" ]; then
    case ":$PATH:" in
        *":$_pulumi_env_bin:"*) ;;
        *) export PATH="$_pulumi_env_bin:$PATH" ;;
    esac
else
    echo "pulumi-env.sh: scripts/get-pulumi.sh failed; pulumi is not on PATH" >&2
fi
unset _pulumi_env_script _pulumi_env_root _pulumi_env_bin
