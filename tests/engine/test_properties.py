"""Properties that hold for any valid lab, checked over random labs."""

import json
import os
import subprocess
import sys
from collections import defaultdict
from ipaddress import IPv4Address

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.engine.document import LabDocument, NodeType, OperatingSystem
from app.engine.ipconfig import Layout, Locale
from app.engine.loading import LabDocumentError, lab_from_data
from app.engine.simulate import Simulation

VIRTUAL_PC = ["virtual_pc_2004", "virtual_pc_2007", "windows_virtual_pc"]
PRODUCTS = [*VIRTUAL_PC, "virtual_server_2005_r2", "hyper_v"]
VIRTUAL_PC_NETWORKS = ["Local only", "Shared networking (NAT)", "Ethernet"]
VIRTUAL_PC_KINDS = {"Local only": "internal", "Shared networking (NAT)": "nat", "Ethernet": "external"}
STATIC_CHOICES = [
    {"ip": "10.0.0.5/24"},
    {"ip": "10.0.0.6/24", "gateway": "10.0.0.5"},
    {"ip": "192.168.11.150/24", "gateway": "192.168.11.1", "dns_servers": ["192.168.11.4"]},
    {"ip": "192.168.131.70/24", "gateway": "192.168.131.254"},
    {"ip": "192.168.131.20/24"},
    {"ip": "192.168.0.9/24", "gateway": "192.168.0.1"},
    {"ip": "10.237.1.17/24"},
    {"ip": "172.16.1.10/24", "gateway": "172.16.1.1"},
]
STATIC_MACS = ["00-15-5D-00-00-01", "00-15-5D-00-00-02", "00-03-FF-00-00-01"]


def _virtual_server_network(draw, index: int) -> dict:
    network: dict = {"name": f"VS {index}", "kind": "internal"}
    if draw(st.booleans()):
        network["dhcp"] = {
            "network": f"10.237.{index}.0/24",
            "range": [f"10.237.{index}.16", f"10.237.{index}.{draw(st.integers(16, 20))}"],
            "server": f"10.237.{index}.1",
            "lease_seconds": 600,
            **({"gateway": f"10.237.{index}.1"} if draw(st.booleans()) else {}),
        }
    return network


def _networks(draw, product: str, on_lan: bool) -> list[dict] | None:
    """The host's networks: Virtual PC's fixed set (omitted, or a subset), or any mix the product offers."""
    if product in VIRTUAL_PC:
        if draw(st.booleans()):
            return None
        names = draw(st.lists(st.sampled_from(VIRTUAL_PC_NETWORKS[: 3 if on_lan else 2]), unique=True))
        return [{"name": name, "kind": VIRTUAL_PC_KINDS[name]} for name in names]
    wide = draw(st.integers(0, 9)) == 0  # now and then a host at the scale of the products' limits
    if product == "virtual_server_2005_r2":
        count = draw(st.integers(1, 300 if wide else 4))
        networks = [
            _virtual_server_network(draw, i) if i < 8 else {"name": f"VS {i}", "kind": "internal"} for i in range(count)
        ]
    else:
        networks = []
        for i in range(draw(st.integers(0, 258 if wide else 3))):
            network: dict = {"name": f"HV In {i}", "kind": "internal"}
            if i < 4 and draw(st.booleans()):
                network["host_address"] = {"ip": f"172.16.{i}.1/24"}
            networks.append(network)
        networks += [{"name": f"HV Priv {i}", "kind": "private"} for i in range(draw(st.integers(0, 2)))]
    if on_lan and draw(st.booleans()):
        external: dict = {"name": "Ext", "kind": "external"}
        if product == "hyper_v" and draw(st.booleans()):
            external["management_os"] = draw(st.booleans())
        networks.append(external)
    return networks


def _adapter(draw, product: str, names: list[str], index: int) -> dict:
    network = draw(st.sampled_from([*names, None]))
    if product == "virtual_pc_2004" and network == "Shared networking (NAT)" and index != 1:
        network = None  # [P-2]
    adapter: dict = {"network": network}
    if draw(st.integers(0, 3)) == 0:
        adapter["address"] = draw(st.sampled_from(STATIC_CHOICES))
    if product not in VIRTUAL_PC and draw(st.integers(0, 4)) == 0:
        adapter["mac"] = draw(st.sampled_from(STATIC_MACS))
    if product == "hyper_v" and draw(st.booleans()):
        adapter["vlan"] = draw(st.sampled_from([10, 20]))
    return adapter


def _services(draw, adapters: list[dict]) -> dict:
    static_index = next((i for i, a in enumerate(adapters, 1) if "address" in a), None)
    if static_index and draw(st.integers(0, 2)) == 0:
        ip = adapters[static_index - 1]["address"]["ip"].split("/")[0]
        base = ip.rsplit(".", 1)[0]
        start, end = (20, 22) if not ip.endswith((".20", ".21", ".22")) else (30, 32)
        return {"dhcp_server": {"adapter": static_index, "range": [f"{base}.{start}", f"{base}.{end}"]}}
    if len(adapters) >= 2 and draw(st.integers(0, 3)) == 0:
        public, private = draw(st.permutations(range(1, len(adapters) + 1)))[:2]
        return {"ics": {"public": public, "private": private}}
    return {}


def _ics_chain(draw, host: dict, names: list[str]) -> None:
    """Gateways in a row: each shares the network above it with a network of its own; sometimes the first one's
    public side is the last one's private network, a loop."""
    depth = draw(st.integers(1, 6))
    chain = [f"Chain {i}" for i in range(1, depth + 1)]
    host["networks"] += [{"name": name, "kind": "internal"} for name in chain]
    loops = draw(st.integers(0, 4)) == 0
    for level, private in enumerate(chain, start=1):
        public = (chain[-1] if loops else draw(st.sampled_from(names))) if level == 1 else chain[level - 2]
        adapters = [{"network": public}, {"network": private}]
        host["vms"].append(
            {"name": f"gw{level}", "adapters": adapters, "services": {"ics": {"public": 1, "private": 2}}}
        )
    host["vms"].append({"name": "behind", "adapters": [{"network": chain[-1]}]})


@st.composite
def labs(draw) -> dict:
    """Any lab within small sizes: all five products, every network kind, VLANs, statics and static MACs, DHCP
    server and ICS VMs, every guest OS and node type, ICS chains, and now and then a host at its product's
    limits (8 adapters, 256+ networks, Hyper-V's pool of 256 MACs with its host vNICs counted)."""
    pool_size = draw(st.integers(min_value=1, max_value=6))
    lans = [
        {
            "name": "LAN",
            "subnet": "192.168.11.0/24",
            "gateway": "192.168.11.1",
            "internet": draw(st.booleans()),
            "dns_servers": ["192.168.11.4"],
            "dhcp": {"range": ["192.168.11.100", f"192.168.11.{99 + pool_size}"]},
        }
    ]
    if draw(st.booleans()):
        lans.append({"name": "Quiet LAN", "subnet": "10.1.0.0/16"})  # no router, no DHCP
    hosts = []
    for h in range(draw(st.integers(min_value=1, max_value=3))):
        product = draw(st.sampled_from(PRODUCTS))
        lan = draw(st.sampled_from([lan["name"] for lan in lans] + [None]))
        host: dict = {"name": f"h{h}", "product": product, "vms": []}
        if lan is not None:
            host["lan"] = lan
            if lan == "LAN" and draw(st.integers(0, 3)) == 0:
                host["address"] = {"ip": f"192.168.11.{10 + h}/24", "gateway": "192.168.11.1"}
        networks = _networks(draw, product, lan is not None)
        if networks is not None:
            host["networks"] = networks
            names = [n["name"] for n in networks]
        else:
            names = VIRTUAL_PC_NETWORKS[: 3 if lan is not None else 2]
        most = 8 if product == "hyper_v" else 4
        for v in range(draw(st.integers(min_value=0, max_value=5))):
            count = draw(st.integers(min_value=1, max_value=most))
            adapters = [_adapter(draw, product, names, index) for index in range(1, count + 1)]
            machine = {"name": f"v{v}", "adapters": adapters, "services": _services(draw, adapters)}
            machine["os"] = draw(st.sampled_from([str(system) for system in OperatingSystem]))
            machine["node_type"] = draw(st.sampled_from([str(node) for node in NodeType]))
            host["vms"].append(machine)
        if product not in VIRTUAL_PC and names and draw(st.integers(0, 3)) == 0:
            _ics_chain(draw, host, names)
        hosts.append(host)
    return {"vnetlab": 1, "name": "random", "clock": "2026-01-01T00:00:00", "lans": lans, "hosts": hosts}


def valid(data: dict) -> LabDocument:
    """The document, for labs that validate; the others are not what these properties are about."""
    try:
        return lab_from_data(data)
    except LabDocumentError:
        assume(False)
        raise


def _pools(doc: LabDocument) -> dict[str, list[tuple[IPv4Address, IPv4Address]]]:
    """DHCP server address -> the pools that server may hand out."""
    pools: dict[str, list] = defaultdict(list)
    pools["192.168.131.254"].append((IPv4Address("192.168.131.64"), IPv4Address("192.168.131.191")))
    pools["192.168.0.1"].append((IPv4Address("192.168.0.2"), IPv4Address("192.168.0.254")))
    for lan in doc.lans:
        if lan.dhcp:
            server = lan.gateway or next(lan.subnet.hosts())
            pools[str(server)].append((lan.dhcp.range.start, lan.dhcp.range.end))
    for host in doc.hosts:
        for network in host.effective_networks():
            if network.dhcp:
                pools[str(network.dhcp.server)].append((network.dhcp.range.start, network.dhcp.range.end))
        for machine in host.vms:
            service = machine.services.dhcp_server
            if service:
                address = machine.adapters[service.adapter - 1].address
                pools[str(address.ip.ip)].append((service.range.start, service.range.end))
    return pools


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(labs())
def test_deterministic_byte_identical_json(data):
    first = Simulation(valid(data)).result().to_json()
    second = Simulation(valid(data)).result().to_json()
    assert first == second


@FAST
@given(labs())
def test_addresses_come_from_their_pools(data):  # [ADDR-1] [LL-1]
    doc = valid(data)
    res = Simulation(doc).result()
    pools = _pools(doc)
    low, high = IPv4Address("169.254.1.0"), IPv4Address("169.254.254.255")
    for item in res.adapters:
        if item.source == "dhcp":
            ip = IPv4Address(item.ip)
            assert any(start <= ip <= end for start, end in pools[item.dhcp_server]), item
        elif item.source == "apipa":
            assert low <= IPv4Address(item.ip) <= high and item.prefix == 16


@FAST
@given(labs())
def test_no_shared_address_on_a_segment_without_duplicate_ip(data):  # [ST]
    res = Simulation(valid(data)).result()
    holders = defaultdict(list)
    for item in res.adapters:
        if item.state in ("connected", "conflict") and item.ip:
            holders[(item.segment, item.ip)].append(item)
    for items in holders.values():
        if len(items) > 1:
            assert all("duplicate_ip" in [w.code for w in i.warnings] for i in items)
            assert [i.state for i in items].count("connected") <= 1


@FAST
@given(labs())
def test_internet_reaches_nothing_and_no_self_pairs(data):  # [R 5.2]
    res = Simulation(valid(data)).result()
    assert res.reachability is not None
    assert all(r.from_ != r.to for r in res.reachability)
    assert not any(r.reachable for r in res.reachability if r.from_ == "internet")
    assert len(res.reachability) == len(res.endpoints) * (len(res.endpoints) - 1)
    for row in res.reachability:
        assert row.reachable == (row.reason is None) and (row.via is None) != row.reachable


def _one_by_one(data) -> dict:
    """Every pair decided on its own, with none of the sharing the full list uses."""
    engine = Simulation(valid(data)).reachability
    return {
        (a, b): (o.reachable, o.via, o.code, o.message, o.path)
        for a in engine.endpoint_ids
        for b in engine.endpoint_ids
        if a != b
        for o in [engine._evaluate(a, b, None, frozenset({a}))]
    }


def _shared(data) -> dict:
    engine = Simulation(valid(data)).reachability
    return {(a, b): (o.reachable, o.via, o.code, o.message, o.path) for a, b, o in engine.all_pairs()}


@FAST
@given(labs())
def test_shared_answers_equal_answers_worked_out_one_by_one(data):  # [R 5.2]
    assert _shared(data) == _one_by_one(data)


def test_shared_answers_on_the_benchmark_lab():
    from bench.labs import lab_data

    data = lab_data(100)
    assert _shared(data) == _one_by_one(data)


@FAST
@given(labs())
def test_fast_json_is_the_result_model_json(data):  # [RES]
    simulation = Simulation(valid(data))
    assert simulation.result_json() == Simulation(valid(data)).result().to_json(indent=None)


def _mutated(data: dict, choice: int) -> dict:
    """Another version of the same lab: one adapter moved, re-addressed or cut, or a VM removed."""
    import copy

    changed = copy.deepcopy(data)
    adapters = [(h, v, a) for h in changed["hosts"] for v in h["vms"] for a in v["adapters"]]
    if not adapters:
        changed["lans"][0]["internet"] = not changed["lans"][0]["internet"]
        return changed
    host, vm, adapter = adapters[choice % len(adapters)]
    action = choice // len(adapters) % 4
    if action == 0:
        names = [n["name"] for n in host.get("networks") or []] or VIRTUAL_PC_NETWORKS
        adapter["network"] = names[choice % len(names)]
    elif action == 1:
        adapter["address"] = "dhcp" if "address" in adapter else {"ip": STATIC_CHOICES[choice % len(STATIC_CHOICES)]}
    elif action == 2:
        adapter["network"] = None
    else:
        host["vms"].remove(vm)
    return changed


@FAST
@given(labs(), st.integers(min_value=0, max_value=10_000))
def test_a_version_built_on_the_previous_one_equals_one_built_from_scratch(data, choice):  # [RES]
    changed = _mutated(data, choice)
    before, after = valid(data), valid(changed)
    _, rows = Simulation(before).result_json_after(None)
    incremental, _ = Simulation(after).result_json_after(rows)
    assert incremental == Simulation(after).result().to_json(indent=None)


def test_a_moved_adapter_on_the_benchmark_lab_is_rebuilt_from_the_previous_rows():
    from bench.labs import lab_data

    data = lab_data(100)
    _, rows = Simulation(valid(data)).result_json_after(None)
    data["hosts"][0]["vms"][1]["adapters"][0]["network"] = "Local only"
    after = valid(data)
    assert Simulation(after).result_json_after(rows)[0] == Simulation(after).result().to_json(indent=None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(labs())
def test_every_valid_lab_simulates(data):  # [RES] [IPC]: a valid document never makes the engine fail
    simulation = Simulation(valid(data))
    simulation.result_json()
    for ref in simulation.vm_refs():
        for locale in Locale:
            for layout in Layout:
                assert simulation.ipconfig(ref, locale, layout).startswith("\n")
    for source in simulation.endpoints[:5]:
        for target in simulation.endpoints[-5:]:
            if source != target:
                simulation.pair(source, target)


DETERMINISM_SCRIPT = """
import hashlib, json, sys
from app.engine.loading import lab_from_data
from app.engine.simulate import Simulation
for data in json.load(sys.stdin):
    simulation = Simulation(lab_from_data(data))
    texts = [simulation.result_json()] + [simulation.ipconfig(ref) for ref in simulation.vm_refs()]
    print(hashlib.sha256("".join(texts).encode()).hexdigest())
"""


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(labs(), min_size=8, max_size=8))
def test_same_bytes_in_processes_with_different_hash_seeds(batch):  # [ADDR] deterministic, byte for byte
    from bench.labs import ics_chain, lab_data

    documents = [data for data in batch if _validates(data)] + [lab_data(120), ics_chain(12)]
    answers = []
    for seed in ("1", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", DETERMINISM_SCRIPT],
            input=json.dumps(documents),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        answers.append(done.stdout)
    assert answers[0] == answers[1] and answers[0].count("\n") == len(documents)


def _validates(data: dict) -> bool:
    try:
        lab_from_data(data)
    except LabDocumentError:
        return False
    return True
