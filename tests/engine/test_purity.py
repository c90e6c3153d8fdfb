"""The engine is pure: importing it loads no web, database or template library."""

import subprocess
import sys


def test_engine_imports_no_framework():
    code = (
        "import sys, app.engine.simulate, app.engine.loading; "
        "print(sorted(m for m in ('fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
