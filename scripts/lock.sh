#!/usr/bin/env bash
# Regenerates the Python locks from pyproject.toml's pins, every file with its sha256 hashes:
#   requirements.lock          the app, its dev tools and its build backend (setuptools): CI, scripts/test.sh
#                              and the README install from it;
#   requirements.runtime.lock  the app and its build backend alone, at the same versions: the Dockerfile.
# With the build backend locked too, the package itself installs with --no-build-isolation: nothing unhashed.
# Run it after changing a dependency in pyproject.toml, and commit both files.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
uv=$(command -v uv || true)
if [ -z "$uv" ]; then
  scratch="${TMPDIR:-/tmp}/vnetlab-uv-$UV_VERSION"
  [ -x "$scratch/bin/uv" ] || { python3 -m venv "$scratch" && "$scratch/bin/pip" install -q "uv==$UV_VERSION"; }
  uv="$scratch/bin/uv"
fi
export UV_CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh"
common=(--quiet --generate-hashes --universal --python-version 3.11)
build_requires() {  # pyproject.toml's [build-system] requires, one a line
  python3 -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')"
}
build_requires | "$uv" pip compile pyproject.toml - --extra dev "${common[@]}" -o requirements.lock
build_requires | "$uv" pip compile pyproject.toml - -c requirements.lock "${common[@]}" -o requirements.runtime.lock
