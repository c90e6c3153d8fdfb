"""Synthetic labs for benchmarks: mixed products and network kinds, about two adapters per VM."""

from typing import Any

VMS_PER_HOST = 20
LAN_COUNT = 4


def _host(index: int, lan: str) -> dict[str, Any]:
    name = f"h{index}"
    flavour = index % 3
    if flavour == 0:  # Virtual PC 2007: internal, NAT, bridged
        networks = None
        choices = [["Local only", "Shared networking (NAT)"], ["Shared networking (NAT)", "Ethernet"], ["Ethernet"]]
        product = "virtual_pc_2007"
    elif flavour == 1:  # Virtual Server: two internal networks (one with DHCP) and an external one
        networks = [
            {
                "name": "Lab A",
                "kind": "internal",
                "dhcp": {
                    "network": "10.237.0.0/16",
                    "range": ["10.237.0.16", "10.237.3.250"],
                    "server": "10.237.0.1",
                    "lease_seconds": 86400,
                },
            },
            {"name": "Lab B", "kind": "internal"},
            {"name": "Uplink", "kind": "external"},
        ]
        choices = [["Lab A", "Uplink"], ["Lab A", "Lab B"], ["Uplink"]]
        product = "virtual_server_2005_r2"
    else:  # Hyper-V: external, internal with a host vNIC, private with VLANs
        networks = [
            {"name": "External", "kind": "external"},
            {"name": "Internal", "kind": "internal"},
            {"name": "Private", "kind": "private"},
        ]
        choices = [["External", "Internal"], ["Private", "Internal"], ["External"]]
        product = "hyper_v"
    vms = []
    for v in range(VMS_PER_HOST):
        attached = choices[v % len(choices)]
        adapters = []
        for network in attached:
            adapter: dict[str, Any] = {"network": network}
            if product == "hyper_v" and network == "Private":
                adapter["vlan"] = 10 + v % 3
            adapters.append(adapter)
        if v % 7 == 0:
            adapters.append({"network": None})
        vms.append({"name": f"vm{v}", "adapters": adapters})
    host: dict[str, Any] = {"name": name, "product": product, "lan": lan, "vms": vms}
    if networks is not None:
        host["networks"] = networks
    return host


def lab_data(vm_count: int) -> dict[str, Any]:
    lans = [
        {
            "name": f"LAN{i}",
            "subnet": f"10.{100 + i}.0.0/16",
            "gateway": f"10.{100 + i}.0.1",
            "dns_servers": [f"10.{100 + i}.0.2"],
            "dhcp": {"range": [f"10.{100 + i}.1.0", f"10.{100 + i}.255.250"]},
        }
        for i in range(LAN_COUNT)
    ]
    host_count = max(1, vm_count // VMS_PER_HOST)
    hosts = [_host(i, f"LAN{i % LAN_COUNT}") for i in range(host_count)]
    return {"vnetlab": 1, "name": f"bench {vm_count}", "clock": "2026-01-01T08:00:00", "lans": lans, "hosts": hosts}


def ics_chain(depth: int) -> dict[str, Any]:
    """ICS gateways in a row on Virtual Server's internal networks: gateway i shares net i-1 (net 0 is bridged
    to the LAN) with net i, where a client sits. Every client goes out through all the gateways above it."""
    networks: list[dict[str, Any]] = [{"name": "Uplink", "kind": "external"}]
    vms: list[dict[str, Any]] = []
    for level in range(1, depth + 1):
        networks.append({"name": f"net{level}", "kind": "internal"})
        upper = "Uplink" if level == 1 else f"net{level - 1}"
        vms.append(
            {
                "name": f"gw{level}",
                "adapters": [{"network": upper}, {"network": f"net{level}"}],
                "services": {"ics": {"public": 1, "private": 2}},
            }
        )
        vms.append({"name": f"client{level}", "adapters": [{"network": f"net{level}"}]})
    return {
        "vnetlab": 1,
        "name": f"ICS chain of {depth}",
        "clock": "2009-09-15T10:04:03",
        "lans": [
            {
                "name": "LAN",
                "subnet": "10.0.0.0/24",
                "gateway": "10.0.0.1",
                "dhcp": {"range": ["10.0.0.100", "10.0.0.199"]},
            }
        ],
        "hosts": [{"name": "vs", "product": "virtual_server_2005_r2", "lan": "LAN", "networks": networks, "vms": vms}],
    }


# The benchmarks' servers are made with this admin token, and their clients send it: it opens every lab.
BENCH_ADMIN_TOKEN = "bench-admin-token-not-a-secret"
BENCH_ADMIN = {"Authorization": f"Bearer {BENCH_ADMIN_TOKEN}"}
