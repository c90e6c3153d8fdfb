#!/usr/bin/env bash
# The whole test suite, from a fresh machine: system packages (Chromium for the browser tests, PostgreSQL),
# the virtual environment, the pinned front-end files, a throw-away PostgreSQL (so the API tests run on both
# databases), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q chromium >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --require-hashes -r requirements.lock  # the lock: bash scripts/lock.sh
.venv/bin/pip install -q --no-deps --no-build-isolation -e .
[ -f static/vendor/htmx.min.js ] || bash scripts/vendor-assets.sh
scripts/with-postgres.sh .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
