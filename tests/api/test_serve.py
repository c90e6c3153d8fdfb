"""`vnetlab serve` upgrades the database, then serves the API."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

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


def serve_once(database: str, log_path, requests) -> None:
    """`vnetlab serve` on `database` with its output in `log_path`; `requests(base_url)` runs while it serves."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "VNETLAB_ADMIN_TOKEN"}
    env["VNETLAB_DATABASE_URL"] = f"sqlite:///{database}"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import run; run()", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, Path(log_path).read_text()
                time.sleep(0.2)
        requests(base)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_admin_link_is_printed_on_first_start_only_and_no_key_reaches_the_log(tmp_path):  # [AC]
    database = tmp_path / "classroom.db"
    made: dict = {}

    def use_the_links(base: str) -> None:
        link = next(line.strip() for line in (tmp_path / "first.log").read_text().splitlines() if "/?key=" in line)
        made["token"] = link.rsplit("=", 1)[1]
        with httpx.Client(base_url=base) as browser:
            assert browser.get(link.replace("http://127.0.0.1:8000", base)).status_code == 303
            lab = browser.post("/api/v1/labs", json={"name": "projected"}).json()
            made["keys"] = lab["keys"]
            opened = browser.get(f"/labs/{lab['id']}?key={lab['keys']['view']}")
            assert opened.status_code == 303 and opened.headers["location"] == f"/labs/{lab['id']}"
            assert browser.get("/api/v1/labs", headers={"Authorization": f"Bearer {made['token']}"}).status_code == 200

    serve_once(database, tmp_path / "first.log", use_the_links)
    first = (tmp_path / "first.log").read_text()
    assert first.count(made["token"]) == 1, first  # the announcement, and no access log line
    assert made["keys"]["view"] not in first and made["keys"]["edit"] not in first
    assert "?key=[redacted]" in first, first  # the requests were logged, their keys not

    serve_once(database, tmp_path / "second.log", lambda base: None)
    assert made["token"] not in (tmp_path / "second.log").read_text()

    again = subprocess.run(
        [sys.executable, "-c", "from app.cli import run; run()", "admin-link"],
        env={**os.environ, "VNETLAB_DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0 and again.stdout.strip().endswith(f"/?key={made['token']}"), again.stderr
