"""Every way of asking gives the same answer [R 5.2] [RES]: the full pair list of the result (which shares work
between alike sources and targets), one pair at a time (`GET …/reachability?from=&to=`), a batch towards a few
targets, the fast JSON, and a version built on the rows of the previous one. The property tests check this on
random labs; these labs are chosen so that each kind of sharing has something to get wrong, and they run the
same way every time."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

from app.engine.document import LabDocument
from app.engine.simulate import Simulation
from bench.labs import ics_chain
from tests.engine.helpers import lab, office_lan, vm

NAT = "Shared networking (NAT)"


def _vpc(name: str, *vms: dict, **fields: Any) -> dict:
    return {"name": name, "product": "virtual_pc_2007", **fields, "vms": list(vms)}


def _static(name: str, network: str | None, ip: str, **address: Any) -> dict:
    return {"name": name, "adapters": [{"network": network, "address": {"ip": ip, **address}}]}


def classroom() -> dict:
    """Two Virtual PC hosts on one LAN: NAT guests, bridged guests (several alike), Local only (APIPA and
    statics), a multi-homed VM, a conflict, a static outside the NAT range, a VM not connected."""
    host1 = _vpc(
        "host1",
        vm("nat1", NAT),
        vm("nat2", NAT),
        vm("br1", "Ethernet"),
        vm("br2", "Ethernet"),
        vm("br3", "Ethernet"),
        vm("lo1", "Local only"),
        vm("lo2", "Local only"),
        _static("lo3", "Local only", "10.0.0.5/24"),
        _static("lo4", "Local only", "10.0.0.5/24"),
        _static("lo5", "Local only", "10.0.0.6/24", gateway="10.0.0.1"),
        vm("multi", "Local only", "Ethernet"),
        _static("natx", NAT, "192.168.131.10/24", gateway="192.168.131.254"),
        _static("brs", "Ethernet", "192.168.11.60/24"),
        _static("brg", "Ethernet", "192.168.11.61/24", gateway="192.168.11.1"),
        vm("off", None),
        lan="Office LAN",
    )
    host2 = _vpc("host2", vm("nat1", NAT), vm("br1", "Ethernet"), vm("lo1", "Local only"), lan="Office LAN")
    host3 = _vpc("host3", vm("lonely", "Local only"), vm("nat", NAT))  # on no LAN: its NAT leads nowhere
    return lab(host1, host2, host3, lans=[office_lan()])


def two_lans() -> dict:
    """Two LANs (one without internet, one without DHCP) and a host on each."""
    quiet = office_lan(name="Lab LAN", subnet="10.20.0.0/16", gateway="10.20.0.1", internet=False, dhcp=None)
    return lab(
        _vpc(
            "a", vm("nat", NAT), vm("br", "Ethernet"), _static("st", "Ethernet", "192.168.11.70/24"), lan="Office LAN"
        ),
        _vpc("b", vm("nat", NAT), vm("br", "Ethernet"), vm("lo", "Local only"), lan="Lab LAN"),
        lans=[office_lan(), quiet],
    )


def virtual_server() -> dict:
    """Two internal networks alike but for their DHCP, an uplink, statics on both sides."""
    dhcp = {"network": "10.237.0.0/16", "range": ["10.237.0.16", "10.237.0.20"], "server": "10.237.0.1"}
    networks = [
        {"name": "A", "kind": "internal", "dhcp": {**dhcp, "lease_seconds": 3600, "gateway": "10.237.0.1"}},
        {"name": "B", "kind": "internal"},
        {"name": "C", "kind": "internal"},
        {"name": "Uplink", "kind": "external"},
    ]
    vms = [
        vm("a1", "A"),
        vm("a2", "A"),
        vm("b1", "B"),
        vm("b2", "B"),
        vm("c1", "C"),
        _static("sb", "B", "10.0.0.1/24"),
        _static("sc", "C", "10.0.0.2/24"),
        vm("up", "Uplink", "B"),
        vm("up2", "C", "Uplink"),
    ]
    host = {"name": "vs", "product": "virtual_server_2005_r2", "lan": "Office LAN", "networks": networks, "vms": vms}
    return lab(host, lans=[office_lan()])


def hyper_v() -> dict:
    """Hyper-V: an external network not shared with the host, internal with a host vNIC, private with VLANs."""
    networks = [
        {"name": "Ext", "kind": "external", "management_os": False},
        {"name": "In", "kind": "internal", "host_address": {"ip": "172.16.0.1/24"}},
        {"name": "Priv", "kind": "private"},
    ]
    vms = [
        vm("e1", "Ext"),
        {"name": "e2", "adapters": [{"network": "Ext", "vlan": 5}]},
        vm("i1", "In"),
        _static("i2", "In", "172.16.0.2/24"),
        {"name": "p10", "adapters": [{"network": "Priv", "vlan": 10, "address": {"ip": "10.9.0.1/24"}}]},
        {"name": "p20", "adapters": [{"network": "Priv", "vlan": 20, "address": {"ip": "10.9.0.2/24"}}]},
        {"name": "p10b", "adapters": [{"network": "Priv", "vlan": 10, "address": {"ip": "10.9.0.3/24"}}]},
        vm("pu", "Priv"),
        vm("both", "Ext", "In"),
    ]
    host = {"name": "hv", "product": "hyper_v", "lan": "Office LAN", "networks": networks, "vms": vms}
    shared = {
        "name": "hv2",
        "product": "hyper_v",
        "lan": "Office LAN",
        "networks": [{"name": "Ext", "kind": "external"}, {"name": "In", "kind": "internal"}],
        "vms": [vm("x", "Ext"), vm("y", "In")],
    }
    return lab(host, shared, lans=[office_lan()])


def _ics(name: str, public: str, private: str) -> dict:
    return {
        "name": name,
        "adapters": [{"network": public}, {"network": private}],
        "services": {"ics": {"public": 1, "private": 2}},
    }


def services() -> dict:
    """A DHCP server VM and two ICS gateways: one bridged, one behind the first (a chain of two)."""
    dhcp_server = {
        "name": "dc",
        "adapters": [{"network": "Local only", "address": {"ip": "10.1.0.1/16"}}],
        "services": {"dhcp_server": {"adapter": 1, "range": ["10.1.0.100", "10.1.0.110"], "gateway": "10.1.0.1"}},
    }
    gw = _ics("gw", "Ethernet", "Local only")
    networks = [{"name": "Uplink", "kind": "external"}, *({"name": n, "kind": "internal"} for n in ("N1", "N2"))]
    vs_vms = [_ics("g1", "Uplink", "N1"), _ics("g2", "N1", "N2"), vm("c1", "N1"), vm("c2", "N2"), vm("c2b", "N2")]
    vs = {"name": "vs", "product": "virtual_server_2005_r2", "lan": "Office LAN", "networks": networks, "vms": vs_vms}
    host = _vpc("host1", dhcp_server, vm("client", "Local only"), vm("client2", "Local only"), lan="Office LAN")
    ics_host = _vpc("host2", gw, vm("s1", "Local only"), vm("s2", "Local only"), lan="Office LAN")
    return lab(host, ics_host, vs, lans=[office_lan()])


def ics_loop() -> dict:
    """Two ICS gateways that are each other's way out: every answer through them comes back to its start."""
    networks = [{"name": "N1", "kind": "internal"}, {"name": "N2", "kind": "internal"}]
    vms = [
        {
            "name": "g1",
            "adapters": [
                {"network": "N2", "address": {"ip": "192.168.0.7/24", "gateway": "192.168.0.1"}},
                {"network": "N1"},
            ],
            "services": {"ics": {"public": 1, "private": 2}},
        },
        {
            "name": "g2",
            "adapters": [
                {"network": "N1", "address": {"ip": "192.168.0.8/24", "gateway": "192.168.0.1"}},
                {"network": "N2"},
            ],
            "services": {"ics": {"public": 1, "private": 2}},
        },
        vm("c1", "N1"),
        vm("c2", "N2"),
    ]
    return lab({"name": "vs", "product": "virtual_server_2005_r2", "networks": networks, "vms": vms})


def long_ics_chain() -> dict:
    """Twenty ICS gateways in a row: long enough for the engine to work the chain out from its far end."""
    return ics_chain(20)


def examples() -> list[dict]:
    from pathlib import Path

    from app.engine.loading import parse_text

    folder = Path(__file__).resolve().parent.parent.parent / "examples"
    return [parse_text(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))]


LABS: dict[str, Callable[[], dict]] = {
    "classroom": classroom,
    "two_lans": two_lans,
    "virtual_server": virtual_server,
    "hyper_v": hyper_v,
    "services": services,
    "ics_loop": ics_loop,
    "long_ics_chain": long_ics_chain,
}


def _doc(data: dict) -> LabDocument:
    return LabDocument.model_validate(data)


def _answers(rows) -> dict:
    return {
        (r.from_, r.to): (r.reachable, r.via, r.reason.code if r.reason else None, r.reason, tuple(r.path))
        for r in rows
    }


@pytest.fixture(params=[*LABS, "examples"])
def labs(request) -> list[dict]:
    return examples() if request.param == "examples" else [LABS[request.param]()]


def test_the_full_list_equals_each_pair_asked_alone(labs):  # [R 5.2] [API] one pair = its row of the list
    for data in labs:
        full = Simulation(_doc(data)).result()
        listed = _answers(full.reachability)
        alone = Simulation(_doc(data))
        assert _answers(alone.pair(s, t) for s, t in listed) == listed
        batch = Simulation(_doc(data))
        assert _answers(batch.pairs_to(full.endpoints)) == listed


def test_the_fast_json_is_the_result_model_json(labs):  # [RES]
    for data in labs:
        assert Simulation(_doc(data)).result_json() == Simulation(_doc(data)).result().to_json(indent=None)


def _variants(data: dict) -> list[dict]:
    """Other versions of a lab, each changing one thing an answer depends on."""
    found = []
    for host_index, host in enumerate(data["hosts"]):
        for vm_index, machine in enumerate(host["vms"]):
            for adapter_index, adapter in enumerate(machine["adapters"]):
                where = (host_index, vm_index, adapter_index)
                address = adapter.get("address")
                if isinstance(address, dict):
                    found.append(_changed(data, where, address={**address, "ip": "10.99.0.9/24"}))
                    if "gateway" in address:
                        found.append(_changed(data, where, address={"ip": address["ip"]}))
                    else:
                        found.append(_changed(data, where, address="dhcp"))
                elif adapter.get("network") is not None:
                    found.append(_changed(data, where, network=None))
        if host.get("lan") is not None:
            moved = copy.deepcopy(data)
            moved["hosts"][host_index]["address"] = {"ip": "192.168.11.9/24"}
            found.append(moved)
        if host["vms"]:  # a VM more, and one fewer: the list of endpoints changes
            grown = copy.deepcopy(data)
            grown["hosts"][host_index]["vms"].insert(0, {"name": "newcomer", "adapters": [{"network": None}]})
            found.append(grown)
            shrunk = copy.deepcopy(data)
            del shrunk["hosts"][host_index]["vms"][-1]
            found.append(shrunk)
            shared = copy.deepcopy(data)  # the first VM with two adapters starts sharing its connection (ICS)
            for machine in shared["hosts"][host_index]["vms"]:
                if len(machine["adapters"]) == 2 and "services" not in machine:
                    machine["services"] = {"ics": {"public": 2, "private": 1}}
                    found.append(shared)
                    break
    for lan_index, lan in enumerate(data["lans"]):
        toggled = copy.deepcopy(data)
        toggled["lans"][lan_index]["internet"] = not lan.get("internet", True)
        if toggled["lans"][lan_index]["internet"] and "gateway" not in lan:
            continue
        found.append(toggled)
    return found


def _changed(data: dict, where: tuple[int, int, int], **fields: Any) -> dict:
    changed = copy.deepcopy(data)
    host, machine, adapter = where
    changed["hosts"][host]["vms"][machine]["adapters"][adapter].update(fields)
    return changed


@pytest.mark.parametrize("name", ["classroom", "virtual_server", "hyper_v", "services", "two_lans"])
def test_a_version_built_on_the_previous_one_equals_one_built_from_scratch(name):  # [RES]
    data = LABS[name]()
    _, first_rows = Simulation(_doc(data)).result_json_after(None)
    rows = first_rows
    for changed in _variants(data):
        try:
            after = _doc(changed)
        except ValueError:
            continue  # a change the rules refuse (e.g. a host address on a LAN it is not in)
        from_first, _ = Simulation(after).result_json_after(first_rows)
        from_last, rows = Simulation(after).result_json_after(rows)  # each version built on the one before
        fresh = Simulation(after).result_json()
        assert from_first == fresh and from_last == fresh, changed
