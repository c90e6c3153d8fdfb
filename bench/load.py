"""Load benchmark: a class of students dropping adapters in the designer, against one `vnetlab serve`.

Run: .venv/bin/python bench/load.py [--students 300] [--think 5] [--seconds 60] [--workers N] [--shared]
                                    [--url http://127.0.0.1:PORT]
Starts `vnetlab serve` on 127.0.0.1 with a temporary SQLite database (or targets a running server with
--url, which must be on 127.0.0.1), gives each student a 20-VM lab (hosts cycle through Virtual PC 2007,
Virtual Server and Hyper-V, as in bench/labs.py), opens each lab's editor once, then for --seconds lets every
student do the designer's drop cycle: POST /labs/{id}/attach (an adapter onto another network of its host,
answered with the re-rendered fragment), then think for T ± 20 % before the next drop.

Arrivals are open-loop: each student's drops are scheduled T ± jitter apart whatever the server does, so the
offered load is N/T drops/s; a student whose previous answer has not come back when the next drop is due sends
it the moment it comes (a student needs the version it carries), and latency is measured from the scheduled
time, so queueing in the server shows in the figures instead of slowing the arrivals down.

--shared: 30 students (unless --students says otherwise) share one lab, each dragging its own adapter back and
forth. A drop based on a stale version is refused (the designer answers the reloaded lab's parts with a warning:
what PATCH answers with 412) and counted; the student then drops again on the fresh version, at most 3 times.
Afterwards the lab is read back: every acknowledged drop must have bumped the version exactly once, and each
student's adapter must be on the network of that student's last acknowledged drop ("lost writes").

Each student has a client (one connection, kept between drops as a browser keeps it) sending what htmx sends.
Prints the offered and served drops/s, latency p50/p95/p99/max, errors (transport failures, 5xx, refusals)
and 412s, the server's CPU time per drop (the server process and its workers, from /proc) and this load
generator's, and the requests/s of GET /healthz as the reference for this machine's speed at the time: the
machine is shared, and the figures move with what else runs on it.
"""

import argparse
import asyncio
import os
import random
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.labs import BENCH_ADMIN, BENCH_ADMIN_TOKEN, _host, lab_data

VMS = 20
JITTER = 0.2  # think times are uniform in T × [0.8, 1.2]
STALE_RETRIES = 3
SETUP_CONCURRENCY = 8
REQUEST_TIMEOUT = 60.0
KEEPALIVE_SECONDS = 25.0  # below vnetlab serve's 30 s
DRAIN_SECONDS = 60.0  # after the last scheduled drop, answers still out are awaited this long at most
REFERENCE_SECONDS = 3.0
VERSION = re.compile(rb'<div data-patch data-version="(\d+)"')
FLASH = re.compile(rb'<div class="flash (\w+)"')
FOLLOW = re.compile(rb'data-follow="([^"]+)"')


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int = 1, database_url: str | None = None) -> tuple[subprocess.Popen, str]:
    """`vnetlab serve` on a free port (a new SQLite database unless `database_url`), once it answers; its admin
    token is BENCH_ADMIN_TOKEN."""
    database = os.path.join(tempfile.mkdtemp(prefix="vnetlab-load-"), "load.db")
    port = free_port()
    env = {
        **os.environ,
        "VNETLAB_DATABASE_URL": database_url or f"sqlite:///{database}",
        "VNETLAB_ADMIN_TOKEN": BENCH_ADMIN_TOKEN,
    }
    command = [sys.executable, "-c", "from app.cli import run; run()", "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"vnetlab serve exited with status {server.returncode}")
        try:
            httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
            return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("vnetlab serve did not start")


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and its descendants (uvicorn's workers), from /proc."""
    processes: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        processes[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    family, grown = {root}, True
    while grown:
        children = {pid for pid, (parent, _) in processes.items() if parent in family} - family
        family |= children
        grown = bool(children)
    return sum(processes[pid][1] for pid in family if pid in processes) / os.sysconf("SC_CLK_TCK")


def reference_rate(url: str) -> float:
    """Requests/s of GET /healthz, one client: how fast this machine is right now."""
    with httpx.Client(base_url=url, timeout=10) as http:
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < REFERENCE_SECONDS:
            http.get("/healthz").raise_for_status()
            count += 1
        return count / (time.perf_counter() - start)


def student_lab(number: int) -> dict:
    """A 20-VM lab on one host; the host's product cycles with the student's number."""
    document = lab_data(VMS)
    document["name"] = f"student {number}"
    document["hosts"] = [_host(number % 3, "LAN0")]
    return document


@dataclass
class Mover:
    """One adapter a student drags back and forth between two networks of its host."""

    adapter_id: int
    networks: tuple[int, int]
    drops: int = 0
    acknowledged: int | None = None  # the network of the last acknowledged drop

    def next_network(self) -> int:
        self.drops += 1
        return self.networks[self.drops % 2]


@dataclass
class Student:
    lab_id: int
    version: int
    movers: list[Mover]
    rng: random.Random


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)  # from the scheduled send, served drops only
    matrix_ms: list[float] = field(default_factory=list)  # the matrix's follow-up after a drop, as the page asks
    scheduled: int = 0
    served: int = 0  # 2xx answers carrying the lab's changed parts, the drop made
    stale: int = 0  # refused as based on a stale version (the designer's 412)
    given_up: int = 0  # drops still stale after the retries: the student lets it be
    errors: dict[str, int] = field(default_factory=dict)
    cpu_before: tuple[float, float] = (0.0, 0.0)  # the server's and this process's CPU seconds
    cpu_after: tuple[float, float] = (0.0, 0.0)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def prepare_lab(http: httpx.AsyncClient, document: dict) -> tuple[int, int, list[Mover]]:
    """Imports a lab and picks its movable adapters: each adapter with two networks of its host to go between."""
    response = await http.post("/api/v1/labs/import", json=document)
    response.raise_for_status()
    lab = response.json()
    base = f"/api/v1/labs/{lab['id']}"
    networks = (await http.get(f"{base}/networks")).json()
    adapters = (await http.get(f"{base}/adapters")).json()
    vms = {vm["id"]: vm for vm in (await http.get(f"{base}/vms")).json()}
    by_host: dict[int, list[int]] = {}
    for network in networks:
        if network["kind"] != "external":  # keep every drop valid: no bridging rules to trip over
            by_host.setdefault(network["host_id"], []).append(network["id"])
    movers = []
    for adapter in adapters:
        choices = by_host[vms[adapter["vm_id"]]["host_id"]]
        if len(choices) >= 2:
            movers.append(Mover(adapter["id"], (choices[0], choices[1])))
    # The editor, opened once, as a student does before the first drop.
    page = await http.get(f"/labs/{lab['id']}")
    page.raise_for_status()
    return lab["id"], lab["version"], movers


async def drop(http: httpx.AsyncClient, student: Student, tally: Tally, scheduled: float) -> None:
    mover = student.rng.choice(student.movers)
    network_id = mover.next_network()
    for _attempt in range(1 + STALE_RETRIES):
        data = {"adapter_id": mover.adapter_id, "version": student.version, "network_id": network_id}
        shown = str(student.version)  # what the page's script says it shows: the answer is what changed since
        try:
            response = await http.post(
                f"/labs/{student.lab_id}/attach",
                data=data,
                headers={"X-Vnetlab-Base": shown, "X-Vnetlab-Matrix": shown},
            )
        except httpx.HTTPError as error:
            tally.error(type(error).__name__)
            return
        if response.status_code >= 300:
            tally.error(f"HTTP {response.status_code}")
            return
        version = VERSION.search(response.content[:200])
        if version is None:
            tally.error("no patch in the answer")
            return
        student.version = int(version.group(1))
        flash = FLASH.search(response.content)
        if flash is None:
            tally.served += 1
            tally.latencies_ms.append((time.monotonic() - scheduled) * 1000)
            mover.acknowledged = network_id
            await follow_matrix(http, student, response.content[:400], tally)
            return
        if flash.group(1) != b"warning":
            tally.error(f"refused ({flash.group(1).decode()})")
            return
        tally.stale += 1  # the lab changed elsewhere: drop again on the version just received
    tally.given_up += 1


async def follow_matrix(http: httpx.AsyncClient, student: Student, head: bytes, tally: Tally) -> None:
    """The matrix a drop's answer leaves out, fetched as the page does (static/app.js), counted apart."""
    follow = FOLLOW.search(head)
    if follow is None:
        return
    shown = str(student.version)
    started = time.monotonic()
    try:
        answer = await http.get(follow.group(1).decode(), headers={"X-Vnetlab-Base": shown, "X-Vnetlab-Matrix": shown})
    except httpx.HTTPError as error:
        tally.error(f"matrix {type(error).__name__}")
        return
    if answer.status_code >= 300:
        tally.error(f"matrix HTTP {answer.status_code}")
        return
    tally.matrix_ms.append((time.monotonic() - started) * 1000)


async def student_loop(
    http: httpx.AsyncClient, student: Student, tally: Tally, think: float, start: float, end: float
) -> None:
    due = start + student.rng.uniform(0, think)  # students start spread over one think time
    while due < end:
        tally.scheduled += 1
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await drop(http, student, tally, due)
        due += think * student.rng.uniform(1 - JITTER, 1 + JITTER)


async def run_load(url: str, args: argparse.Namespace) -> tuple[Tally, list[Student], float, dict]:
    limits = httpx.Limits(max_connections=args.students + SETUP_CONCURRENCY, max_keepalive_connections=None)
    # What the browser sends with an htmx request from the designer's own page.
    headers = {"HX-Request": "true", "Origin": url, "Sec-Fetch-Site": "same-origin", **BENCH_ADMIN}
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits, headers=headers) as http:
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)

        async def prepared(number: int):
            async with gate:
                return await prepare_lab(http, student_lab(number))

        if args.shared:
            lab_id, version, movers = await prepared(0)
            if len(movers) < args.students:
                raise SystemExit(f"the shared lab has {len(movers)} movable adapters for {args.students} students")
            students = [Student(lab_id, version, [movers[i]], random.Random(i)) for i in range(args.students)]
            initial = {"version": version}
        else:
            labs = await asyncio.gather(*(prepared(i) for i in range(args.students)))
            students = [
                Student(lab, version, movers, random.Random(i)) for i, (lab, version, movers) in enumerate(labs)
            ]
            initial = {}
        # One client (one connection) a student, as browsers have: a pool shared by hundreds of connections
        # scans them all for every request, and the load generator would take as much CPU as the server.
        no_tls = ssl.create_default_context()  # plain HTTP: made once, not once a client
        # `vnetlab serve` closes a connection idle for 30 s: this side lets go first, or a drop sent as the server
        # closes it fails (a browser would send it again; this client would count an error).
        one = httpx.Limits(max_connections=1, keepalive_expiry=KEEPALIVE_SECONDS)
        clients = [
            httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, headers=headers, verify=no_tls, limits=one)
            for _ in students
        ]
        tally = Tally()
        tally.cpu_before = (cpu_seconds(args.server_pid) if args.server_pid else 0.0, time.process_time())
        start = time.monotonic() + 0.5
        end = start + args.seconds
        loops = [
            asyncio.create_task(student_loop(client, student, tally, args.think, start, end))
            for client, student in zip(clients, students, strict=True)
        ]
        _done, late = await asyncio.wait(loops, timeout=args.seconds + 0.5 + DRAIN_SECONDS)
        for task in late:
            task.cancel()
            tally.error("still unanswered at the end")
        elapsed = time.monotonic() - start
        tally.cpu_after = (cpu_seconds(args.server_pid) if args.server_pid else 0.0, time.process_time())
        await asyncio.gather(*(client.aclose() for client in clients))
        if args.shared:
            lab = (await http.get(f"/api/v1/labs/{students[0].lab_id}")).json()
            adapters = (await http.get(f"/api/v1/labs/{students[0].lab_id}/adapters")).json()
            initial["final"] = lab["version"]
            initial["networks"] = {adapter["id"]: adapter["network_id"] for adapter in adapters}
    return tally, students, elapsed, initial


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, help="simulated students (default 300; 30 with --shared)")
    parser.add_argument("--think", type=float, default=5.0, help="seconds between a student's drops (± 20 %%)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long drops are scheduled")
    parser.add_argument("--shared", action="store_true", help="the students share one lab")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of vnetlab serve")
    parser.add_argument("--url", help="a running server on 127.0.0.1 to target instead of starting one")
    args = parser.parse_args()
    if args.students is None:
        args.students = 30 if args.shared else 300
    if not (1 <= args.students <= 2000 and 0.1 <= args.think <= 600 and 1 <= args.seconds <= 3600):
        parser.error("--students 1..2000, --think 0.1..600 s, --seconds 1..3600 s")
    if args.url and urlsplit(args.url).hostname != "127.0.0.1":
        parser.error("--url must be a server on 127.0.0.1")

    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        server, url = start_server(args.workers)
    args.server_pid = server.pid if server is not None else None
    try:
        before = reference_rate(url)
        tally, students, elapsed, shared = asyncio.run(run_load(url, args))
        after = reference_rate(url)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    mode = "sharing one lab" if args.shared else f"each with a {VMS}-VM lab"
    workers = "a running server" if args.url else f"{args.workers} worker{'s' if args.workers > 1 else ''}"
    print(
        f"load: {args.students} students {mode}, think {args.think:g} s ± {JITTER:.0%}, {args.seconds:g} s, "
        f"{workers}, SQLite"
    )
    print(f"GET /healthz (reference): {before:.0f} requests/s before, {after:.0f} after")
    lat = tally.latencies_ms
    print(
        f"offered {tally.scheduled / args.seconds:6.1f} drops/s ({tally.scheduled} drops)   "
        f"served {tally.served / elapsed:6.1f} drops/s ({tally.served})"
    )
    print(
        f"latency from the scheduled send: p50 {percentile(lat, 0.5):7.1f} ms   p95 {percentile(lat, 0.95):7.1f} ms"
        f"   p99 {percentile(lat, 0.99):7.1f} ms   max {max(lat, default=float('nan')):7.1f} ms"
    )
    matrix = tally.matrix_ms
    print(
        f"the matrix after each drop ({len(matrix)}): p50 {percentile(matrix, 0.5):7.1f} ms   "
        f"p95 {percentile(matrix, 0.95):7.1f} ms   p99 {percentile(matrix, 0.99):7.1f} ms"
    )
    server_cpu = tally.cpu_after[0] - tally.cpu_before[0]
    client_cpu = tally.cpu_after[1] - tally.cpu_before[1]
    if args.server_pid and tally.served:
        print(
            f"server CPU {1000 * server_cpu / tally.served:.1f} ms a drop ({server_cpu / elapsed:.0%} of a core); "
            f"this load generator {client_cpu / elapsed:.0%} of a core"
        )
    errors = sum(tally.errors.values())
    detail = ", ".join(f"{kind}: {count}" for kind, count in sorted(tally.errors.items()))
    given_up = f" ({tally.given_up} drops given up after {1 + STALE_RETRIES} of them)" if tally.given_up else ""
    print(f"errors {errors}{f' ({detail})' if detail else ''}   412s {tally.stale}{given_up}")
    if args.shared:
        expected = shared["version"] + tally.served
        lost_versions = expected - shared["final"]
        wrong = [
            mover.adapter_id
            for student in students
            for mover in student.movers
            if mover.acknowledged is not None and shared["networks"].get(mover.adapter_id) != mover.acknowledged
        ]
        print(
            f"lost writes: {max(0, lost_versions) + len(wrong)}   "
            f"(version {shared['version']} + {tally.served} acknowledged drops = {expected}; read back "
            f"{shared['final']}; adapters not where their last acknowledged drop put them: {len(wrong)})"
        )


if __name__ == "__main__":
    main()
