"""Build hook: a normal (non-editable) install carries the files the app reads beside its code.

templates/, static/ (with static/vendor/ if scripts/vendor-assets.sh filled it), migrations/, examples/ and
alembic.ini stay at the top of the repository; building a wheel copies them into the package as app/_bundled/,
where app/paths.py looks first. An editable install reads them in place, so nothing is copied then.
Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED_DIRS = ("templates", "static", "migrations", "examples")
BUNDLED_FILES = ("alembic.ini",)


class BuildPyWithBundledFiles(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "app" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)  # nothing stale from an earlier build
        for name in BUNDLED_DIRS:
            shutil.copytree(HERE / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in BUNDLED_FILES:
            shutil.copy2(HERE / name, target / name)


setup(cmdclass={"build_py": BuildPyWithBundledFiles})
