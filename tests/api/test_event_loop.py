"""The event loop never waits for database, engine or template work: /healthz answers at once while large lab
documents are being imported (parsed, validated and stored in worker threads)."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import httpx

from bench.labs import lab_data

IMPORTS = 4
BUDGET_SECONDS = 0.1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_within_100_ms_while_four_large_imports_run(tmp_path):
    port = _free_port()
    env = {**os.environ, "VNETLAB_DATABASE_URL": f"sqlite:///{tmp_path}/loop.db"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import run; run()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "vnetlab serve did not start"
                time.sleep(0.05)
            body = json.dumps(lab_data(10_000)).encode()  # the largest lab the default caps take
            answers: list[int] = []

            def import_one() -> None:
                with httpx.Client(base_url=url, timeout=120) as own:
                    response = own.post(
                        "/api/v1/labs/import", content=body, headers={"Content-Type": "application/json"}
                    )
                    answers.append(response.status_code)

            threads = [threading.Thread(target=import_one) for _ in range(IMPORTS)]
            for thread in threads:
                thread.start()
            time.sleep(0.2)  # the bodies are sent; the server is parsing and storing them
            latencies = []
            while any(thread.is_alive() for thread in threads):
                started = time.perf_counter()
                assert client.get("/healthz").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)
            for thread in threads:
                thread.join()
        assert answers == [201] * IMPORTS
        assert len(latencies) >= 5, "the imports finished before /healthz could be asked while they ran"
        # Nine answers in ten within the budget, none held up for long: a machine that other work shares can
        # delay a probe now and then, but a loop busy parsing a document delays every probe while it parses.
        within = sum(latency < BUDGET_SECONDS for latency in latencies) / len(latencies)
        assert within >= 0.9 and max(latencies) < 5 * BUDGET_SECONDS, sorted(latencies)
    finally:
        server.kill()
        server.wait(timeout=10)
