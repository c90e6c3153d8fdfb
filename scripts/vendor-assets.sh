#!/usr/bin/env bash
# Fetches the pinned front-end packages (package-lock.json) and copies what the pages serve into
# static/vendor/ (git-ignored): nothing third-party is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
