"""Where the files beside the code are: templates, static files, migrations, alembic.ini and the examples.

In a checkout (and an editable install) they are the repository's top-level folders. A normal install carries
them inside the package, in `app/_bundled/` (setup.py copies them there when it builds the wheel).
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
BUNDLED = _PACKAGE / "_bundled"
ROOT = BUNDLED if BUNDLED.is_dir() else _PACKAGE.parent

TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"  # static/vendor/ holds htmx.min.js (scripts/vendor-assets.sh, or the Dockerfile)
MIGRATIONS = ROOT / "migrations"
ALEMBIC_INI = ROOT / "alembic.ini"
EXAMPLES = ROOT / "examples"
