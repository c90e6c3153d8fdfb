#!/usr/bin/env bash
# Fetches the pinned front-end packages (package-lock.json) and copies what the pages serve into
# static/vendor/ (git-ignored): nothing third-party is committed. --ignore-scripts: no package runs code at
# install time (swagger-ui-dist depends on @scarf/scarf, whose install script would report the download).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
mkdir -p static/vendor/swagger-ui
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
for file in swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
  cp "node_modules/swagger-ui-dist/$file" "static/vendor/swagger-ui/$file"
done
