"""Engine benchmark: prints time and peak memory for labs of 100, 1,000 and 10,000 VMs.

Run: .venv/bin/python bench/engine.py
Targets (2-core machine): 10,000 VMs validated and addressed in ≤ 1 s and ≤ 300 MB; one pair ≤ 1 ms;
the full pair list at 300 endpoints ≤ 0.5 s; 10x the VMs costs ≤ 12x the time.
"""

import gc
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.engine.document import LabDocument
from app.engine.segments import INTERNET
from app.engine.simulate import Simulation
from app.runtime import settle_collector
from bench.labs import lab_data

REPEATS = 3


def best_of(repeats: int, work) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
    return min(times), value


def measure(vm_count: int) -> dict[str, float]:
    data = lab_data(vm_count)

    def build() -> Simulation:
        return Simulation(LabDocument.model_validate(data))

    def outward(simulation: Simulation) -> int:
        targets = [INTERNET] + [e for e in simulation.endpoints if e.startswith("lan:")]
        return sum(row.reachable for row in simulation.pairs_to(targets))

    build_time, simulation = best_of(REPEATS, build)
    outward_time, reachable = best_of(REPEATS, lambda: outward(build()))
    outward_time -= build_time  # outward() includes a fresh build so its memo starts empty

    tracemalloc.start()
    outward(build())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    endpoints = simulation.reachability.endpoint_ids
    pair_times = []
    for i in range(200):
        fresh = simulation.reachability.__class__(simulation.topology)
        source, target = endpoints[(i * 7919) % len(endpoints)], endpoints[(i * 104729 + 1) % len(endpoints)]
        if source == target:
            continue
        start = time.perf_counter()
        fresh.pair(source, target)
        pair_times.append(time.perf_counter() - start)
    return {
        "vms": vm_count,
        "endpoints": len(endpoints),
        "adapters": sum(len(h.vm_nics) for h in simulation.topology.hosts),
        "build_s": build_time,
        "outward_s": outward_time,
        "outward_reachable": reachable,
        "peak_mb": peak / 1e6,
        "pair_median_ms": statistics.median(pair_times) * 1000,
        "pair_max_ms": max(pair_times) * 1000,
    }


def full_matrix(endpoint_target: int = 300) -> dict[str, float]:
    vm_count = endpoint_target
    while True:
        simulation = Simulation(LabDocument.model_validate(lab_data(vm_count)))
        if len(simulation.endpoints) <= endpoint_target:
            break
        vm_count -= 5
    lab = LabDocument.model_validate(lab_data(vm_count))
    simulation = Simulation(lab)

    def pairs() -> int:
        fresh = Simulation(lab)
        return len(fresh.result().reachability or [])

    build_time, _ = best_of(REPEATS, lambda: Simulation(lab))
    total, rows = best_of(REPEATS, pairs)
    return {
        "endpoints": len(simulation.endpoints),
        "pairs": rows,
        "matrix_s": total - build_time,
        "with_build_s": total,
    }


def whole_process(vm_count: int, output: str) -> float:
    """`vnetlab simulate` on a JSON lab file, start-up included: the best wall time of three runs."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"lab{vm_count}.json"
        path.write_text(json.dumps(lab_data(vm_count)), encoding="utf-8")
        command = [sys.executable, "-c", "from app.cli import run; run()", "simulate", str(path), "--format", output]
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    settle_collector()  # as `vnetlab simulate` and `vnetlab serve` do
    results = [measure(n) for n in (100, 1_000, 10_000)]
    print(
        f"{'VMs':>7} {'adapters':>9} {'endpoints':>9} {'validate+addresses':>19} {'to internet+LANs':>17} "
        f"{'peak MB':>8} {'pair median':>12} {'pair max':>9}"
    )
    for r in results:
        print(
            f"{r['vms']:>7} {r['adapters']:>9} {r['endpoints']:>9} {r['build_s'] * 1000:>16.1f} ms "
            f"{r['outward_s'] * 1000:>14.1f} ms {r['peak_mb']:>8.1f} {r['pair_median_ms']:>9.3f} ms "
            f"{r['pair_max_ms']:>6.3f} ms"
        )
    total = {r["vms"]: r["build_s"] + r["outward_s"] for r in results}
    print(f"10,000 VMs: validation + addresses + outward reachability = {total[10_000] * 1000:.1f} ms")
    print(f"scaling 1,000 -> 10,000 VMs: x{total[10_000] / total[1_000]:.2f} time (target <= 12)")
    print(f"scaling 100 -> 1,000 VMs: x{total[1_000] / total[100]:.2f} time")
    matrix = full_matrix()
    fresh = subprocess.run(
        [sys.executable, __file__, "--rss-only", "10000"], capture_output=True, text=True, check=True
    )
    print(f"10,000 VMs in a fresh process (validate, addresses, outward reachability): {fresh.stdout.strip()}")
    print(
        f"full pair list: {matrix['endpoints']} endpoints, {matrix['pairs']} pairs in "
        f"{matrix['matrix_s'] * 1000:.1f} ms ({matrix['with_build_s'] * 1000:.1f} ms with the build)"
    )
    print("whole process, `vnetlab simulate FILE.json` with start-up (targets: 1,000 VMs <= 0.4 s, 10,000 <= 2 s):")
    for vm_count in (1_000, 10_000):
        table, as_json = whole_process(vm_count, "table"), whole_process(vm_count, "json")
        print(f"{vm_count:>7} VMs   table {table * 1000:7.0f} ms   json {as_json * 1000:7.0f} ms")


def _resident_high_water_mb() -> float:
    # VmHWM belongs to this program alone; getrusage's maxrss would carry the forking parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_only(vm_count: int) -> None:
    """One lab in this process, so the resident-memory high-water mark is that lab's alone."""
    baseline = _resident_high_water_mb()
    simulation = Simulation(LabDocument.model_validate(lab_data(vm_count)))
    simulation.pairs_to([INTERNET] + [e for e in simulation.endpoints if e.startswith("lan:")])
    peak = _resident_high_water_mb()
    print(f"peak resident {peak:.0f} MB (interpreter and imports: {baseline:.0f} MB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--rss-only"]:
        rss_only(int(sys.argv[2]))
    else:
        main()
