"""`vnetlab serve --workers 2`: two processes share one SQLite database, each with its own caches. Drops
from several clients (each connection served by either worker) must all be kept, and every answer must show
the lab as it is stored, whichever worker built the version before."""

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.labs import lab_data
from tests.api.test_serve import free_port

VERSION = re.compile(r'<div data-patch data-version="(\d+)"')


def link_of(html: str, adapter_id: int) -> str:
    """The dropped adapter's link on the diagram (its network and address), as a page or an answer draws it."""
    found = re.search(rf'<g id="link-{adapter_id}"[^>]*>', html)
    assert found, html[:500]
    return found.group(0)


CLIENTS = 4
DROPS = 5


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_two_workers_keep_every_acknowledged_drop(tmp_path):
    port = free_port()
    env = {**os.environ, "VNETLAB_DATABASE_URL": f"sqlite:///{tmp_path}/workers.db"}
    command = [sys.executable, "-c", "from app.cli import run; run()", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline, "vnetlab serve --workers 2 did not start"
                time.sleep(0.2)
        assert len(children(server.pid)) >= 2
        lab = httpx.post(f"{url}/api/v1/labs/import", json=lab_data(20), timeout=30).json()
        api = f"{url}/api/v1/labs/{lab['id']}"
        keys = {"Authorization": f"Bearer {lab['keys']['edit']}"}
        networks = [n["id"] for n in httpx.get(f"{api}/networks", headers=keys).json() if n["kind"] != "external"][:2]
        adapters = [a["id"] for a in httpx.get(f"{api}/adapters", headers=keys).json()][:CLIENTS]

        def student(number: int) -> tuple[int, int | None]:
            """Drops its own adapter back and forth; returns its acknowledged drops and the last target."""
            acknowledged, last, version = 0, None, lab["version"]
            with httpx.Client(base_url=url, timeout=30, headers=keys) as http:
                for _attempt in range(DROPS * 4):  # stale answers are retried on the version they carry
                    if acknowledged == DROPS:
                        break
                    target = networks[(acknowledged + number) % 2]
                    form = {"adapter_id": adapters[number], "version": version, "network_id": target}
                    answer = http.post(f"/labs/{lab['id']}/attach", data=form)
                    assert answer.status_code == 200, answer.text[:500]
                    version = int(VERSION.search(answer.text).group(1))
                    if 'class="flash' in answer.text:
                        assert 'class="flash warning"' in answer.text, answer.text[:2000]
                        continue
                    acknowledged, last = acknowledged + 1, target
                    page = http.get(f"/labs/{lab['id']}").text
                    if f'data-version="{version}" data-matrix-version' in page:  # nobody dropped in between
                        assert link_of(page, adapters[number]) == link_of(answer.text, adapters[number])
            return acknowledged, last

        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = list(pool.map(student, range(CLIENTS)))
        stored = httpx.get(api, headers=keys).json()["version"]
        assert stored == lab["version"] + sum(acknowledged for acknowledged, _ in outcomes)
        where = {a["id"]: a["network_id"] for a in httpx.get(f"{api}/adapters", headers=keys).json()}
        assert [where[adapters[n]] for n in range(CLIENTS)] == [last for _, last in outcomes]
    finally:
        server.terminate()
        server.wait(timeout=30)
