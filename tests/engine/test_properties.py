"""Properties that hold for any valid lab, checked over random labs."""

from collections import defaultdict
from ipaddress import IPv4Address

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.document import LabDocument
from app.engine.simulate import Simulation

PRODUCT_NETWORKS = {
    "virtual_pc_2004": None,
    "virtual_pc_2007": None,
    "virtual_server_2005_r2": [
        {
            "name": "VS A",
            "kind": "internal",
            "dhcp": {
                "network": "10.237.0.0/24",
                "range": ["10.237.0.16", "10.237.0.19"],
                "server": "10.237.0.1",
                "gateway": "10.237.0.1",
                "lease_seconds": 600,
            },
        },
        {"name": "VS B", "kind": "internal"},
        {"name": "VS Ext", "kind": "external"},
    ],
    "hyper_v": [
        {"name": "HV Ext", "kind": "external"},
        {"name": "HV In", "kind": "internal"},
        {"name": "HV Priv", "kind": "private"},
    ],
}
VIRTUAL_PC_NETWORKS = ["Local only", "Shared networking (NAT)", "Ethernet"]
STATIC_CHOICES = [
    "10.0.0.5/24",
    "10.0.0.6/24",
    "192.168.11.150/24",
    "192.168.131.70/24",
    "192.168.0.9/24",
    "10.237.0.17/24",
]


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


@st.composite
def labs(draw) -> dict:
    pool_size = draw(st.integers(min_value=1, max_value=6))
    lan = {
        "name": "LAN",
        "subnet": "192.168.11.0/24",
        "gateway": "192.168.11.1",
        "internet": draw(st.booleans()),
        "dns_servers": ["192.168.11.4"],
        "dhcp": {"range": ["192.168.11.100", f"192.168.11.{99 + pool_size}"]},
    }
    hosts = []
    for h in range(draw(st.integers(min_value=1, max_value=3))):
        product = draw(st.sampled_from(sorted(PRODUCT_NETWORKS)))
        networks = PRODUCT_NETWORKS[product]
        names = [n["name"] for n in networks] if networks else VIRTUAL_PC_NETWORKS
        host = {"name": f"h{h}", "product": product, "lan": "LAN", "vms": []}
        if networks:
            host["networks"] = networks
        if product == "hyper_v":
            host["networks"] = [dict(n) for n in networks]
            host["networks"][0]["management_os"] = draw(st.booleans())
        for v in range(draw(st.integers(min_value=0, max_value=5))):
            adapters = []
            for index in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
                network = draw(st.sampled_from([*names, None]))
                if product == "virtual_pc_2004" and network == "Shared networking (NAT)" and index != 1:
                    network = None
                adapter = {"network": network}
                if draw(st.integers(min_value=0, max_value=3)) == 0:
                    adapter["address"] = {"ip": draw(st.sampled_from(STATIC_CHOICES))}
                if product == "hyper_v" and draw(st.booleans()):
                    adapter["vlan"] = draw(st.sampled_from([10, 20]))
                adapters.append(adapter)
            machine = {"name": f"v{v}", "adapters": adapters}
            static_index = next((i for i, a in enumerate(adapters, 1) if "address" in a), None)
            if static_index and draw(st.integers(min_value=0, max_value=2)) == 0:
                ip = adapters[static_index - 1]["address"]["ip"].split("/")[0]
                base = ip.rsplit(".", 1)[0]
                start, end = (20, 22) if not ip.endswith((".20", ".21", ".22")) else (30, 32)
                machine["services"] = {
                    "dhcp_server": {"adapter": static_index, "range": [f"{base}.{start}", f"{base}.{end}"]}
                }
            elif len(adapters) >= 2 and draw(st.integers(min_value=0, max_value=3)) == 0:
                machine["services"] = {"ics": {"public": 1, "private": 2}}
            host["vms"].append(machine)
        hosts.append(host)
    return {"vnetlab": 1, "name": "random", "clock": "2026-01-01T00:00:00", "lans": [lan], "hosts": hosts}


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(labs())
def test_deterministic_byte_identical_json(data):
    first = Simulation(LabDocument.model_validate(data)).result().to_json()
    second = Simulation(LabDocument.model_validate(data)).result().to_json()
    assert first == second


@FAST
@given(labs())
def test_addresses_come_from_their_pools(data):  # [ADDR-1] [LL-1]
    doc = LabDocument.model_validate(data)
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
    res = Simulation(LabDocument.model_validate(data)).result()
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
    res = Simulation(LabDocument.model_validate(data)).result()
    assert res.reachability is not None
    assert all(r.from_ != r.to for r in res.reachability)
    assert not any(r.reachable for r in res.reachability if r.from_ == "internet")
    assert len(res.reachability) == len(res.endpoints) * (len(res.endpoints) - 1)
    for row in res.reachability:
        assert row.reachable == (row.reason is None) and (row.via is None) != row.reachable


def _one_by_one(data) -> dict:
    """Every pair decided on its own, with none of the sharing the full list uses."""
    engine = Simulation(LabDocument.model_validate(data)).reachability
    return {
        (a, b): (o.reachable, o.via, o.code, o.message, o.path)
        for a in engine.endpoint_ids
        for b in engine.endpoint_ids
        if a != b
        for o in [engine._evaluate(a, b, None, frozenset({a}))]
    }


def _shared(data) -> dict:
    engine = Simulation(LabDocument.model_validate(data)).reachability
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
    simulation = Simulation(LabDocument.model_validate(data))
    assert simulation.result_json() == Simulation(LabDocument.model_validate(data)).result().to_json(indent=None)


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
    try:
        before, after = LabDocument.model_validate(data), LabDocument.model_validate(changed)
    except Exception:
        return
    _, rows = Simulation(before).result_json_after(None)
    incremental, _ = Simulation(after).result_json_after(rows)
    assert incremental == Simulation(after).result().to_json(indent=None)


def test_a_moved_adapter_on_the_benchmark_lab_is_rebuilt_from_the_previous_rows():
    from bench.labs import lab_data

    data = lab_data(100)
    _, rows = Simulation(LabDocument.model_validate(data)).result_json_after(None)
    data["hosts"][0]["vms"][1]["adapters"][0]["network"] = "Local only"
    after = LabDocument.model_validate(data)
    assert Simulation(after).result_json_after(rows)[0] == Simulation(after).result().to_json(indent=None)
