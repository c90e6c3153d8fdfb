"""Addresses [ADDR]: DHCP order and pools, APIPA, statics and their warnings, MACs, leases."""

from ipaddress import IPv4Address

from app.engine.macs import apipa_candidates, nic_mac_from_name
from tests.engine.helpers import adapter, lab, office_lan, result, vm, warning_codes

BRIDGED = "Ethernet"


def vpc(*vms, **fields):
    return {"name": "host1", "product": "virtual_pc_2007", **fields, "vms": list(vms)}


def test_document_order_and_lowest_free_address():  # [ADDR-1]
    res = result(lab(vpc(vm("a", BRIDGED), vm("b", BRIDGED), lan="Office LAN"), lans=[office_lan()]))
    assert res.hosts[0].addresses[0].ip == "192.168.11.100"  # the host OS asks first
    assert [adapter(res, "a").ip, adapter(res, "b").ip] == ["192.168.11.101", "192.168.11.102"]


def test_dhcp_skips_addresses_used_statically_on_the_segment():  # [ADDR-1]
    later_static = vm("s", BRIDGED)
    later_static["adapters"][0]["address"] = {"ip": "192.168.11.101/24", "gateway": "192.168.11.1"}
    res = result(lab(vpc(vm("a", BRIDGED), later_static, lan="Office LAN"), lans=[office_lan()]))
    assert adapter(res, "a").ip == "192.168.11.102"
    assert adapter(res, "s").state == "connected" and warning_codes(adapter(res, "s")) == []


def test_pool_exhaustion_falls_back_to_apipa_with_a_warning():  # [ADDR-2]
    small = office_lan(dhcp={"range": ["192.168.11.100", "192.168.11.101"]})
    host = vpc(
        vm("a", BRIDGED),
        vm("b", BRIDGED),
        vm("c", BRIDGED),
        lan="Office LAN",
        address={"ip": "192.168.11.10/24", "gateway": "192.168.11.1"},
    )
    res = result(lab(host, lans=[small]))
    assert [adapter(res, n).ip for n in "ab"] == ["192.168.11.100", "192.168.11.101"]
    third = adapter(res, "c")
    assert third.source == "apipa" and third.ip.startswith("169.254.")
    assert warning_codes(third) == ["dhcp_pool_exhausted"]


def test_dhcp_lease_fields_from_the_lan():  # [ADDR 4.2]
    res = result(lab(vpc(vm("a", BRIDGED), lan="Office LAN"), lans=[office_lan()]))
    a = adapter(res, "a")
    assert (a.source, a.prefix, a.mask, a.gateway, a.dhcp_server) == (
        "dhcp",
        24,
        "255.255.255.0",
        "192.168.11.1",
        "192.168.11.1",
    )
    assert a.dns_servers == ["192.168.11.4", "192.168.11.8"] and a.dns_suffix == "example.com"
    assert (a.lease_obtained, a.lease_expires) == ("2009-09-15T10:04:03", "2009-09-23T10:04:03")


def test_lan_dhcp_server_without_router_sits_at_the_first_address():  # [ADDR 4.2]
    lan = office_lan(gateway=None, internet=False)
    res = result(lab(vpc(vm("a", BRIDGED), lan="Office LAN"), lans=[lan]))
    assert adapter(res, "a").dhcp_server == "192.168.11.1" and adapter(res, "a").gateway is None


def test_virtual_pc_nat_hands_out_its_pool_with_host_dns():  # [NAT-2..4] [NAT-9]
    nat = "Shared networking (NAT)"
    res = result(lab(vpc(vm("a", nat), vm("b", nat), lan="Office LAN"), lans=[office_lan()]))
    a, b = adapter(res, "a"), adapter(res, "b")
    assert (a.ip, b.ip) == ("192.168.131.64", "192.168.131.65")
    assert (a.gateway, a.dhcp_server, a.prefix) == ("192.168.131.254", "192.168.131.254", 24)
    assert a.dns_servers == ["192.168.11.4", "192.168.11.8"] and a.dns_suffix == "example.com"
    assert a.lease_expires == "2026-09-20T04:52:34"  # 536870911 s after 2009-09-15T10:04:03
    assert a.segment != b.segment  # [NAT-5] each guest alone with the gateway


def test_nat_pool_exhausts_after_128_guests():  # [ADDR-2]
    hosts = [vpc(*[vm(f"g{i}", "Shared networking (NAT)") for i in range(129)])]
    res = result(lab(*hosts))
    assert adapter(res, "g127").ip == "192.168.131.191"
    assert adapter(res, "g128").source == "apipa" and warning_codes(adapter(res, "g128")) == ["dhcp_pool_exhausted"]


def test_apipa_is_deterministic_from_the_mac_and_avoids_neighbours():  # [LL-1]
    res = result(lab(vpc(vm("a", "Local only"), vm("b", "Local only"))))
    a = adapter(res, "a")
    first = next(apipa_candidates(a.mac))
    assert a.ip == str(first) and a.mask == "255.255.0.0" and a.gateway is None and a.dns_servers == []
    assert result(lab(vpc(vm("a", "Local only"), vm("b", "Local only")))).adapters == res.adapters


def test_apipa_takes_the_next_candidate_when_a_neighbour_holds_it():  # [LL-1]
    probe = result(lab(vpc(vm("a", "Local only"))))
    taken = adapter(probe, "a").ip
    squatter = {"name": "s", "adapters": [{"network": "Local only", "address": {"ip": f"{taken}/16"}}]}
    res = result(lab(vpc(vm("a", "Local only"), squatter)))
    candidates = apipa_candidates(adapter(res, "a").mac)
    next(candidates)
    assert adapter(res, "a").ip == str(next(candidates))


def test_apipa_candidates_stay_inside_the_usable_link_local_range():  # [LL-1]
    low, high = IPv4Address("169.254.1.0"), IPv4Address("169.254.254.255")
    for mac in ("00-03-FF-91-5C-12", "00-15-5D-0B-15-00", "02-00-00-00-00-00"):
        candidates = apipa_candidates(mac)
        assert all(low <= next(candidates) <= high for _ in range(1000))


def test_static_warnings_subnet_mismatch():  # [ST]
    host = vpc({"name": "s", "adapters": [{"network": BRIDGED, "address": {"ip": "10.0.0.5/24"}}]}, lan="Office LAN")
    res = result(lab(host, lans=[office_lan()]))
    assert warning_codes(adapter(res, "s")) == ["subnet_mismatch"]


def test_duplicate_ip_later_one_loses():  # [ST]
    static = {"network": "Local only", "address": {"ip": "10.0.0.5/24"}}
    res = result(lab(vpc({"name": "a", "adapters": [static]}, {"name": "b", "adapters": [static]})))
    a, b = adapter(res, "a"), adapter(res, "b")
    assert warning_codes(a) == ["duplicate_ip"] and warning_codes(b) == ["duplicate_ip"]
    assert (a.state, b.state) == ("connected", "conflict")


def test_static_on_the_routers_address_conflicts():  # [ST]
    host = vpc(
        {"name": "s", "adapters": [{"network": BRIDGED, "address": {"ip": "192.168.11.1/24"}}]}, lan="Office LAN"
    )
    res = result(lab(host, lans=[office_lan()]))
    assert adapter(res, "s").state == "conflict" and "router" in adapter(res, "s").warnings[0].message


def test_same_static_on_two_segments_is_no_duplicate():
    res = result(
        lab(
            vpc({"name": "a", "adapters": [{"network": "Local only", "address": {"ip": "10.0.0.5/24"}}]}),
            {
                **vpc({"name": "b", "adapters": [{"network": "Local only", "address": {"ip": "10.0.0.5/24"}}]}),
                "name": "host2",
            },
        )
    )
    assert [a.state for a in res.adapters] == ["connected", "connected"]


def test_static_outside_nat_range():  # [NAT-6]
    nat = "Shared networking (NAT)"
    outside = {"network": nat, "address": {"ip": "192.168.131.10/24", "gateway": "192.168.131.254"}}
    wrong_gateway = {"network": nat, "address": {"ip": "192.168.131.70/24", "gateway": "192.168.131.1"}}
    inside = {"network": nat, "address": {"ip": "192.168.131.70/24", "gateway": "192.168.131.254"}}
    res = result(
        lab(
            vpc(
                {"name": "a", "adapters": [outside]},
                {"name": "b", "adapters": [wrong_gateway]},
                {"name": "c", "adapters": [inside]},
            )
        )
    )
    assert warning_codes(adapter(res, "a")) == ["static_outside_nat_range"]
    assert warning_codes(adapter(res, "b")) == ["static_outside_nat_range"]
    assert warning_codes(adapter(res, "c")) == []


def test_virtual_pc_macs_follow_the_host_nic():  # [MAC]
    res = result(lab(vpc(vm("a", "Local only", None), vm("b", None), nic_mac="00-1B-FC-91-5C-12")))
    assert [a.mac for a in res.adapters] == ["00-03-FF-91-5C-12", "00-03-FF-90-5C-12", "00-03-FF-93-5C-12"]


def test_virtual_pc_mac_without_nic_mac_is_derived_from_the_host_name():  # [MAC]
    derived = nic_mac_from_name("host1")
    assert derived == nic_mac_from_name("host1") != nic_mac_from_name("host2")
    assert int(derived[:2], 16) % 2 == 0
    res = result(lab(vpc(vm("a", None))))
    assert res.adapters[0].mac == f"00-03-FF-{derived[9:]}"


def test_virtual_server_keeps_static_macs_and_counts_only_automatic_ones():  # [MAC]
    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "nic_mac": "00-1B-FC-10-20-30",
        "vms": [{"name": "a", "adapters": [{"mac": "00-AA-BB-CC-DD-EE"}, {}]}],
    }
    res = result(lab(host))
    assert [a.mac for a in res.adapters] == ["00-AA-BB-CC-DD-EE", "00-03-FF-10-20-30"]


def test_hyper_v_macs_use_host_address_octets():  # [MAC]
    host = {
        "name": "hv",
        "product": "hyper_v",
        "lan": "Office LAN",
        "address": {"ip": "192.168.11.21/24", "gateway": "192.168.11.1"},
        "networks": [{"name": "P", "kind": "private"}],
        "vms": [vm("a", "P", "P"), vm("b", "P")],
    }
    res = result(lab(host, lans=[office_lan()]))
    assert [a.mac for a in res.adapters] == ["00-15-5D-0B-15-00", "00-15-5D-0B-15-01", "00-15-5D-0B-15-02"]


def test_duplicate_mac_on_one_segment():  # [MAC]
    same = {"network": "In", "mac": "00-15-5D-00-00-01"}
    host = {
        "name": "hv",
        "product": "hyper_v",
        "networks": [{"name": "In", "kind": "private"}],
        "vms": [{"name": "a", "adapters": [same]}, {"name": "b", "adapters": [same]}],
    }
    res = result(lab(host))
    assert all(warning_codes(a) == ["duplicate_mac"] for a in res.adapters)


def test_virtual_server_dhcp_serves_its_network():  # [VSD]
    dhcp = {
        "network": "10.237.0.0/16",
        "range": ["10.237.0.16", "10.237.0.17"],
        "server": "10.237.0.1",
        "gateway": "10.237.0.1",
        "dns_servers": ["10.237.0.2"],
        "lease_seconds": 3600,
    }
    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "networks": [{"name": "A", "kind": "internal", "dhcp": dhcp}],
        "vms": [vm("a", "A"), vm("b", "A"), vm("c", "A")],
    }
    res = result(lab(host))
    a = adapter(res, "a")
    assert (a.ip, a.prefix, a.gateway, a.dhcp_server, a.dns_servers) == (
        "10.237.0.16",
        16,
        "10.237.0.1",
        "10.237.0.1",
        ["10.237.0.2"],
    )
    assert a.lease_expires == "2009-09-15T11:04:03"
    assert adapter(res, "b").ip == "10.237.0.17" and adapter(res, "c").source == "apipa"


def test_not_connected_adapter_has_no_address():
    res = result(lab(vpc(vm("a", None))))
    a = adapter(res, "a")
    assert (a.state, a.source, a.ip, a.segment, a.network) == ("not_connected", "none", None, None, None)


def test_hyper_v_external_without_management_os_keeps_the_host_off_the_lan():  # [P-6]
    host = {
        "name": "hv",
        "product": "hyper_v",
        "lan": "Office LAN",
        "networks": [{"name": "Ext", "kind": "external", "management_os": False}],
        "vms": [vm("a", "Ext")],
    }
    res = result(lab(host, lans=[office_lan()]))
    assert res.hosts[0].addresses == []
    assert adapter(res, "a").ip == "192.168.11.100"  # the VM is the first DHCP client on the LAN


def test_missing_clock_means_now():
    data = lab(vpc(vm("a", BRIDGED), lan="Office LAN"), lans=[office_lan()])
    del data["clock"]
    res = result(data)
    assert res.clock == adapter(res, "a").lease_obtained and len(res.clock) == 19
