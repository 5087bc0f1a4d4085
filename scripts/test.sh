#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: makes its own virtualenv, installs the pinned
# requirements, runs ruff and pytest. Usage: scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ELK_TEST_VENV:-.venv-test}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
"$venv/bin/python" -m ruff check .
exec "$venv/bin/python" -m pytest -q "$@"
