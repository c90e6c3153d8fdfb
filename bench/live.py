"""Live views at classroom scale (SPEC §12): N read-only views (server-sent event streams) of the seed classroom
open on one `vnetlab serve`, the teacher dragging an adapter from one network to another, and the time until
every view has the new version (its patch arrived whole) — the p99 over the views, and the slowest view, per
change — plus the server's memory with the views open.

Run: .venv/bin/python -m bench.live [--views 300] [--changes 20] [--database-url URL]
(SQLite by default; a PostgreSQL URL measures LISTEN/NOTIFY instead of the SQLite poll.)

The views are plain sockets in one asyncio loop here (a browser's EventSource costs the server the same); the
client shares this machine's two cores with the server, so the figures are an upper bound."""

import argparse
import asyncio
import time
from pathlib import Path

import httpx

from bench.load import percentile, start_server

TARGET_SECONDS = 1.0
ROOT = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class View:
    """One open event stream, as the page's script reads it; notes when each version's patch has arrived whole
    (the page then shows it)."""

    def __init__(self, port: int, lab_id: int, key: str):
        self.port, self.lab_id, self.key = port, lab_id, key
        self.shown: dict[int, float] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            f"GET /labs/{self.lab_id}/events?since=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {self.key}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                now = time.perf_counter()
                buffer += chunk
                if b"retry:" in buffer:
                    self.ready.set()
                # An event ends with a blank line; its id is the version its patch brings the page to.
                while b"\nevent: patch\n" in buffer and b"\n\n" in buffer.split(b"\nevent: patch\n", 1)[1]:
                    head, _, rest = buffer.partition(b"\nevent: patch\n")
                    version = int(head.rsplit(b"id: ", 1)[1])
                    _, _, buffer = rest.partition(b"\n\n")
                    self.shown.setdefault(version, now)
        finally:
            writer.close()


async def measure(url: str, pid: int, views: int, changes: int) -> tuple[list[float], list[float], float]:
    port = int(url.rsplit(":", 1)[1])
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        seed = (ROOT / "examples" / "01-seed-virtual-pc.yaml").read_bytes()
        lab = (
            await http.post("/api/v1/labs/import", content=seed, headers={"Content-Type": "application/yaml"})
        ).json()
        edit = {"Authorization": f"Bearer {lab['keys']['edit']}"}
        networks = (await http.get(f"/api/v1/labs/{lab['id']}/networks", headers=edit)).json()
        targets = [n["id"] for n in networks if n["kind"] in ("nat", "internal")]
        adapter = (await http.get(f"/api/v1/labs/{lab['id']}/adapters", headers=edit)).json()[-1]["id"]
        watchers = [View(port, lab["id"], lab["keys"]["view"]) for _ in range(views)]
        tasks = [asyncio.create_task(view.run()) for view in watchers]
        await asyncio.wait_for(asyncio.gather(*(view.ready.wait() for view in watchers)), 120)
        await asyncio.sleep(1.0)  # every stream is being watched
        p99s, slowest = [], []
        for version in range(2, changes + 2):
            sent = time.perf_counter()
            # The teacher drags an adapter from one network to the other.
            target = {"network_id": targets[version % 2]}
            answer = await http.patch(f"/api/v1/labs/{lab['id']}/adapters/{adapter}", json=target, headers=edit)
            answer.raise_for_status()
            deadline = time.perf_counter() + 10
            while any(version not in view.shown for view in watchers) and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            delays = [view.shown.get(version, float("inf")) - sent for view in watchers]
            p99s.append(percentile(delays, 0.99))
            slowest.append(max(delays))
            await asyncio.sleep(0.5)
        loaded = rss_mib(pid)
        for task in tasks:
            task.cancel()
        return p99s, slowest, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=300)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    server, url = start_server(database_url=args.database_url)
    try:
        idle = rss_mib(server.pid)
        p99s, slowest, loaded = asyncio.run(measure(url, server.pid, args.views, args.changes))
    finally:
        server.terminate()
        server.wait(timeout=30)
    backend = (args.database_url or "sqlite").split(":", 1)[0]
    print(f"{args.views} live views, {args.changes} changes ({backend})")
    print(
        f"  time until every view has the new version: p50 {percentile(slowest, 0.5) * 1000:.0f} ms, "
        f"worst change {max(slowest) * 1000:.0f} ms"
    )
    print(
        f"  p99 over the views, per change: p50 {percentile(p99s, 0.5) * 1000:.0f} ms, "
        f"worst {max(p99s) * 1000:.0f} ms (target ≤ {TARGET_SECONDS * 1000:.0f} ms)"
    )
    print(
        f"  server memory: {idle:.0f} MiB idle, {loaded:.0f} MiB with the views open "
        f"({(loaded - idle) * 1024 / args.views:.0f} KiB a view)"
    )


if __name__ == "__main__":
    main()
