"""`vnetlab serve` upgrades the database, then serves the API."""

import os
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
from alembic.script import ScriptDirectory

from app.db.migrate import alembic_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_migrates_then_answers(tmp_path):
    database = tmp_path / "served.db"
    port = free_port()
    env = {**os.environ, "VNETLAB_DATABASE_URL": f"sqlite:///{database}"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import run; run()", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "vnetlab serve did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        docs = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
        assert "/api/v1/labs/{lab_id}/simulation" in docs["paths"]
        with sqlite3.connect(database) as connection:
            (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert revision == ScriptDirectory.from_config(alembic_config(f"sqlite:///{database}")).get_current_head()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_reports_an_unreachable_database(tmp_path):
    env = {**os.environ, "VNETLAB_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    done = subprocess.run(
        [sys.executable, "-c", "from app.cli import run; run()", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "cannot prepare the database" in done.stderr and "Traceback" not in done.stderr
