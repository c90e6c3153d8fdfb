#!/usr/bin/env bash
# The whole test suite, from a fresh machine: virtual environment, packages, a throw-away PostgreSQL
# (so the API tests run on both SQLite and PostgreSQL), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e '.[dev]'
scripts/with-postgres.sh .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
