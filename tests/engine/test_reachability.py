"""Reachability [R]: every row of SPEC §5.3, and the reasons and paths around them."""

from app.engine.simulate import Simulation
from tests.engine.helpers import (
    NAT,
    adapter,
    lab,
    office_lan,
    pair,
    reason,
    result,
    run,
    static,
    vm,
    vpc,
    warning_codes,
)


def hyper_v(*vms, networks, **fields):
    return {"name": "hv", "product": "hyper_v", "networks": networks, **fields, "vms": list(vms)}


def test_row1_two_vms_on_virtual_pc_internal():  # [R 5.3] [LL-1] [LL-4]
    res = result(lab(vpc(vm("a", "Local only"), vm("b", "Local only"), lan="Office LAN"), lans=[office_lan()]))
    a, b = adapter(res, "a"), adapter(res, "b")
    assert a.source == b.source == "apipa" and a.ip != b.ip
    assert pair(res, "vm:host1/a", "vm:host1/b").reachable and pair(res, "vm:host1/b", "vm:host1/a").reachable
    assert pair(res, "vm:host1/a", "vm:host1/b").via == "direct"
    for target in ("host:host1", "lan:Office LAN", "internet"):
        assert not pair(res, "vm:host1/a", target).reachable
    assert reason(res, "vm:host1/a", "host:host1") == "host_not_on_segment"
    assert reason(res, "vm:host1/a", "internet") == "link_local_not_routed"


def test_row2_static_and_apipa_on_one_internal_network():  # [R 5.3]
    res = result(lab(vpc(static("s", "Local only", "192.168.0.10/24"), vm("d", "Local only"))))
    assert adapter(res, "s").segment == adapter(res, "d").segment
    assert reason(res, "vm:host1/s", "vm:host1/d") == "subnet_mismatch"
    assert reason(res, "vm:host1/d", "vm:host1/s") == "subnet_mismatch"


def test_row3_virtual_server_two_internal_networks_same_subnet():  # [R 5.3]
    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "networks": [{"name": "A", "kind": "internal"}, {"name": "B", "kind": "internal"}],
        "vms": [static("a", "A", "10.0.0.1/24"), static("b", "B", "10.0.0.2/24")],
    }
    res = result(lab(host))
    assert reason(res, "vm:vs/a", "vm:vs/b") == "different_segment"
    assert reason(res, "vm:vs/b", "vm:vs/a") == "different_segment"


def test_row4_virtual_pc_nat_guests():  # [R 5.3] [NAT-5]
    res = result(lab(vpc(vm("a", NAT), vm("b", NAT), lan="Office LAN"), lans=[office_lan()]))
    assert reason(res, "vm:host1/a", "vm:host1/b") == "nat_guest_isolation"
    assert reason(res, "vm:host1/b", "vm:host1/a") == "nat_guest_isolation"
    out = pair(res, "vm:host1/a", "internet")
    assert out.reachable and out.via == "nat"
    assert list(out.path) == [
        "a NIC 1",
        "host1/Shared networking (NAT)",
        "NAT 192.168.131.254",
        "host1 OS",
        "Office LAN",
        "router 192.168.11.1",
        "internet",
    ]
    assert reason(res, "internet", "vm:host1/a") == "nat_inbound_blocked"
    assert reason(res, "host:host1", "vm:host1/a") == "nat_inbound_blocked"
    to_host = pair(res, "vm:host1/a", "host:host1")
    assert to_host.reachable and to_host.via == "nat"


def test_row4_nat_guest_without_host_internet():  # [R 5.3]
    res = result(lab(vpc(vm("a", NAT), lan="Office LAN"), lans=[office_lan(internet=False)]))
    assert reason(res, "vm:host1/a", "internet") == "no_internet_uplink"
    assert pair(res, "vm:host1/a", "lan:Office LAN").reachable  # through the host's own LAN access


def test_row5_lan_pool_of_two_three_bridged_vms():  # [R 5.3] [ADDR-2]
    small = office_lan(dhcp={"range": ["192.168.11.100", "192.168.11.101"]})
    host = vpc(
        vm("first", "Ethernet"),
        vm("second", "Ethernet"),
        vm("third", "Ethernet"),
        lan="Office LAN",
        address={"ip": "192.168.11.10/24", "gateway": "192.168.11.1"},
    )
    res = result(lab(host, lans=[small]))
    assert [adapter(res, n).ip for n in ("first", "second")] == ["192.168.11.100", "192.168.11.101"]
    assert adapter(res, "third").source == "apipa" and warning_codes(adapter(res, "third")) == ["dhcp_pool_exhausted"]
    assert pair(res, "lan:Office LAN", "vm:host1/first").reachable
    assert pair(res, "vm:host1/first", "lan:Office LAN").reachable
    assert reason(res, "lan:Office LAN", "vm:host1/third") == "subnet_mismatch"


def test_row6_hyper_v_external_not_shared_with_management_os():  # [R 5.3] [P-6]
    host = hyper_v(
        vm("a", "Ext"), lan="Office LAN", networks=[{"name": "Ext", "kind": "external", "management_os": False}]
    )
    res = result(lab(host, lans=[office_lan()]))
    assert reason(res, "host:hv", "vm:hv/a") == "mgmt_os_not_shared"
    assert reason(res, "vm:hv/a", "host:hv") == "mgmt_os_not_shared"
    assert pair(res, "vm:hv/a", "lan:Office LAN").reachable
    assert pair(res, "vm:hv/a", "internet").reachable


def test_row6_shared_management_os_puts_the_host_on_the_lan():
    host = hyper_v(vm("a", "Ext"), lan="Office LAN", networks=[{"name": "Ext", "kind": "external"}])
    res = result(lab(host, lans=[office_lan()]))
    assert pair(res, "host:hv", "vm:hv/a").reachable and pair(res, "vm:hv/a", "host:hv").reachable


def test_row7_hyper_v_internal_nothing_configured():  # [R 5.3]
    host = hyper_v(vm("a", "In"), lan="Office LAN", networks=[{"name": "In", "kind": "internal"}])
    res = result(lab(host, lans=[office_lan()]))
    vnic = next(a for a in res.hosts[0].addresses if a.network == "In")
    assert vnic.source == "apipa" and adapter(res, "a").source == "apipa"
    assert pair(res, "host:hv", "vm:hv/a").reachable and pair(res, "vm:hv/a", "host:hv").reachable
    assert not pair(res, "vm:hv/a", "lan:Office LAN").reachable


def test_row8_hyper_v_private():  # [R 5.3]
    host = hyper_v(vm("a", "P"), vm("b", "P"), lan="Office LAN", networks=[{"name": "P", "kind": "private"}])
    res = result(lab(host, lans=[office_lan()]))
    assert pair(res, "vm:hv/a", "vm:hv/b").reachable and pair(res, "vm:hv/b", "vm:hv/a").reachable
    assert reason(res, "vm:hv/a", "host:hv") == "host_not_on_segment"
    assert reason(res, "host:hv", "vm:hv/a") == "host_not_on_segment"


def test_row9_hyper_v_vlans_on_one_switch():  # [R 5.3]
    tagged = [
        {"name": n, "adapters": [{"network": "P", "vlan": v, "address": {"ip": ip}}]}
        for n, v, ip in (("a", 10, "10.0.0.1/24"), ("b", 20, "10.0.0.2/24"), ("c", 10, "10.0.0.3/24"))
    ]
    res = result(lab(hyper_v(*tagged, networks=[{"name": "P", "kind": "private"}])))
    assert reason(res, "vm:hv/a", "vm:hv/b") == "vlan_mismatch"
    assert pair(res, "vm:hv/a", "vm:hv/c").reachable


def test_vlan_on_an_external_network_leaves_the_untagged_lan():
    host = hyper_v(
        {"name": "a", "adapters": [{"network": "Ext", "vlan": 7}]},
        lan="Office LAN",
        networks=[{"name": "Ext", "kind": "external"}],
    )
    res = result(lab(host, lans=[office_lan()]))
    assert adapter(res, "a").source == "apipa"  # no DHCP answers on VLAN 7
    assert reason(res, "vm:hv/a", "lan:Office LAN") == "vlan_mismatch"


def test_internet_reaches_nothing_and_nothing_reaches_itself():  # [R 5.2]
    res = result(lab(vpc(vm("a", "Ethernet"), lan="Office LAN"), lans=[office_lan()]))
    assert all(not r.reachable for r in res.reachability if r.from_ == "internet")
    assert all(r.from_ != r.to for r in res.reachability)
    n = len(res.endpoints)
    assert len(res.reachability) == n * (n - 1)


def test_bridged_vm_through_the_router():  # [R 5.2]
    res = result(lab(vpc(vm("a", "Ethernet"), lan="Office LAN"), lans=[office_lan()]))
    out = pair(res, "vm:host1/a", "internet")
    assert out.reachable and out.via == "gateway"
    assert list(out.path) == ["a NIC 1", "Office LAN", "router 192.168.11.1", "internet"]
    assert pair(res, "lan:Office LAN", "vm:host1/a").via == "direct"


def test_lan_without_internet():
    res = result(lab(vpc(vm("a", "Ethernet"), lan="Office LAN"), lans=[office_lan(internet=False)]))
    assert reason(res, "vm:host1/a", "internet") == "no_internet_uplink"


def test_static_without_gateway_cannot_leave_its_subnet():
    host = vpc(static("s", "Ethernet", "192.168.11.50/24"), lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    assert pair(res, "vm:host1/s", "lan:Office LAN").reachable
    assert reason(res, "vm:host1/s", "internet") == "no_gateway"


def test_gateway_that_is_no_router():
    host = vpc(static("s", "Ethernet", "192.168.11.50/24", gateway="192.168.11.77"), lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    row = pair(res, "vm:host1/s", "internet")
    assert row.reason.code == "no_gateway" and "192.168.11.77" in row.reason.message


def test_nat_guest_with_static_outside_the_nat_range():  # [NAT-6]
    outside = static("s", NAT, "192.168.131.10/24", gateway="192.168.131.254")
    res = result(lab(vpc(outside, lan="Office LAN"), lans=[office_lan()]))
    assert reason(res, "vm:host1/s", "internet") == "static_outside_nat_range"
    assert reason(res, "vm:host1/s", "host:host1") == "static_outside_nat_range"


def test_conflicting_static_has_no_usable_address():  # [ST]
    res = result(
        lab(
            vpc(
                static("a", "Local only", "10.0.0.5/24"),
                static("b", "Local only", "10.0.0.5/24"),
                static("c", "Local only", "10.0.0.6/24"),
            )
        )
    )
    assert pair(res, "vm:host1/c", "vm:host1/a").reachable
    assert reason(res, "vm:host1/c", "vm:host1/b") == "duplicate_ip"
    assert reason(res, "vm:host1/b", "vm:host1/c") == "duplicate_ip"


def test_not_connected_vm():
    res = result(lab(vpc(vm("a", None), vm("b", "Local only"))))
    assert reason(res, "vm:host1/a", "vm:host1/b") == "not_connected"
    assert reason(res, "vm:host1/b", "vm:host1/a") == "not_connected"


def test_every_failure_has_a_message_and_every_success_a_path():
    for example in (
        lab(vpc(vm("a", NAT), vm("b", "Local only"), vm("c", "Ethernet"), lan="Office LAN"), lans=[office_lan()]),
    ):
        res = result(example)
        for row in res.reachability:
            if row.reachable:
                assert row.via in ("direct", "gateway", "nat") and row.reason is None and len(row.path) >= 3
            else:
                assert row.via is None and row.reason.message and row.reason.code


def test_single_pair_matches_the_full_list():
    data = lab(vpc(vm("a", NAT), vm("b", "Local only"), vm("c", "Ethernet"), lan="Office LAN"), lans=[office_lan()])
    full = result(data)
    fresh = run(data)
    for row in full.reachability:
        assert fresh.pair(row.from_, row.to) == row


def test_unknown_endpoint_in_a_pair_query():
    simulation: Simulation = run(lab(vpc(vm("a", None))))
    try:
        simulation.pair("vm:host1/a", "vm:host1/zzz")
    except KeyError as error:
        assert "vm:host1/zzz" in str(error)
    else:
        raise AssertionError("an unknown endpoint must be refused")


def test_more_than_300_endpoints_truncates_the_pair_list():  # [RES]
    res = result(lab(*[vpc(vm("a", None), name=f"h{i}") for i in range(151)]))
    assert len(res.endpoints) == 303 and res.reachability is None and res.reachability_truncated


def test_json_uses_from_as_the_key():  # [RES]
    res = result(lab(vpc(vm("a", "Local only"))))
    assert '"from": "vm:host1/a"' in res.to_json()


def test_reason_is_the_first_failure_met_walking_from_the_source():  # [R 5.2], [LL-4]
    """An APIPA guest on Local only cannot leave its segment at all: that it could not get into a NAT guest
    either comes later on the way."""
    res = result(
        lab(
            {
                "name": "host1",
                "product": "virtual_pc_2007",
                "lan": "Office LAN",
                "vms": [vm("apipa", "Local only"), vm("natted", "Shared networking (NAT)")],
            },
            lans=[office_lan()],
        )
    )
    assert pair(res, "vm:host1/apipa", "vm:host1/natted").reason.code == "link_local_not_routed"
    assert pair(res, "vm:host1/apipa", "internet").reason.code == "link_local_not_routed"
    # the other way, the NAT guest goes out through the host, which has no way onto Local only
    assert pair(res, "vm:host1/natted", "vm:host1/apipa").reason.code == "host_not_on_segment"
    # inbound into the NAT from the LAN: the LAN PC's way out works, the NAT lets nothing in
    assert pair(res, "lan:Office LAN", "vm:host1/natted").reason.code == "nat_inbound_blocked"
