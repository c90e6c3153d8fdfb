"""Designer benchmark: server time to render the lab editor, and to answer one drop, for a 200-VM lab.

Run: .venv/bin/python bench/ui.py
In-process (the app called through its ASGI interface, no network), SQLite. Server time is measured inside
the app, from the request's arrival to the last byte of the response handed over. Prints p50/p95/max over
bounded rounds of: GET /labs/{id} (the whole editor page), and POST /labs/{id}/attach (a drop: attach +
re-simulate + the re-rendered workspace fragment), dragging a different VM's adapter each round.
Targets: editor ≤ 150 ms, one drop ≤ 100 ms.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from bench.labs import lab_data

VMS = 200
ROUNDS = 40


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    settings = Settings(database_url=f"sqlite:///{tempfile.mkdtemp(prefix='vnetlab-ui-')}/ui.db", offline=True)
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    timings: dict[str, list[float]] = {}
    app = create_app(settings, engine)

    async def timed_app(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                key = f"{scope['method']} {scope['path'].rsplit('/', 1)[-1]}"
                timings.setdefault(key, []).append((time.perf_counter() - start) * 1000)

        await app(scope, receive, timed_send)

    with TestClient(timed_app) as client:
        lab = client.post("/api/v1/labs/import", json=lab_data(VMS)).json()
        page_url = f"/labs/{lab['id']}"
        networks = client.get(f"/api/v1/labs/{lab['id']}/networks").json()
        vms = client.get(f"/api/v1/labs/{lab['id']}/vms").json()
        kinds = {(n["host_id"], n["kind"]): n["id"] for n in networks}
        movable = [v for v in vms if (v["host_id"], "nat") in kinds]

        size = len(client.get(page_url).content)
        timings.clear()
        for _ in range(ROUNDS):
            client.get(page_url)
        editor_ms = timings.pop(f"GET {lab['id']}")

        def drop(round_number: int) -> None:
            vm = movable[round_number % len(movable)]
            kind = ("nat", "internal")[(round_number // len(movable)) % 2]
            version = client.get(f"/api/v1/labs/{lab['id']}").json()["version"]
            response = client.post(
                f"{page_url}/attach",
                data={"adapter_id": vm["adapter_ids"][0], "network_id": kinds[vm["host_id"], kind], "version": version},
            )
            assert response.status_code == 200 and "flash" not in response.text.split("<section", 1)[0]

        timings.clear()
        for round_number in range(ROUNDS):
            drop(round_number)
        drop_ms = timings["POST attach"]
    print(f"lab: {VMS} VMs, {len(vms)} VM cards, editor page {size / 1e6:.1f} MB; {ROUNDS} rounds each, in-process")
    for label, samples in (("GET editor page", editor_ms), ("POST attach (one drop)", drop_ms)):
        print(
            f"{label:<26} p50 {statistics.median(samples):6.1f} ms   p95 {percentile(samples, 0.95):6.1f} ms   "
            f"max {max(samples):6.1f} ms"
        )


if __name__ == "__main__":
    main()
