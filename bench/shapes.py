"""The engine's worst shapes at the 300-endpoint cap: each must validate and simulate, full pair list and JSON
included, in <= 1 s on this machine (issue: bounded work). Prints the time and the JSON size of each.

Run: .venv/bin/python bench/shapes.py
"""

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.engine.loading import lab_from_data
from app.engine.simulate import Simulation
from app.runtime import settle_collector
from bench.labs import ics_chain, lab_data

REPEATS = 3
CLOCK = "2009-09-15T10:04:03"


def one_segment(vms: int) -> dict[str, Any]:
    """Every VM on one Virtual Server internal network with its DHCP server: one segment, all pairs direct."""
    network = {
        "name": "Lab",
        "kind": "internal",
        "dhcp": {
            "network": "10.237.0.0/16",
            "range": ["10.237.0.16", "10.237.3.250"],
            "server": "10.237.0.1",
            "lease_seconds": 86400,
        },
    }
    host = {"name": "vs", "product": "virtual_server_2005_r2", "networks": [network]}
    host["vms"] = [{"name": f"vm{i}", "adapters": [{"network": "Lab"}]} for i in range(vms)]
    return {"vnetlab": 1, "name": "one segment", "clock": CLOCK, "hosts": [host]}


def many_networks(networks: int, vms: int) -> dict[str, Any]:
    """A Hyper-V host with 256 internal networks (each with the host's vEthernet adapter, the MAC pool full)
    and VMs spread over them with static MACs and VLANs."""
    host: dict[str, Any] = {
        "name": "hv",
        "product": "hyper_v",
        "networks": [{"name": f"In {i}", "kind": "internal"} for i in range(networks)],
    }
    host["vms"] = [
        {
            "name": f"vm{i}",
            "adapters": [
                {
                    "network": f"In {i % networks}",
                    "mac": f"00-15-5E-00-{i // 256:02X}-{i % 256:02X}",
                    "vlan": 10 + i % 3,
                }
            ],
        }
        for i in range(vms)
    ]
    return {"vnetlab": 1, "name": "many networks", "clock": CLOCK, "hosts": [host]}


def nat_hosts(hosts: int) -> dict[str, Any]:
    """Virtual PC hosts full of NAT guests: every guest goes out through its host."""
    lan = {"name": "LAN", "subnet": "10.0.0.0/16", "gateway": "10.0.0.1", "dhcp": {"range": ["10.0.1.0", "10.0.9.0"]}}
    return {
        "vnetlab": 1,
        "name": "NAT guests",
        "clock": CLOCK,
        "lans": [lan],
        "hosts": [
            {
                "name": f"pc{h}",
                "product": "virtual_pc_2007",
                "lan": "LAN",
                "vms": [{"name": f"g{v}", "adapters": [{"network": "Shared networking (NAT)"}]} for v in range(20)],
            }
            for h in range(hosts)
        ],
    }


SHAPES = {
    "ICS chain, 146 gateways deep": ics_chain(146),
    "300 endpoints on one segment": one_segment(298),
    "256 internal networks, VLANs": many_networks(256, 298),
    "14 Virtual PC hosts of NAT guests": nat_hosts(14),
    "mixed products (bench/labs.py)": lab_data(280),
}


def measure(data: dict[str, Any]) -> tuple[float, int, int]:
    times, size, endpoints = [], 0, 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        simulation = Simulation(lab_from_data(data))
        text = simulation.result_json()
        times.append(time.perf_counter() - start)
        size, endpoints = len(text), len(simulation.endpoints)
    return min(times), size, endpoints


def main() -> None:
    settle_collector()
    print(f"{'shape':<36} {'endpoints':>9} {'validate + simulate + JSON':>27} {'JSON':>9}")
    for name, data in SHAPES.items():
        seconds, size, endpoints = measure(data)
        print(f"{name:<36} {endpoints:>9} {seconds * 1000:>24.0f} ms {size / 1e6:>6.1f} MB")


if __name__ == "__main__":
    main()
