"""Addresses [ADDR] at their edges: the ends of the NAT range, several DHCP servers, who a warning names.

Written against the survivors of a mutation run (bench/mutation.py); each test pins behaviour SPEC §4 or
docs/decisions.md states.
"""

from tests.engine.helpers import NAT, adapter, lab, office_lan, result, static, vm, vpc, warning, warning_codes


def test_the_nat_range_includes_both_its_ends():  # [NAT-6] 192.168.131.64–.191 with gateway .254
    guests = [
        static(name, NAT, ip, gateway="192.168.131.254")
        for name, ip in (("low", "192.168.131.64/24"), ("high", "192.168.131.191/24"))
    ]
    res = result(lab(vpc(*guests)))
    assert warning_codes(adapter(res, "low")) == [] and warning_codes(adapter(res, "high")) == []
    outside = [
        static(name, NAT, ip, gateway="192.168.131.254")
        for name, ip in (("below", "192.168.131.63/24"), ("above", "192.168.131.192/24"))
    ]
    res = result(lab(vpc(*outside)))
    assert all(warning_codes(adapter(res, n)) == ["static_outside_nat_range"] for n in ("below", "above"))


def test_outside_the_nat_range_the_warning_says_what_the_nat_translates():  # [NAT-6]
    res = result(lab(vpc(static("s", NAT, "192.168.131.10/24"))))
    assert warning(adapter(res, "s"), "static_outside_nat_range") == (
        "Virtual PC's NAT translates only 192.168.131.64–192.168.131.191 with gateway 192.168.131.254; "
        "192.168.131.10 (gateway none) gets no outside access [NAT-6]"
    )


def test_a_nat_guests_static_address_is_skipped_by_the_nat_dhcp():  # [ADDR-1]; docs/decisions.md NAT pool
    # Each guest is alone on its segment [NAT-5], but the NAT hands out one pool: a guest's static is not offered.
    res = result(lab(vpc(static("s", NAT, "192.168.131.64/24", gateway="192.168.131.254"), vm("d", NAT))))
    assert adapter(res, "d").ip == "192.168.131.65"


def test_an_empty_pool_says_why_the_client_fell_back_to_apipa():  # [ADDR-2]
    lan = office_lan(dhcp={"range": ["192.168.11.100", "192.168.11.100"]})
    host = vpc(vm("first", "Ethernet"), vm("second", "Ethernet"), lan="Office LAN", address={"ip": "192.168.11.9/24"})
    res = result(lab(host, lans=[lan]))
    assert adapter(res, "first").ip == "192.168.11.100"
    assert warning(adapter(res, "second"), "dhcp_pool_exhausted") == (
        "no DHCP server on Office LAN had a free address left; Windows fell back to APIPA"
    )


def test_both_holders_of_a_duplicate_address_name_each_other():  # [ST] duplicate_ip: both adapters get the warning
    res = result(lab(vpc(static("a", "Local only", "10.0.0.5/24"), static("b", "Local only", "10.0.0.5/24"))))
    later = "10.0.0.5 is used twice on host1/Local only (also by a NIC 1); the later one in the lab is disabled"
    earlier = "10.0.0.5 is used twice on host1/Local only (also by b NIC 1); the later one in the lab is disabled"
    assert warning(adapter(res, "b"), "duplicate_ip") == later
    assert warning(adapter(res, "a"), "duplicate_ip") == earlier


def test_when_a_servers_pool_is_empty_the_next_server_offers():  # [ADDR 4.2]; docs/decisions.md
    network = {
        "name": "Lab",
        "kind": "internal",
        "dhcp": {
            "network": "10.1.0.0/16",
            "range": ["10.1.0.16", "10.1.0.16"],
            "server": "10.1.0.1",
            "lease_seconds": 60,
        },
    }
    server_vm = {
        "name": "dc",
        "adapters": [{"network": "Lab", "address": {"ip": "10.1.0.2/16"}}],
        "services": {"dhcp_server": {"adapter": 1, "range": ["10.1.0.100", "10.1.0.101"]}},
    }
    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "networks": [network],
        "vms": [server_vm, vm("first", "Lab"), vm("second", "Lab")],
    }
    res = result(lab(host))
    first, second = adapter(res, "first"), adapter(res, "second")
    assert (first.ip, first.dhcp_server) == ("10.1.0.16", "10.1.0.1")  # the built-in server answers first
    assert (second.ip, second.dhcp_server) == ("10.1.0.100", "10.1.0.2")
    assert warning(second, "multiple_dhcp_servers") == (
        "2 DHCP servers answer on vs/Lab: the Virtual Server DHCP server of vs/Lab, the DHCP server on dc"
    )


def test_duplicate_macs_are_flagged_per_segment_with_every_holder_named():  # [MAC]
    def with_mac(name, network, mac):
        return {"name": name, "adapters": [{"network": network, "mac": mac}]}

    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "networks": [{"name": "A", "kind": "internal"}, {"name": "B", "kind": "internal"}],
        "vms": [
            with_mac("alone", "A", "00-03-FF-00-00-01"),
            with_mac("b", "A", "00-03-FF-00-00-02"),
            with_mac("c", "A", "00-03-FF-00-00-02"),
            with_mac("elsewhere", "B", "00-03-FF-00-00-02"),
        ],
    }
    res = result(lab(host))
    message = "00-03-FF-00-00-02 is used by b NIC 1, c NIC 1 on vs/A: frames go astray"
    assert warning(adapter(res, "b"), "duplicate_mac") == message == warning(adapter(res, "c"), "duplicate_mac")
    assert warning_codes(adapter(res, "alone")) == [] and warning_codes(adapter(res, "elsewhere")) == []
