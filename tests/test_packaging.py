"""Packaging: the locks match pyproject.toml, a normal install carries its files, one port setting serves all."""

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

from tests.api.test_serve import free_port

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(text: str) -> dict[str, str]:
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


def vnetlab(*args: str, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from app.cli import run; run()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=30, **kwargs)


def test_locks_pin_what_pyproject_pins_and_agree_with_each_other():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = pins("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
    locked = pins((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    runtime = pins((ROOT / "requirements.runtime.lock").read_text(encoding="utf-8"))
    stale = {name: version for name, version in wanted.items() if locked.get(name) != version}
    assert not stale, f"requirements.lock is stale for {stale}: run bash scripts/lock.sh"
    assert "setuptools" in locked and "setuptools" in runtime  # the build backend is locked too
    assert {name: locked.get(name) for name in runtime} == runtime
    assert "pytest" not in runtime


def test_serve_and_healthcheck_follow_one_port_setting(tmp_path):
    port = free_port()
    env = {**os.environ, "VNETLAB_DATABASE_URL": f"sqlite:///{tmp_path}/port.db", "VNETLAB_PORT": str(port)}
    env.pop("VNETLAB_HOST", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import run; run()", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while (check := vnetlab("healthcheck", env=env)).returncode != 0:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, f"never healthy: {check.stderr}"
            time.sleep(0.3)
        assert check.stdout == f"http://127.0.0.1:{port}/healthz: ok\n"
        elsewhere = vnetlab("healthcheck", env={**env, "VNETLAB_PORT": str(free_port())})
        assert elsewhere.returncode == 1 and "/healthz" in elsewhere.stderr and "Traceback" not in elsewhere.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_normal_install_carries_templates_static_files_migrations_and_examples(tmp_path):
    """Builds the wheel (no network: the build backend is in requirements.lock), unpacks it as pip would, and
    runs the app from it, away from the checkout."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("app", "templates", "static", "migrations", "examples"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "alembic.ini"):
        shutil.copy2(ROOT / name, source / name)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    built = subprocess.run(
        [*pip_wheel, "--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("vnetlab-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
        names = set(archive.namelist())
    assert {
        "app/_bundled/alembic.ini",
        "app/_bundled/templates/base.html",
        "app/_bundled/static/app.css",
        "app/_bundled/migrations/env.py",
        "app/_bundled/examples/01-seed-virtual-pc.yaml",
    } <= names
    assert any(name.startswith("app/_bundled/migrations/versions/") for name in names)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = """
import app, app.paths
from fastapi.testclient import TestClient
from app.config import Settings
from app.db.migrate import upgrade_database
from app.main import create_app
assert app.paths.ROOT == app.paths.BUNDLED and app.__file__.startswith(SITE), app.__file__
settings = Settings(database_url="sqlite:///installed.db", offline=True)
upgrade_database(settings.database_url)
client = TestClient(create_app(settings))
assert client.get("/healthz").json() == {"status": "ok"}
assert client.get("/static/app.css").status_code == 200
page = client.get("/")
assert page.status_code == 200 and "01-seed-virtual-pc.yaml" in page.text, page.text[:300]
print("installed app ok")
"""
    env = {**os.environ, "PYTHONPATH": str(site)}
    ran = subprocess.run(
        [sys.executable, "-c", f"SITE = {str(site)!r}\n{script}"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ran.returncode == 0 and ran.stdout == "installed app ok\n", ran.stderr
