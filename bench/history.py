"""History benchmark: what undo, the diff and the versions cost, against `vnetlab serve` on 127.0.0.1.

Run: .venv/bin/python bench/history.py
Starts a server on a temporary SQLite database and prints:
- undo + re-simulate (POST …/undo, then GET …/simulation) on a 100-VM lab, p50/p99 — each round first drags an
  adapter (PATCH), so there is always one change to undo; target p99 <= 50 ms, as a drag;
- GET …/diff between two versions of a 200-VM lab, 20 changes apart and one change apart, p50/p99; target
  <= 150 ms;
- what one version of a 200-VM lab takes in the database (its document as stored JSON).
"""

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import percentile, start_server, timed
from bench.labs import BENCH_ADMIN, lab_data

ROUNDS = 100
DIFF_ROUNDS = 40


def undo_rounds(http: httpx.Client) -> list[float]:
    lab = http.post("/api/v1/labs/import", json=lab_data(100)).json()
    lab_url = f"/api/v1/labs/{lab['id']}"
    http.get(f"{lab_url}/simulation")
    samples = []
    for round_number in range(ROUNDS):
        attached = [a for a in http.get(f"{lab_url}/adapters").json() if a["network_id"] is not None]
        adapter = attached[round_number % len(attached)]  # ids change with every undo: asked again each round
        assert http.patch(f"{lab_url}/adapters/{adapter['id']}", json={"network_id": None}).status_code == 200
        http.get(f"{lab_url}/simulation")

        def undo_and_read() -> None:
            assert http.post(f"{lab_url}/undo").status_code == 200
            assert http.get(f"{lab_url}/simulation").status_code == 200

        samples.append(timed(undo_and_read))
    return samples


def diff_rounds(http: httpx.Client, database: str) -> tuple[list[float], list[float], int]:
    lab = http.post("/api/v1/labs/import", json=lab_data(200)).json()
    lab_url = f"/api/v1/labs/{lab['id']}"
    attached = [a for a in http.get(f"{lab_url}/adapters").json() if a["network_id"] is not None]
    changes = 20
    for number in range(changes):
        adapter = attached[number * 7 % len(attached)]
        assert http.patch(f"{lab_url}/adapters/{adapter['id']}", json={"network_id": None}).status_code == 200

    def diff(since: int) -> float:
        return timed(lambda: http.get(f"{lab_url}/diff", params={"from": since, "to": changes + 1}).raise_for_status())

    span = [diff(1) for _ in range(DIFF_ROUNDS)]
    one = [diff(changes) for _ in range(DIFF_ROUNDS)]
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute(
            "SELECT AVG(LENGTH(document)) FROM lab_versions WHERE lab_id = ?", (lab["id"],)
        ).fetchone()
    return span, one, int(stored)


def main() -> None:
    database = os.path.join(tempfile.mkdtemp(prefix="vnetlab-bench-"), "history.db")
    server, url = start_server(database)
    try:
        with httpx.Client(base_url=url, timeout=60, headers=BENCH_ADMIN) as http:
            undo = undo_rounds(http)
            span, one, stored = diff_rounds(http, database)
            healthz = [timed(lambda: http.get("/healthz")) for _ in range(300)]
    finally:
        server.terminate()
        server.wait()
    print(
        f"undo + GET simulation, 100-VM lab, {ROUNDS} rounds: p50 {percentile(undo, 0.5):6.1f} ms   "
        f"p99 {percentile(undo, 0.99):6.1f} ms   max {max(undo):6.1f} ms   (target p99 <= 50 ms)"
    )
    for label, samples in (("20 changes apart", span), ("one change apart", one)):
        print(
            f"GET diff, 200-VM lab, {label}, {DIFF_ROUNDS} rounds: p50 {percentile(samples, 0.5):6.1f} ms   "
            f"p99 {percentile(samples, 0.99):6.1f} ms   (target <= 150 ms)"
        )
    print(f"one version of a 200-VM lab: {stored:,} bytes of document JSON, stored once per version")
    print(f"GET /healthz (reference): median {percentile(healthz, 0.5):.2f} ms")


if __name__ == "__main__":
    main()
