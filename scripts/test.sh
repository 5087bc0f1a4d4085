#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: makes its own virtualenv, installs the pinned
# requirements, runs ruff and pytest. Usage: scripts/test.sh [pytest args...]
# Ruby runs the pipeline's ruby filters for real; when missing it is installed if we can
# (root with apt-get), otherwise those tests are skipped and pytest says so.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ruby >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ruby (runs the Logstash ruby filters in tests)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby >/dev/null) || echo "ruby install failed; ruby filter tests will be skipped" >&2
fi
venv="${ELK_TEST_VENV:-.venv-test}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
"$venv/bin/python" -m ruff check .
exec "$venv/bin/python" -m pytest -q -rs "$@"
