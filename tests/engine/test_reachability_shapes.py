"""The engine's worst shapes at the endpoint cap (bench/shapes.py) are answered without a search per pair: a
Hyper-V host with hundreds of interfaces is not scanned whole for each target, and a target out of every reach
is answered from the segments without walking a chain of ICS gateways [R 5.2]. These check that the answers
are those of the full search, and what they are."""

from typing import Any

import pytest

from app.engine import reachability
from app.engine.reachability import ReachabilityEngine
from bench.labs import ics_chain, lab_data
from bench.shapes import many_networks, nat_hosts
from tests.engine.helpers import office_lan, run

NETWORKS, VMS = 20, 45


def _answers(data: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(row.from_, row.to): row for row in run(data).result().reachability}


def hyper_v_with_uplinks() -> dict[str, Any]:
    """Many VLAN'd internal networks beside an external network the management OS does not share, and a
    Virtual PC host of NAT guests on the same LAN: targets absent from a network, and behind NAT."""
    data = many_networks(12, 30)
    host = data["hosts"][0]
    host["lan"] = "Office LAN"
    host["networks"].append({"name": "Ext", "kind": "external", "management_os": False})
    host["vms"] += [
        {"name": "web", "adapters": [{"network": "Ext"}, {"network": "In 1", "vlan": 10}]},
        {"name": "db", "adapters": [{"network": "In 2"}, {"network": "Ext"}]},
    ]
    guests = [{"name": f"g{i}", "adapters": [{"network": "Shared networking (NAT)"}]} for i in range(3)]
    local = {"name": "local", "adapters": [{"network": "Local only"}]}
    pc = {"name": "pc", "product": "virtual_pc_2007", "lan": "Office LAN", "vms": [*guests, local]}
    data["lans"] = [office_lan()]
    data["hosts"].append(pc)
    return data


SHAPES = {
    "many VLAN'd networks": lambda: many_networks(NETWORKS, VMS),
    "many networks beside uplinks": hyper_v_with_uplinks,
    "ICS chain": lambda: ics_chain(20),
    "NAT hosts": lambda: nat_hosts(2),
    "mixed products": lambda: lab_data(60),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_shortcuts_give_the_answers_of_the_full_search(shape, monkeypatch):
    data = SHAPES[shape]()
    fast = run(data).result_json()
    # Every interface compared with every other, and every way out walked, as before the shortcuts.
    monkeypatch.setattr(reachability, "_SCANNED_INTERFACES", 10**9)
    monkeypatch.setattr(ReachabilityEngine, "_apart", lambda self, source, a, b: None)
    monkeypatch.setattr(ReachabilityEngine, "_out_of_reach", lambda self, source, b: False)
    assert run(data).result_json() == fast


def test_each_vm_is_told_apart_from_the_others_by_network_or_vlan():
    answers = _answers(many_networks(NETWORKS, VMS))
    for i in range(VMS):
        for j in range(VMS):
            if i == j:
                continue
            row = answers[(f"vm:hv/vm{i}", f"vm:hv/vm{j}")]
            here = f"hv/In {i % NETWORKS} [vlan {10 + i % 3}]"
            assert not row.reachable and row.path == (f"vm{i} NIC 1", here)
            if i % NETWORKS == j % NETWORKS:  # same network, and VLANs that differ for fewer than 60 VMs
                assert row.reason.code == "vlan_mismatch"
                assert row.reason.message.startswith(f"{here} and hv/In {j % NETWORKS} [vlan {10 + j % 3}] are")
            else:
                assert row.reason.code == "different_segment"


def test_the_host_answers_from_its_adapter_on_the_vms_network():
    """Of the host's 20 adapters, the one on the VM's network says the most: another VLAN of it."""
    answers = _answers(many_networks(NETWORKS, VMS))
    for i in range(VMS):
        network = f"In {i % NETWORKS}"
        out = answers[("host:hv", f"vm:hv/vm{i}")]
        assert out.reason.code == "vlan_mismatch"
        assert out.path == (f"hv vEthernet ({network})", f"hv/{network}")
        assert out.reason.message == (
            f"hv/{network} (untagged) and hv/{network} [vlan {10 + i % 3}] are different VLANs of hv/{network}"
        )
        back = answers[(f"vm:hv/vm{i}", "host:hv")]
        assert back.reason.code == "vlan_mismatch"
        assert back.reason.message.endswith(f"and hv/{network} (untagged) are different VLANs of hv/{network}")


def test_nothing_opens_a_connection_down_an_ics_chain_and_everything_goes_up_it():
    depth = 20
    answers = _answers(ics_chain(depth))
    for i in range(1, depth + 1):
        for j in range(1, depth + 1):
            if i == j:
                continue
            row = answers[(f"vm:vs/client{i}", f"vm:vs/client{j}")]
            if j < i:  # through the gateways i, i-1, … j+1 to net j
                assert row.reachable and row.via == "nat"
                assert row.path[0] == f"client{i} NIC 1" and row.path[-1] == f"client{j} NIC 1"
            else:
                assert not row.reachable and row.reason.code == "nat_inbound_blocked"
                assert row.reason.message == f"vs/net{j} is behind NAT; nothing outside it can open a connection in"
                assert row.path == (f"client{i} NIC 1", f"vs/net{i}")
