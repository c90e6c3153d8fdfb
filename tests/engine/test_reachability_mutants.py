"""Reachability [R 5.2] at its edges: the on-link test, which reason wins, and what each reason says.

Written against the survivors of a mutation run (bench/mutation.py): each test pins behaviour SPEC §5.2, §7
or docs/decisions.md states — the reason code, the person-readable message naming what is at fault, and the
path walked so far — that a small change to the engine would otherwise break unnoticed.
"""

import pytest

from app.engine.simulate import Simulation
from tests.engine.helpers import NAT, adapter, lab, office_lan, pair, reason, result, run, static, vm, vpc


def virtual_server(*vms, networks, **fields):
    return {"name": "vs", "product": "virtual_server_2005_r2", "networks": networks, **fields, "vms": list(vms)}


def internal(*names):
    return [{"name": name, "kind": "internal"} for name in names]


def failure(res, source, target):
    row = pair(res, source, target)
    assert not row.reachable and row.via is None
    return row.reason.code, row.reason.message, list(row.path)


# --- direct: same segment, and each address in the other's subnet [R 5.2 step 1] -----------------------------


def test_direct_needs_each_address_inside_the_others_subnet():  # [R 5.2] step 1
    # a's /16 holds b's address, but b's /24 does not hold a's: on-link for a, not for b, so no direct way.
    res = result(lab(vpc(static("a", "Local only", "10.0.1.5/16"), static("b", "Local only", "10.0.2.6/24"))))
    assert failure(res, "vm:host1/a", "vm:host1/b") == (
        "subnet_mismatch",
        "a NIC 1 (10.0.1.5/16) and b NIC 1 (10.0.2.6/24) share host1/Local only but not a subnet",
        ["a NIC 1", "host1/Local only"],
    )
    assert failure(res, "vm:host1/b", "vm:host1/a")[0] == "subnet_mismatch"
    both = result(lab(vpc(static("a", "Local only", "10.0.1.5/16"), static("b", "Local only", "10.0.2.6/16"))))
    assert pair(both, "vm:host1/a", "vm:host1/b").via == "direct"


def test_a_multi_homed_vm_meets_a_target_only_on_a_segment_they_share():  # [R 5.1] [R 5.2] step 1
    # m's adapter on B is in t's subnet, but t is on A; on A the subnets differ. Addresses alone do not connect.
    host = virtual_server(
        {
            "name": "m",
            "adapters": [
                {"network": "A", "address": {"ip": "10.0.0.1/24"}},
                {"network": "B", "address": {"ip": "10.1.0.1/24"}},
            ],
        },
        static("t", "A", "10.1.0.2/24"),
        networks=internal("A", "B"),
    )
    res = result(lab(host))
    for source, target in (("vm:vs/m", "vm:vs/t"), ("vm:vs/t", "vm:vs/m")):
        assert reason(res, source, target) == "subnet_mismatch"
        assert run(lab(host)).pair(source, target).reason.code == "subnet_mismatch"


def test_direct_beats_a_way_out_found_on_an_earlier_adapter():  # [R 5.2] via `direct` when an address is on-link
    data = lab(vpc(vm("m", NAT, "Ethernet"), lan="Office LAN"), lans=[office_lan()])
    expected = ("direct", ("m NIC 2", "Office LAN", "a PC on Office LAN"))
    row = pair(result(data), "vm:host1/m", "lan:Office LAN")
    assert (row.via, row.path) == expected
    alone = run(data).pairs_to(["lan:Office LAN"])[0]
    assert (alone.from_, alone.via, alone.path) == ("vm:host1/m", *expected)


# --- which reason is reported ----------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [("Ethernet", "Local only"), ("Local only", "Ethernet")])
def test_across_adapters_the_reason_latest_in_the_list_wins(order):  # [R 5.2] list order; docs/decisions.md
    # One adapter has no gateway (bridged static), the other only a link-local address: link_local_not_routed
    # comes after no_gateway in SPEC §5.2's list, so it is the attempt that got further, whatever the order.
    adapters = [
        {"network": "Ethernet", "address": {"ip": "192.168.11.50/24"}} if n == "Ethernet" else {"network": n}
        for n in order
    ]
    data = lab(vpc({"name": "m", "adapters": adapters}, lan="Office LAN"), lans=[office_lan()])
    assert reason(result(data), "vm:host1/m", "internet") == "link_local_not_routed"
    assert run(data).pairs_to(["internet"])[0].reason.code == "link_local_not_routed"


def test_apipa_and_missing_gateway_say_which_segment_they_are_stuck_on():  # [LL-4] [R 5.2]
    host = vpc(vm("d", "Local only"), static("s", "Ethernet", "192.168.11.50/24"), lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    assert failure(res, "vm:host1/d", "internet") == (
        "link_local_not_routed",
        "the adapter has only a link-local (APIPA) address on host1/Local only, and such addresses are never "
        "routed [LL-4]",
        ["d NIC 1", "host1/Local only"],
    )
    assert failure(res, "vm:host1/s", "internet") == (
        "no_gateway",
        "the adapter has no default gateway on Office LAN",
        ["s NIC 1", "Office LAN"],
    )


def test_a_gateway_that_is_no_router_is_named_with_its_segment():  # [R 5.2] step 2
    host = vpc(static("s", "Ethernet", "192.168.11.50/24", gateway="192.168.11.77"), lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    assert failure(res, "vm:host1/s", "internet") == (
        "no_gateway",
        "the default gateway 192.168.11.77 is no router on Office LAN",
        ["s NIC 1", "Office LAN"],
    )


def test_a_lan_without_internet_stops_at_its_router():  # [R 5.2] step 2: the router forwards only with internet
    res = result(lab(vpc(vm("a", "Ethernet"), lan="Office LAN"), lans=[office_lan(internet=False)]))
    assert failure(res, "vm:host1/a", "internet") == (
        "no_internet_uplink",
        "Office LAN has no internet access (internet: false)",
        ["a NIC 1", "Office LAN", "router 192.168.11.1"],
    )


def test_nat_guest_outside_the_nat_range_stops_at_its_own_adapter():  # [NAT-6]
    outside = static("s", NAT, "192.168.131.10/24", gateway="192.168.131.254")
    res = result(lab(vpc(outside, lan="Office LAN"), lans=[office_lan()]))
    code, message, path = failure(res, "vm:host1/s", "internet")
    assert code == "static_outside_nat_range" and "[NAT-6]" in message
    assert path == ["s NIC 1", "host1/Shared networking (NAT)"]


# --- structural reasons name what keeps the two apart ---------------------------------------------------------


def test_separate_segments_are_both_named():  # [R 5.2] different_segment
    res = result(lab(vpc(vm("lo", "Local only"), vm("br", "Ethernet"), lan="Office LAN"), lans=[office_lan()]))
    assert failure(res, "vm:host1/br", "vm:host1/lo") == (
        "different_segment",
        "Office LAN and host1/Local only are separate segments, and no gateway leads from one to the other",
        ["br NIC 1", "Office LAN"],
    )


def test_host_not_on_segment_names_the_host_and_the_network_either_way():  # [R 5.3] row 1, [R 5.1]
    res = result(lab(vpc(vm("lo", "Local only"), lan="Office LAN"), lans=[office_lan()]))
    message = "host1 OS has no adapter on host1/Local only"
    assert failure(res, "vm:host1/lo", "host:host1") == (
        "host_not_on_segment",
        message,
        ["lo NIC 1", "host1/Local only"],
    )
    assert failure(res, "host:host1", "vm:host1/lo") == ("host_not_on_segment", message, ["host1 OS", "Office LAN"])


def test_host_not_on_a_vlan_of_a_private_network_names_the_vlan():  # [R 5.1] one segment per VLAN id
    tagged = {"name": "p", "adapters": [{"network": "Priv", "vlan": 10}]}
    host = {"name": "hv", "product": "hyper_v", "networks": [{"name": "Priv", "kind": "private"}], "vms": [tagged]}
    res = result(lab(host))
    assert reason(res, "vm:hv/p", "host:hv") == "host_not_on_segment"
    code, message, _ = failure(res, "host:hv", "vm:hv/p")
    assert code == "host_not_on_segment" and message == "hv OS has no adapter on hv/Priv [vlan 10]"


def test_a_host_absent_from_a_shared_segment_is_named_from_both_sides():  # [R 5.3] row 6, [P-6]
    # hv2's OS stays off the LAN (management_os: false), and hv1 OS sits on it: they meet nowhere.
    absent = {
        "name": "hv2",
        "product": "hyper_v",
        "lan": "Office LAN",
        "networks": [{"name": "Ext", "kind": "external", "management_os": False}, {"name": "In", "kind": "internal"}],
        "vms": [],
    }
    present = {"name": "hv1", "product": "hyper_v", "lan": "Office LAN", "networks": [], "vms": []}
    res = result(lab(present, absent, lans=[office_lan()]))
    message = (
        "the external network of hv2 does not share its NIC with the management OS (management_os: false), "
        "so hv2 OS is not on Office LAN"
    )
    assert failure(res, "host:hv1", "host:hv2") == ("mgmt_os_not_shared", message, ["hv1 OS", "Office LAN"])
    assert failure(res, "host:hv2", "host:hv1") == ("mgmt_os_not_shared", message, ["hv2 vEthernet (In)", "hv2/In"])


def test_mgmt_os_not_shared_towards_a_vm_with_a_vlan_names_the_lan():  # [P-6] [R 5.3] row 6
    networks = [{"name": "Ext", "kind": "external", "management_os": False}]
    tagged = {"name": "e", "adapters": [{"network": "Ext", "vlan": 5}]}
    host = {"name": "hv", "product": "hyper_v", "lan": "Office LAN", "networks": networks, "vms": [tagged]}
    res = result(lab(host, lans=[office_lan()]))
    for source, target in (("vm:hv/e", "host:hv"), ("host:hv", "vm:hv/e")):
        code, message, _ = failure(res, source, target)
        assert code == "mgmt_os_not_shared" and message.endswith("so hv OS is not on Office LAN"), message


def test_vlan_mismatch_names_both_vlans():  # [R 5.3] row 9, [P-6]
    host = {
        "name": "hv",
        "product": "hyper_v",
        "lan": "Office LAN",
        "networks": [{"name": "Ext", "kind": "external"}],
        "vms": [{"name": "e", "adapters": [{"network": "Ext", "vlan": 5}]}, vm("u", "Ext")],
    }
    res = result(lab(host, lans=[office_lan()]))
    assert failure(res, "vm:hv/e", "vm:hv/u") == (
        "vlan_mismatch",
        "Office LAN [vlan 5] and Office LAN (untagged) are different VLANs of Office LAN",
        ["e NIC 1", "Office LAN [vlan 5]"],
    )
    assert failure(res, "vm:hv/u", "vm:hv/e")[1] == (
        "Office LAN (untagged) and Office LAN [vlan 5] are different VLANs of Office LAN"
    )


def test_nat_inbound_blocked_names_the_nat_network():  # [R 5.2] step 3, [R 5.3] row 4
    res = result(lab(vpc(vm("a", NAT), vm("br", "Ethernet"), lan="Office LAN"), lans=[office_lan()]))
    assert failure(res, "vm:host1/br", "vm:host1/a") == (
        "nat_inbound_blocked",
        "host1/Shared networking (NAT) is behind NAT; nothing outside it can open a connection in",
        ["br NIC 1", "Office LAN"],
    )
    assert failure(res, "internet", "vm:host1/a") == (
        "nat_inbound_blocked",
        "nothing on the internet can open a connection into the lab: every way in passes a NAT",
        ["internet"],
    )


def test_nat_guests_are_isolated_with_their_own_nic_first():  # [NAT-5]
    res = result(lab(vpc(vm("a", NAT), vm("b", NAT), lan="Office LAN"), lans=[office_lan()]))
    code, message, path = failure(res, "vm:host1/a", "vm:host1/b")
    assert code == "nat_guest_isolation" and "[NAT-5]" in message
    assert path == ["a NIC 1", "host1/Shared networking (NAT)"]


def test_the_lan_pc_is_named_as_a_pc_on_its_lan():  # [§1] `lan:` is an ordinary PC on the LAN
    host = vpc(static("s", "Ethernet", "10.0.0.5/24"), lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    code, message, path = failure(res, "lan:Office LAN", "vm:host1/s")
    assert code == "subnet_mismatch" and path == ["a PC on Office LAN", "Office LAN"]
    assert message.startswith("a PC on Office LAN (") and "s NIC 1 (10.0.0.5/24)" in message


def test_the_lan_pc_sits_at_the_highest_free_address():  # docs/decisions.md: highest free address of the subnet
    host = vpc(static("s", "Ethernet", "10.0.0.5/24"), lan="Office LAN")
    message = failure(result(lab(host, lans=[office_lan()])), "lan:Office LAN", "vm:host1/s")[1]
    assert message.startswith("a PC on Office LAN (192.168.11.254/24) and")
    small = office_lan(subnet="192.168.11.0/28", dhcp=None)
    message = failure(result(lab(host, lans=[small])), "lan:Office LAN", "vm:host1/s")[1]
    assert message.startswith("a PC on Office LAN (192.168.11.14/28) and")
    top_is_router = office_lan(gateway="192.168.11.254", dhcp=None)
    message = failure(result(lab(host, lans=[top_is_router])), "lan:Office LAN", "vm:host1/s")[1]
    assert message.startswith("a PC on Office LAN (192.168.11.253/24) and")


def test_the_lan_pc_does_not_take_an_address_a_vm_holds_statically():  # docs/decisions.md: the highest *free* one
    taken = vpc(
        static("s", "Ethernet", "10.0.0.5/24"), static("top", "Ethernet", "192.168.11.254/24"), lan="Office LAN"
    )
    res = result(lab(taken, lans=[office_lan()]))
    assert failure(res, "lan:Office LAN", "vm:host1/s")[1].startswith("a PC on Office LAN (192.168.11.253/24) and")


def test_the_lan_pc_uses_the_lans_router():  # [§1] `lan:` uses the LAN's gateway
    res = result(lab(lans=[office_lan()]))
    row = pair(res, "lan:Office LAN", "internet")
    assert row.via == "gateway" and list(row.path) == [
        "a PC on Office LAN",
        "Office LAN",
        "router 192.168.11.1",
        "internet",
    ]


# --- endpoints with nothing to offer ---------------------------------------------------------------------------


def test_a_conflicting_address_is_named_with_its_segment():  # [ST] duplicate_ip; docs/decisions.md
    res = result(
        lab(vpc(static("a", "Local only", "10.0.0.5/24"), static("b", "Local only", "10.0.0.5/24"), vm("c", None)))
    )
    message = "b NIC 1's address 10.0.0.5 is used twice on host1/Local only, so Windows disabled it"
    assert failure(res, "vm:host1/a", "vm:host1/b") == ("duplicate_ip", message, ["b NIC 1"])
    assert failure(res, "vm:host1/b", "vm:host1/a") == ("duplicate_ip", message, ["b NIC 1"])
    assert failure(res, "vm:host1/b", "internet") == ("duplicate_ip", message, ["b NIC 1"])


def test_not_connected_names_the_endpoint_without_a_path():  # [R 5.2] not_connected
    res = result(lab(vpc(vm("a", None), vm("b", "Local only"))))
    assert failure(res, "vm:host1/a", "vm:host1/b") == ("not_connected", "a has no connected adapter", [])
    assert failure(res, "vm:host1/b", "vm:host1/a") == ("not_connected", "a has no connected adapter", [])
    other = result(lab(vpc(vm("b", "Local only")), vpc(name="host2")))
    assert failure(other, "vm:host1/b", "host:host2") == ("not_connected", "host2 OS has no connected adapter", [])


# --- through a NAT: the host's or the ICS gateway's answer, outbound only --------------------------------------


def test_behind_a_nat_the_hosts_own_reason_is_given():  # [R 5.2] step 2; docs/decisions.md
    res = result(lab(vpc(vm("a", NAT), vm("lo", "Local only"), lan="Office LAN"), lans=[office_lan()]))
    assert failure(res, "vm:host1/a", "vm:host1/lo") == (
        "host_not_on_segment",
        "through NAT 192.168.131.254, host1 OS cannot reach it: host1 OS has no adapter on host1/Local only",
        ["a NIC 1", "host1/Shared networking (NAT)", "NAT 192.168.131.254"],
    )


def test_a_nat_whose_host_is_on_no_lan_leads_nowhere():  # [R 5.2] step 2; docs/decisions.md
    res = result(lab(vpc(vm("a", NAT)), vpc(vm("b", "Local only"), name="host2")))
    hop = ["a NIC 1", "host1/Shared networking (NAT)", "NAT 192.168.131.254"]
    through = "through NAT 192.168.131.254, host1 OS cannot reach it: host1 OS has no connected adapter"
    assert failure(res, "vm:host1/a", "vm:host2/b") == ("different_segment", through, hop)
    assert failure(res, "vm:host1/a", "internet") == ("no_internet_uplink", through, hop)


def ics_gateway(public):
    return {
        "name": "gw",
        "adapters": [public, {"network": "Local only"}],
        "services": {"ics": {"public": 1, "private": 2}},
    }


def test_an_ics_gateway_with_its_public_adapter_unplugged():  # [SVC] ICS reaches what its public adapter reaches
    host = vpc(ics_gateway({"network": None}), vm("s", "Local only"), vm("b", "Ethernet"), lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    hop = ["s NIC 1", "host1/Local only", "ICS 192.168.0.1 (gw)"]
    through = "through ICS 192.168.0.1 (gw), gw cannot reach it: gw has no usable address"
    assert failure(res, "vm:host1/s", "vm:host1/b") == ("different_segment", through, hop)
    assert failure(res, "vm:host1/s", "internet") == ("no_internet_uplink", through, hop)
    assert pair(res, "vm:host1/s", "vm:host1/gw").via == "direct"


def test_an_ics_gateway_whose_public_address_conflicts():  # [SVC] [ST]
    public = {"network": "Ethernet", "address": {"ip": "192.168.11.1/24"}}  # the router's address
    res = result(lab(vpc(ics_gateway(public), vm("s", "Local only"), lan="Office LAN"), lans=[office_lan()]))
    code, message, _ = failure(res, "vm:host1/s", "lan:Office LAN")
    assert code == "duplicate_ip"
    assert message == (
        "through ICS 192.168.0.1 (gw), gw cannot reach it: gw NIC 1's address 192.168.11.1 is used twice on "
        "Office LAN, so Windows disabled it"
    )


def test_two_ics_gateways_that_lead_to_each_other_make_a_loop():  # [SVC]: nothing is reached by going round
    def gateway(name, public, private, ip):
        adapters = [{"network": public, "address": {"ip": ip, "gateway": "192.168.0.1"}}, {"network": private}]
        return {"name": name, "adapters": adapters, "services": {"ics": {"public": 1, "private": 2}}}

    host = virtual_server(
        gateway("g1", "N2", "N1", "192.168.0.7/24"),
        gateway("g2", "N1", "N2", "192.168.0.8/24"),
        vm("c1", "N1"),
        networks=[*internal("N1", "N2"), {"name": "Up", "kind": "external"}],
        lan="Office LAN",
    )
    res = result(lab(host, lans=[office_lan()]))
    code, message, path = failure(res, "vm:vs/c1", "lan:Office LAN")
    assert code == "different_segment" and message.endswith("ICS 192.168.0.1 (g1) leads back to where it started")
    assert path == ["c1 NIC 1", "vs/N1", "ICS 192.168.0.1 (g1)"]
    assert reason(res, "vm:vs/c1", "internet") == "no_internet_uplink"
    assert pair(res, "vm:vs/c1", "vm:vs/g2").reachable  # g2's public adapter is on N1, c1's own segment


def test_a_long_chain_of_ics_gateways():  # [SVC]: each client goes out through every gateway above it
    from bench.labs import ics_chain

    simulation = run(ics_chain(20))
    res = simulation.result()
    whole = simulation.reachability.pair("vm:vs/client20", "internet").path
    assert whole[-3:] == ("LAN", "router 10.0.0.1", "internet")
    assert sum(step.startswith("ICS 192.168.0.1") for step in whole) == 20
    # the result shows a path that long by its ends [RES]
    out = pair(res, "vm:vs/client20", "internet")
    assert out.via == "nat" and len(whole) > 40 and len(out.path) == 40
    assert out.path[:20] == whole[:20] and out.path[-19:] == whole[-19:]
    assert out.path[20] == f"… {len(whole) - 39} more steps …"
    assert pair(res, "vm:vs/client20", "vm:vs/client1").via == "nat"
    assert reason(res, "vm:vs/client1", "vm:vs/client20") == "nat_inbound_blocked"
    assert pair(res, "vm:vs/client7", "lan:LAN").via == "nat"
    assert adapter(res, "client20").gateway == "192.168.0.1"


# --- the pair list ---------------------------------------------------------------------------------------------


def test_exactly_300_endpoints_are_still_listed():  # [RES] every pair while there are at most 300 endpoints
    def endpoints(count: int) -> Simulation:  # each host adds its OS and one VM; the LAN and internet two more
        return run(lab(*[vpc(vm("a", None), name=f"h{i}") for i in range((count - 2) // 2)], lans=[office_lan()]))

    at_cap = endpoints(300)
    assert len(at_cap.endpoints) == 300 and at_cap.overview().reachability_truncated is False
    over = endpoints(302)
    assert len(over.endpoints) == 302 and over.overview().reachability_truncated is True


def test_no_dhcp_server_leases_the_lan_pcs_address():  # [ADDR-1] addresses held on the segment are skipped
    pool = office_lan(dhcp={"range": ["192.168.11.253", "192.168.11.254"], "lease_seconds": 600})
    res = result(lab(vpc(vm("a", "Ethernet"), vm("b", "Ethernet"), lan="Office LAN"), lans=[pool]))
    # the host OS leases .253 first; the PC holds .254, so neither VM gets a lease
    assert [adapter(res, name).source for name in ("a", "b")] == ["apipa", "apipa"]
    assert pair(res, "lan:Office LAN", "host:host1").via == "direct"
