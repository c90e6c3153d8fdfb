"""Durability: `vnetlab serve` killed with SIGKILL while writes stream in keeps every write it acknowledged,
and its database stays sound, on SQLite (`PRAGMA integrity_check`) and on PostgreSQL (rows, versions, indexes).

Each write creates a VM (a VM row and its adapter row, and the lab's version bumped, in one transaction) with a
name no other write uses, so what survived can be told apart afterwards."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

WRITERS = 4  # client threads, so that several writes are in flight when the server dies
KILL_AFTER = 20  # acknowledged writes before the kill
START_TIMEOUT = 20.0  # as in test_serve: starting takes ~1.5 s, several times that on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextmanager
def vnetlab_serve(database_url: str, log: Path) -> Iterator[Server]:
    """`vnetlab serve` on a free port, its output in `log`; killed on the way out if it still runs."""
    port = free_port()
    env = {**os.environ, "VNETLAB_DATABASE_URL": database_url}
    command = [sys.executable, "-c", "from app.cli import run; run()", "serve", "--host", "127.0.0.1"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "--port", f"{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, f"vnetlab serve exited:\n{server.output()}"
            assert time.monotonic() < deadline, f"vnetlab serve did not start:\n{server.output()}"
            time.sleep(0.05)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@dataclass
class Stream:
    """What the writer threads sent, and what the server acknowledged (name -> the 201's VM and version)."""

    lab_id: int
    host_id: int
    network_id: int
    start_version: int  # the lab's version before the first VM
    keys: dict[str, str]  # the Authorization header with the lab's edit key
    sent: set[str] = field(default_factory=set)
    acked: dict[str, tuple[int, list[int], int]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # answers other than 201: there should be none
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)

    def write(self, base: str, writer: int) -> None:
        """Creates VMs one after another until the server stops answering."""
        with httpx.Client(base_url=f"{base}/api/v1", timeout=10, headers=self.keys) as client:
            for n in range(100_000):
                name = f"w{writer}-{n}"
                with self.lock:
                    self.sent.add(name)
                body = {"host_id": self.host_id, "name": name, "adapters": [{"network_id": self.network_id}]}
                try:
                    response = client.post(f"/labs/{self.lab_id}/vms", json=body)
                except httpx.TransportError:
                    return  # the server is gone: this write is unacknowledged
                with self.lock:
                    if response.status_code != 201:
                        self.refused.append(f"{name}: {response.status_code} {response.text[:300]}")
                        self.enough.set()
                        return
                    vm = response.json()
                    self.acked[name] = (vm["id"], vm["adapter_ids"], int(response.headers["ETag"].strip('"')))
                    if len(self.acked) >= KILL_AFTER:
                        self.enough.set()


def kill_mid_stream(database_url: str, tmp_path: Path) -> Stream:
    """Serves the database, starts a lab with one Virtual PC host, streams VM creations from several threads
    and kills the server with SIGKILL once KILL_AFTER of them are acknowledged."""
    with vnetlab_serve(database_url, tmp_path / "first.log") as server:
        api = f"{server.base}/api/v1"
        lab = httpx.post(f"{api}/labs", json={"name": "durability"})
        assert lab.status_code == 201, lab.text
        lab = lab.json()
        keys = {"Authorization": f"Bearer {lab['keys']['edit']}"}  # the keys the new lab was answered with
        host = httpx.post(
            f"{api}/labs/{lab['id']}/hosts", json={"name": "h", "product": "virtual_pc_2007"}, headers=keys
        )
        assert host.status_code == 201, host.text
        networks = httpx.get(f"{api}/labs/{lab['id']}/networks", headers=keys).json()
        local_only = next(network["id"] for network in networks if network["name"] == "Local only")
        stream = Stream(lab["id"], host.json()["id"], local_only, int(host.headers["ETag"].strip('"')), keys)
        threads = [threading.Thread(target=stream.write, args=(server.base, i), daemon=True) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        try:
            assert stream.enough.wait(timeout=15), f"too few writes acknowledged:\n{server.output()}"
            server.process.send_signal(signal.SIGKILL)
            died = server.process.wait(timeout=10)
            assert died == -signal.SIGKILL, f"the server died before the kill:\n{server.output()}"
        finally:
            server.process.kill()
            for thread in threads:
                thread.join(timeout=15)
        assert not any(thread.is_alive() for thread in threads), "a writer did not notice the server was gone"
    assert stream.refused == [], stream.refused
    assert len(stream.acked) >= KILL_AFTER
    return stream


def check_after_restart(database_url: str, tmp_path: Path, stream: Stream) -> int:
    """Serves the database again and finds every acknowledged write; returns the number of VMs now stored."""
    with vnetlab_serve(database_url, tmp_path / "second.log") as server:
        api = f"{server.base}/api/v1/labs/{stream.lab_id}"
        lab = httpx.get(api, headers=stream.keys).json()
        vms = {vm["name"]: vm for vm in httpx.get(f"{api}/vms", headers=stream.keys).json()}
        adapters = httpx.get(f"{api}/adapters", headers=stream.keys).json()

        missing = sorted(set(stream.acked) - set(vms))
        assert missing == [], f"acknowledged writes lost after SIGKILL: {missing}"
        for name, (vm_id, adapter_ids, _version) in stream.acked.items():
            assert (vms[name]["id"], vms[name]["adapter_ids"]) == (vm_id, adapter_ids), name
        assert set(vms) <= stream.sent, f"VMs nobody asked for: {sorted(set(vms) - stream.sent)}"
        # Whole transactions or nothing: every stored VM has its one adapter, and no adapter lacks its VM.
        assert sorted(a["vm_id"] for a in adapters) == sorted(vm["id"] for vm in vms.values())
        assert all(a["network_id"] == stream.network_id for a in adapters)
        # Each stored change bumped the version once, and each acknowledgement named a version of its own.
        assert lab["version"] == stream.start_version + len(vms), (lab["version"], stream.start_version, len(vms))
        versions = sorted(version for _id, _adapters, version in stream.acked.values())
        assert len(set(versions)) == len(versions) and versions[-1] <= lab["version"], versions

        # The restarted server takes writes again, on from the version it found.
        body = {"host_id": stream.host_id, "name": "after-restart", "adapters": [{"network_id": stream.network_id}]}
        again = httpx.post(f"{api}/vms", json=body, headers=stream.keys)
        assert again.status_code == 201, again.text
        assert again.headers["ETag"] == f'"{lab["version"] + 1}"'
    return len(vms) + 1


def test_sqlite_keeps_acknowledged_writes_through_sigkill(tmp_path):
    database = tmp_path / "durable.db"
    url = f"sqlite:///{database}"
    stream = kill_mid_stream(url, tmp_path)
    stored = check_after_restart(url, tmp_path, stream)

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT count(*) FROM vms").fetchone() == (stored,)
        assert connection.execute("SELECT count(*) FROM adapters").fetchone() == (stored,)
        assert connection.execute("SELECT version FROM labs").fetchall() == [(stream.start_version + stored,)]
    connection.close()


@pytest.fixture
def pg_database(pg_engine: Engine) -> Iterator[str]:
    """A PostgreSQL database of this test's own (the served app migrates it from empty), dropped afterwards."""
    name = f"vnetlab_durability_{uuid.uuid4().hex[:12]}"
    admin = pg_engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield pg_engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_keeps_acknowledged_writes_through_sigkill(tmp_path, pg_database):
    stream = kill_mid_stream(pg_database, tmp_path)
    stored = check_after_restart(pg_database, tmp_path, stream)

    engine = create_engine(pg_database)
    try:
        with engine.connect() as connection:
            counts = connection.execute(
                text("SELECT (SELECT count(*) FROM vms), (SELECT count(*) FROM adapters), (SELECT version FROM labs)")
            ).one()
            assert tuple(counts) == (stored, stored, stream.start_version + stored)
            # The indexes agree with their tables (amcheck ships with PostgreSQL; the test cluster's user may
            # install it). Without it, the row checks above and PostgreSQL's own constraints remain.
            if connection.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'")).first():
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                indexes = connection.execute(
                    text(
                        "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE am.amname = 'btree' AND n.nspname = 'public'"
                    )
                ).all()
                assert {"labs_pkey", "ix_vms_lab_id", "ix_adapters_vm_id"} <= {name for _oid, name in indexes}
                for oid, _name in indexes:
                    connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
            connection.commit()
    finally:
        engine.dispose()
