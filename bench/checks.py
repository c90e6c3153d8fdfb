"""Goals benchmark: what checking a lab's goals costs on top of simulating it (SPEC §12 checks on every change).

Run: .venv/bin/python bench/checks.py
A 200-VM lab (bench/labs.py) with 50 goals — reach and no_reach between VMs, hosts, LANs and the internet,
addresses in subnets, no warnings — simulated and checked 30 times. Prints the simulation's time and the checks'
time on top of it, p50 / p95. Target: the checks ≤ 20 ms on top of the simulation.
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.engine.checks import check_goals
from app.engine.loading import lab_from_data
from app.engine.simulate import Simulation
from bench.labs import lab_data

VMS, GOALS, ROUNDS = 200, 50, 30


def with_goals(data: dict, count: int) -> dict:
    rng = random.Random(7)
    vms = [f"vm:{host['name']}/{vm['name']}" for host in data["hosts"] for vm in host["vms"]]
    endpoints = (
        vms + [f"host:{host['name']}" for host in data["hosts"]] + [f"lan:{lan['name']}" for lan in data["lans"]]
    )
    adapters = [f"{host['name']}/{vm['name']}#1" for host in data["hosts"] for vm in host["vms"]]
    goals: list[dict] = []
    while len(goals) < count:
        kind = len(goals) % 5
        if kind in (0, 1):
            goals.append({"reach": [rng.choice(vms), rng.choice([*endpoints, "internet"])]})
        elif kind == 2:
            goals.append({"no_reach": ["internet", rng.choice(vms)]})
        elif kind == 3:
            goals.append({"address": rng.choice(adapters), "in": "10.0.0.0/8"})
        else:
            goals.append({"no_warnings": ["duplicate_ip", "duplicate_mac"]})
    return {**data, "goals": goals}


def main() -> None:
    lab = lab_from_data(with_goals(lab_data(VMS), GOALS))
    simulate_ms, check_ms = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        simulation = Simulation(lab)
        simulated = time.perf_counter()
        checks = check_goals(simulation)
        checked = time.perf_counter()
        simulate_ms.append((simulated - start) * 1000)
        check_ms.append((checked - simulated) * 1000)
    passed = sum(check.passed for check in checks)
    print(f"lab: {VMS} VMs, {len(lab.goals)} goals ({passed} met); {ROUNDS} rounds")
    for label, samples, target in (("simulate", simulate_ms, "—"), ("check the goals", check_ms, "≤ 20 ms on top")):
        ordered = sorted(samples)
        p95 = ordered[round(0.95 * (len(ordered) - 1))]
        print(f"{label:18} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   target {target}")


if __name__ == "__main__":
    main()
