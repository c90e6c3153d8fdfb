"""API benchmark: what one drag in the designer costs, against `vnetlab serve` on 127.0.0.1.

Run: .venv/bin/python bench/api.py
Starts a server on a temporary SQLite database, imports a 100-VM lab and prints, over bounded loops, the
latency p50/p99 of:
- GET …/simulation computed again: a lab without a clock, whose results are never kept, so every read
  recomputes (reusing the pair rows of unchanged endpoints);
- GET …/simulation kept: a repeated read of a lab with a clock;
- an adapter PATCH alone;
- an adapter PATCH followed by GET …/simulation, dragging a different VM each round: what one drag costs;
- GET …/simulation as the first read of a new lab: computed from scratch;
and the requests/s of GET /healthz (a trivial route) as the reference for this machine.
Target: attach + re-simulate p99 ≤ 50 ms.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.labs import BENCH_ADMIN, BENCH_ADMIN_TOKEN, lab_data

VMS = 100
ROUNDS = 200
SCRATCH_ROUNDS = 40
TRIVIAL_SECONDS = 3.0


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_server(database: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "VNETLAB_DATABASE_URL": f"sqlite:///{database}", "VNETLAB_ADMIN_TOKEN": BENCH_ADMIN_TOKEN}
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import run; run()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("vnetlab serve did not start")


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    server, url = start_server(os.path.join(tempfile.mkdtemp(prefix="vnetlab-bench-"), "bench.db"))
    try:
        with httpx.Client(base_url=url, timeout=30, headers=BENCH_ADMIN) as http:
            document = lab_data(VMS)
            lab = http.post("/api/v1/labs/import", json=document).json()
            lab_url = f"/api/v1/labs/{lab['id']}"
            # The same lab without a clock: its leases depend on the time of asking, so its results are
            # never kept and every read computes the whole simulation.
            timeless = http.post("/api/v1/labs/import", json={k: v for k, v in document.items() if k != "clock"})
            timeless_url = f"/api/v1/labs/{timeless.json()['id']}"
            first = http.get(f"{lab_url}/simulation").json()
            networks = http.get(f"{lab_url}/networks").json()
            vms = http.get(f"{lab_url}/vms").json()
            # Virtual PC VMs' first adapters, each dragged in turn: Local only -> NAT -> Local only...
            movable = [v for v in vms if any(n["host_id"] == v["host_id"] and n["kind"] == "nat" for n in networks)]
            kinds = {(n["host_id"], n["kind"]): n["id"] for n in networks}

            def ok(response: httpx.Response) -> None:
                assert response.status_code == 200, response.text

            computed_ms = [timed(lambda: ok(http.get(f"{timeless_url}/simulation"))) for _ in range(ROUNDS)]
            kept_ms = [timed(lambda: ok(http.get(f"{lab_url}/simulation"))) for _ in range(ROUNDS)]

            def drag(round_number: int) -> None:
                vm = movable[round_number % len(movable)]
                kind = ("nat", "internal")[(round_number // len(movable)) % 2]
                ok(
                    http.patch(
                        f"{lab_url}/adapters/{vm['adapter_ids'][0]}", json={"network_id": kinds[vm["host_id"], kind]}
                    )
                )
                ok(http.get(f"{lab_url}/simulation"))

            drag_ms = [timed(lambda r=r: drag(r)) for r in range(ROUNDS)]

            def attach(round_number: int) -> None:
                vm = movable[round_number % len(movable)]
                kind = ("nat", "internal")[(round_number // len(movable)) % 2]
                ok(
                    http.patch(
                        f"{lab_url}/adapters/{vm['adapter_ids'][0]}", json={"network_id": kinds[vm["host_id"], kind]}
                    )
                )

            attach_ms = []
            for r in range(ROUNDS):
                attach_ms.append(timed(lambda r=r: attach(r)))
                time.sleep(0.05)  # let the background simulation of this version finish: PATCH alone

            # Last: the first read of new labs (nothing of an earlier version to build on); the imports
            # would otherwise weigh on the rounds above.
            scratch_ms = []
            for _ in range(SCRATCH_ROUNDS):
                fresh = http.post("/api/v1/labs/import", json={k: v for k, v in document.items() if k != "clock"})
                fresh_url = f"/api/v1/labs/{fresh.json()['id']}"
                scratch_ms.append(timed(lambda url=fresh_url: ok(http.get(f"{url}/simulation"))))

            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < TRIVIAL_SECONDS:
                http.get("/healthz")
                count += 1
            trivial_rate = count / (time.perf_counter() - start)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"lab: {VMS} VMs, {len(first['adapters'])} adapters, {len(first['endpoints'])} endpoints, "
        f"{len(first['reachability'])} pairs; {ROUNDS} rounds each, one client, SQLite"
    )
    rows = (
        ("GET simulation, first read", scratch_ms),
        ("GET simulation, computed again", computed_ms),
        ("GET simulation, kept", kept_ms),
        ("PATCH adapter (attach) alone", attach_ms),
        ("PATCH adapter + GET simulation", drag_ms),
    )
    for label, samples in rows:
        print(
            f"{label:<32} p50 {statistics.median(samples):6.1f} ms   p99 {percentile(samples, 0.99):6.1f} ms   "
            f"max {max(samples):6.1f} ms"
        )
    print(f"{'GET /healthz (reference)':<32} {trivial_rate:6.0f} requests/s ({1000 / trivial_rate:.2f} ms each)")


if __name__ == "__main__":
    main()
