#!/usr/bin/env bash
# Make the Pulumi CLI available, building it from Go modules when it is not installed.
#
#   PATH="$(scripts/get-pulumi.sh | tail -1):$PATH"
#
# The last line of stdout is the absolute directory holding `pulumi` and the
# `pulumi-resource-pulumi-python` plugin (the one dynamic providers need).
# Progress goes to stderr.
#
# 1. A `pulumi` already on PATH at version >= PULUMI_MIN_VERSION, with the
#    Python dynamic-provider plugin beside it or on PATH, is used as is.
# 2. Otherwise the CLI is built once, at PULUMI_CLI_VERSION, into a cache
#    outside the repo (PULUMI_BUILD_CACHE, default
#    ~/.cache/pulumi-openai-access/pulumi-v<ver>); later runs reuse it.
#    `go install ...@v` is refused (pkg/go.mod has replace directives), so a
#    throw-away wrapper module in the cache requires pkg/v3 and sdk/v3 at the
#    exact version and builds github.com/pulumi/pulumi/pkg/v3/cmd/pulumi.
# 3. The Python language host (pulumi-language-python) is attempted too; it is
#    only needed for `pulumi up` in a project directory, not for the Automation
#    API with inline programs. Failing to get it is reported, never fatal.
#
# Environment knobs:
#   PULUMI_CLI_VERSION      version to build (default: the pinned one below)
#   PULUMI_MIN_VERSION      minimum acceptable version of a pulumi on PATH
#   PULUMI_BUILD_CACHE      cache directory for this version
#   PULUMI_GET_FORCE_BUILD  =1: ignore any pulumi on PATH
#   PULUMI_LANGHOST_VERSION module version of pulumi-language-python to try
#   PULUMI_BUILD_JOBS       go build -p (default 2)
set -euo pipefail

# The Python SDK is pinned at pulumi==3.272.0, but the Go module proxy reachable
# here refuses pkg/v3 v3.271.0, v3.272.0, v3.272.1, v3.273.0 and v3.274.0
# ("403 Forbidden: This module version is not available"). v3.274.1 is the
# nearest version it serves (the others listed are v3.260.0 and older). A CLI
# newer than the SDK is the supported direction (the CLI stays compatible with
# older language SDKs), so it is pinned here.
PINNED_PULUMI_VERSION=3.274.1
# pulumi-language-python is an untagged module (pseudo-versions only). Its
# pseudo-version for a release is v3.0.0-<commit time>-<commit hash[:12]> of
# the release commit; when left empty it is derived from the Origin the proxy
# reports for pkg/v3 at the pinned version, if it reports one.
PINNED_LANGHOST_VERSION=

VER="${PULUMI_CLI_VERSION:-$PINNED_PULUMI_VERSION}"
VER="${VER#v}"
MIN_VER="${PULUMI_MIN_VERSION:-3.259.0}"
MIN_VER="${MIN_VER#v}"

PKG_MOD=github.com/pulumi/pulumi/pkg/v3
SDK_MOD=github.com/pulumi/pulumi/sdk/v3
LANGHOST_MOD=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
PLUGIN=pulumi-resource-pulumi-python

log() { printf 'get-pulumi: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
oneline() { tr '\n\t' '  ' | sed 's/  */ /g; s/ $//'; }

# version_ge A B: true when A >= B (dotted numeric versions).
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# ---------------------------------------------------------------- 1. on PATH
if [ "${PULUMI_GET_FORCE_BUILD:-0}" != 1 ] && existing="$(command -v pulumi 2>/dev/null)"; then
    have="$(PULUMI_SKIP_UPDATE_CHECK=true timeout 60 "$existing" version 2>/dev/null | head -1 || true)"
    have="${have#v}"
    bindir="$(cd "$(dirname "$(readlink -f "$existing")")" && pwd -P)"
    if [[ "$have" =~ ^3\.[0-9]+\.[0-9]+ ]] && version_ge "${BASH_REMATCH[0]}" "$MIN_VER"; then
        if [ -x "$bindir/$PLUGIN" ] || command -v "$PLUGIN" >/dev/null 2>&1; then
            log "using pulumi v$have at $existing"
            printf '%s\n' "$bindir"
            exit 0
        fi
        log "pulumi v$have at $existing has no $PLUGIN beside it or on PATH; building our own"
    else
        log "pulumi at $existing reports '${have:-nothing}', not a CLI >= $MIN_VER; building our own"
    fi
fi

# ---------------------------------------------------------------- 2. cache
CACHE="${PULUMI_BUILD_CACHE:-${HOME}/.cache/pulumi-openai-access/pulumi-v$VER}"
mkdir -p "$CACHE/bin"
CACHE="$(cd "$CACHE" && pwd -P)"
BIN="$CACHE/bin"

write_plugin_script() {
    # The engine runs this plugin with cwd = the project's `main` directory and
    # passes the project's runtime options as PULUMI_RUNTIME_<OPTION> (so
    # `runtime: {name: python, options: {virtualenv: venv}}` arrives as
    # PULUMI_RUNTIME_VIRTUALENV=venv). This mirrors the official
    # python/dist/pulumi-resource-pulumi-python of the sdk/v3 module, with exec
    # and "$@" quoted.
    # Automation API inline programs: the CLI replaces the runtime by `client`,
    # so the virtualenv option never reaches the plugin, and `main` defaults to
    # the caller's os.getcwd(), not work_dir. Callers should pass
    # env_vars={"PULUMI_PYTHON_CMD": sys.executable} (or an absolute
    # PULUMI_RUNTIME_VIRTUALENV) and ProjectSettings(main=work_dir).
    local tmp="$BIN/.$PLUGIN.tmp.$$"
    cat >"$tmp" <<'EOF'
#!/bin/sh
# pulumi-resource-pulumi-python: serves Python dynamic providers (written by get-pulumi.sh).
# Python: the virtualenv in PULUMI_RUNTIME_VIRTUALENV (relative to the project
# directory, where the engine starts us), else PULUMI_PYTHON_CMD, else python3 on PATH.
if [ -z "${PULUMI_RUNTIME_VIRTUALENV:-}" ]; then
    case "${PULUMI_RUNTIME_TOOLCHAIN:-}" in
        uv) PULUMI_RUNTIME_VIRTUALENV=.venv ;;
        poetry) PULUMI_RUNTIME_VIRTUALENV=$(poetry env info --path) || exit 1 ;;
    esac
fi
if [ -n "${PULUMI_RUNTIME_VIRTUALENV:-}" ]; then
    venv=${PULUMI_RUNTIME_VIRTUALENV%/}
    case $venv in
        /*) ;;
        *) venv=$PWD/$venv ;;
    esac
    if [ -f "$venv/bin/python" ]; then
        PATH="$venv/bin:$PATH"
        export PATH
        unset PYTHONHOME
        exec "$venv/bin/python" -u -m pulumi.dynamic "$@"
    fi
    echo "pulumi-resource-pulumi-python: the virtualenv \"$venv\" (PULUMI_RUNTIME_VIRTUALENV / Pulumi.yaml runtime option 'virtualenv') has no bin/python; create it with: python3 -m venv \"$venv\" && \"$venv/bin/python\" -m pip install pulumi" >&2
    exit 1
fi
exec "${PULUMI_PYTHON_CMD:-python3}" -u -m pulumi.dynamic "$@"
EOF
    chmod 0755 "$tmp"
    if cmp -s "$tmp" "$BIN/$PLUGIN" 2>/dev/null; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$BIN/$PLUGIN"
    fi
}

if [ -x "$BIN/pulumi" ]; then
    write_plugin_script   # cheap; keeps the plugin in step with this script
    [ -x "$BIN/pulumi-language-python" ] || log "pulumi-language-python is not available (the Go module proxy refused it when pulumi was built): 'pulumi up' in a project directory needs the official CLI; the Automation API (scripts/stack_runner.py) runs programs without it"
    printf '%s\n' "$BIN"
    exit 0
fi

# ---------------------------------------------------------------- build
command -v go >/dev/null 2>&1 || die "pulumi is not installed and there is no Go toolchain to build it"

# One build at a time per cache directory.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.lock"
    flock 9
    if [ -x "$BIN/pulumi" ]; then   # another run finished it while we waited
        write_plugin_script
        printf '%s\n' "$BIN"
        exit 0
    fi
fi

export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
export GOWORK=off
JOBS="${PULUMI_BUILD_JOBS:-2}"

# Print the `replace` directives of a go.mod that point at other modules
# (replacements with local paths such as ../sdk cannot apply outside the repo),
# as go mod edit -replace arguments: old[@v]=new@v
module_replaces() {
    awk '
        { sub(/\/\/.*/, "") }
        /^replace[ \t]*\(/ { inblk = 1; next }
        inblk && /^[ \t]*\)/ { inblk = 0; next }
        inblk { print; next }
        /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); print }
    ' "$1" | awk -F'=>' 'NF == 2 {
        n = split($1, l, " "); m = split($2, r, " ")
        if (m != 2) next              # local directory replacement
        old = (n == 2) ? l[1] "@" l[2] : l[1]
        print old "=" r[1] "@" r[2]
    }'
}

# new_wrapper DIR: a fresh module requiring pkg/v3 and sdk/v3 at $VER.
new_wrapper() {
    local dir="$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    cat >"$dir/go.mod" <<EOF
module local.invalid/pulumi-cli-build

go $(go env GOVERSION | sed 's/^go//; s/[^0-9.].*//')

require (
	$PKG_MOD v$VER
	$SDK_MOD v$VER
)
EOF
}

log "building pulumi v$VER into $BIN (go: $(go env GOVERSION), module cache: $(go env GOMODCACHE))"
start=$(date +%s)

if ! dl="$(cd "$CACHE" && go mod download -json "$PKG_MOD@v$VER" "$SDK_MOD@v$VER" 2>&1)"; then
    die "the Go module proxy cannot serve pulumi v$VER: $(printf '%s' "$dl" | grep '"Error"' | oneline)"
fi
PKG_GOMOD="$(cd "$CACHE" && go mod download -json "$PKG_MOD@v$VER" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
SDK_DIR="$(cd "$CACHE" && go mod download -json "$SDK_MOD@v$VER" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"

W="$CACHE/wrapper"
new_wrapper "$W"
while IFS= read -r rep; do
    [ -n "$rep" ] && (cd "$W" && go mod edit -replace="$rep")
done < <(module_replaces "$PKG_GOMOD")

tmpbin="$BIN/.pulumi.tmp.$$"
trap 'rm -f "$tmpbin" "$BIN/.pulumi-language-python.tmp.$$"' EXIT
(
    cd "$W"
    go build -trimpath -p "$JOBS" \
        -ldflags "-s -w -X $SDK_MOD/go/common/version.Version=v$VER" \
        -o "$tmpbin" "$PKG_MOD/cmd/pulumi"
) || die "go build of $PKG_MOD/cmd/pulumi@v$VER failed (see above)"

# The build must have used exactly the pinned sdk/v3.
got_sdk="$(cd "$W" && go list -m -f '{{.Version}}' "$SDK_MOD")"
[ "$got_sdk" = "v$VER" ] || die "wrapper resolved $SDK_MOD $got_sdk, expected v$VER"

got="$(PULUMI_SKIP_UPDATE_CHECK=true "$tmpbin" version 2>/dev/null | head -1)" ||
    die "the built binary does not run"
[ "$got" = "v$VER" ] || die "the built binary reports '$got', expected v$VER"
write_plugin_script
mv -f "$tmpbin" "$BIN/pulumi"
log "built pulumi $got in $(( $(date +%s) - start ))s"

# ---------------------------------------------------------------- 3. language host (optional)
build_langhost() {
    local lver="${PULUMI_LANGHOST_VERSION:-$PINNED_LANGHOST_VERSION}" info hash time out
    if [ -z "$lver" ]; then
        # Derive the pseudo-version of the release commit from the proxy's Origin record.
        info="$(cd "$CACHE" && go mod download -json "$PKG_MOD@v$VER" 2>/dev/null || true)"
        hash="$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{12\}\).*/\1/p' | head -1)"
        time="$(cd "$CACHE" && go list -m -json "$PKG_MOD@v$VER" 2>/dev/null | sed -n 's/^[[:space:]]*"Time": "\(.*\)",*$/\1/p' | head -1)"
        if [ -n "$hash" ] && [ -n "$time" ]; then
            lver="v3.0.0-$(printf '%s' "$time" | tr -d -- '-:TZ' | cut -c1-14)-$hash"
        else
            lver=latest
        fi
    fi
    log "trying $LANGHOST_MOD@$lver"
    if ! out="$(cd "$CACHE" && go mod download "$LANGHOST_MOD@$lver" 2>&1)"; then
        log "pulumi-language-python NOT available (only needed for 'pulumi up' in a project dir, not for Automation API inline programs): $(printf '%s' "$out" | oneline)"
        return 0
    fi
    local lgomod exec_src lw="$CACHE/wrapper-langhost" ltmp="$BIN/.pulumi-language-python.tmp.$$"
    lgomod="$(cd "$CACHE" && go mod download -json "$LANGHOST_MOD@$lver" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
    new_wrapper "$lw"
    (cd "$lw" && go mod edit -require="$LANGHOST_MOD@$lver")
    while IFS= read -r rep; do
        [ -n "$rep" ] && (cd "$lw" && go mod edit -replace="$rep")
    done < <(module_replaces "$lgomod"; module_replaces "$PKG_GOMOD")
    if ! out="$(cd "$lw" && go build -trimpath -p "$JOBS" \
            -ldflags "-s -w -X $SDK_MOD/go/common/version.Version=v$VER" \
            -o "$ltmp" "$LANGHOST_MOD" 2>&1)"; then
        rm -f "$ltmp"
        log "pulumi-language-python NOT built (only needed for 'pulumi up' in a project dir): $(printf '%s' "$out" | tail -5 | oneline)"
        return 0
    fi
    # The exec script lives in sdk/python/cmd/, which ships in the sdk/v3 module.
    exec_src="$SDK_DIR/python/cmd/pulumi-language-python-exec"
    if [ -f "$exec_src" ]; then
        install -m 0755 "$exec_src" "$BIN/.pulumi-language-python-exec.tmp.$$"
        mv -f "$BIN/.pulumi-language-python-exec.tmp.$$" "$BIN/pulumi-language-python-exec"
    else
        log "warning: $exec_src not found; pulumi-language-python-exec not installed"
    fi
    mv -f "$ltmp" "$BIN/pulumi-language-python"
    log "built pulumi-language-python ($LANGHOST_MOD@$lver)"
}
if [ ! -x "$BIN/pulumi-language-python" ]; then
    build_langhost || log "pulumi-language-python NOT built (unexpected failure, ignored)"
fi

printf '%s\n' "$BIN"
