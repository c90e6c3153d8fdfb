"""Segments [R 5.1] and how reasons name them: VLAN slices of a LAN and of a private switch, a Hyper-V host kept
off its LAN, hosts whose names hold a colon. Written against the survivors of a mutation run
(bench/mutation.py) over app/engine/segments.py and reachability.py."""

from tests.engine.helpers import lab, office_lan, pair, result, vm


def hyper_v(*vms, networks, **fields):
    return {"name": "hv", "product": "hyper_v", "networks": networks, **fields, "vms": list(vms)}


def tagged(name, network, vlan, ip=None):
    adapter = {"network": network, "vlan": vlan}
    if ip:
        adapter["address"] = {"ip": ip}
    return {"name": name, "adapters": [adapter]}


def failure(res, source, target):
    row = pair(res, source, target)
    assert not row.reachable
    return row.reason.code, row.reason.message


def test_vlans_of_one_lan_are_separate_segments():  # [R 5.1] an adapter with a vlan joins that VLAN only
    host = hyper_v(
        tagged("a", "Ext", 5, "10.0.0.1/24"),
        tagged("b", "Ext", 7, "10.0.0.2/24"),
        tagged("c", "Ext", 5, "10.0.0.3/24"),
        networks=[{"name": "Ext", "kind": "external"}],
        lan="Office LAN",
    )
    quiet = office_lan(name="Lab LAN", subnet="10.20.0.0/16", gateway="10.20.0.1", dhcp=None)
    other = hyper_v(tagged("d", "Ext", 7, "10.0.0.4/24"), networks=[{"name": "Ext", "kind": "external"}], lan="Lab LAN")
    other["name"] = "hv2"
    res = result(lab(host, other, lans=[office_lan(), quiet]))
    assert failure(res, "vm:hv/a", "vm:hv/b") == (
        "vlan_mismatch",
        "Office LAN [vlan 5] and Office LAN [vlan 7] are different VLANs of Office LAN",
    )
    assert pair(res, "vm:hv/a", "vm:hv/c").via == "direct"
    assert failure(res, "vm:hv/b", "vm:hv2/d")[0] == "different_segment"  # VLAN 7 of another LAN


def test_vlans_of_a_private_switch_are_named_by_their_ids():  # [R 5.3] row 9
    host = hyper_v(
        tagged("a", "P", 10, "10.0.0.1/24"),
        tagged("b", "P", 20, "10.0.0.2/24"),
        {"name": "u", "adapters": [{"network": "P", "address": {"ip": "10.0.0.3/24"}}]},
        networks=[{"name": "P", "kind": "private"}],
    )
    res = result(lab(host))
    assert failure(res, "vm:hv/a", "vm:hv/b") == (
        "vlan_mismatch",
        "hv/P [vlan 10] and hv/P [vlan 20] are different VLANs of hv/P",
    )
    assert failure(res, "vm:hv/u", "vm:hv/a")[1] == "hv/P (untagged) and hv/P [vlan 10] are different VLANs of hv/P"


def test_a_host_kept_off_its_lan_is_named_by_the_lan_from_a_vlan():  # [P-6] [R 5.3] row 6
    # The host OS sits on its internal network only; a VM on VLAN 5 of the external network cannot meet it.
    host = hyper_v(
        tagged("e", "Ext", 5),
        networks=[{"name": "Ext", "kind": "external", "management_os": False}, {"name": "In", "kind": "internal"}],
        lan="Office LAN",
    )
    res = result(lab(host, lans=[office_lan()]))
    code, message = failure(res, "vm:hv/e", "host:hv")
    assert code == "mgmt_os_not_shared" and message.endswith("so hv OS is not on Office LAN"), message


def test_a_host_name_may_hold_a_colon():  # [DOC] names have no `/` or `#`; a colon is fine
    colon = {"name": "lab:1", "product": "virtual_pc_2007", "vms": []}
    res = result(lab(colon, {"name": "h", "product": "virtual_pc_2007", "vms": [vm("a", "Local only")]}))
    assert failure(res, "vm:h/a", "host:lab:1") == ("not_connected", "lab:1 OS has no connected adapter")


def test_on_a_point_to_point_lan_the_pc_steps_below_the_router():  # docs/decisions.md: the highest free address
    p2p = {"name": "P2P", "subnet": "10.0.0.0/30", "gateway": "10.0.0.2", "internet": False}
    host = {
        "name": "h",
        "product": "virtual_pc_2007",
        "lan": "P2P",
        "vms": [{"name": "s", "adapters": [{"network": "Ethernet", "address": {"ip": "10.9.0.5/24"}}]}],
    }
    code, message = failure(result(lab(host, lans=[p2p])), "lan:P2P", "vm:h/s")
    assert code == "subnet_mismatch" and message.startswith("a PC on P2P (10.0.0.1/30) and"), message
