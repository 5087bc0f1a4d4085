#!/usr/bin/env bash
# Tests of the REAL Pulumi engine (tests_engine/), separate from the fast, Go-free scripts/test.sh.
#
#   1. venv .venv-engine with the pinned requirements (+ requirements-engine.txt)
#   2. the Pulumi CLI and the random/tls/docker plugins REBUILT FROM UPSTREAM Go modules, built once
#      into ${ELK_ENGINE_CACHE:-$HOME/.cache/elk-stack-engine}/<key> (key: every pin; engine/README.md)
#   3. plugins installed with `pulumi plugin install resource NAME VERSION --file BIN` into a
#      temporary PULUMI_HOME; automatic plugin acquisition off
#   4. pytest tests_engine/ (the tests start and stop their own dockerd; as root, Debian's docker.io
#      and debootstrap are installed when missing)
#
# Usage: scripts/engine-test.sh [pytest args...]. Exit 3 (and a plain message) when Go or the Go
# module proxy is missing, so a caller can tell "skipped" from "failed".
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
say() { echo "[engine] $* (+$(( $(date +%s) - t0 )) s)" >&2; }

if ! command -v go >/dev/null 2>&1; then
  say "SKIPPED: Go is not installed; the real-engine tests build the Pulumi CLI and plugins from Go modules (Go >= 1.26.6)"
  exit 3
fi

venv="${ELK_ENGINE_VENV:-.venv-engine}"
say "python venv $venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-engine.txt
say "venv ready"

home="$(mktemp -d "${TMPDIR:-/tmp}/elk-engine-home.XXXXXX")"
cleanup() { rm -rf "$home"; }
trap cleanup EXIT

set +e
prepared="$("$venv/bin/python" -m engine.harness.toolchain prepare --pulumi-home "$home/pulumi-home")"
rc=$?
set -e
if [ "$rc" -eq 2 ]; then
  say "SKIPPED: the toolchain cannot be built here (message above: Go or the module proxy)"
  exit 3
elif [ "$rc" -ne 0 ]; then
  say "toolchain preparation failed ($rc)"
  exit "$rc"
fi
export "${prepared?}"
export ELK_ENGINE_PULUMI_HOME="$home/pulumi-home"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true
say "toolchain ready: $ELK_ENGINE_ROOT"

set +e
"$venv/bin/python" -m pytest -q -rs --durations=15 tests_engine "$@"
rc=$?
set -e
say "pytest exit $rc"
exit "$rc"
