"""VM services [SVC]: a DHCP server VM and Internet Connection Sharing."""

from tests.engine.helpers import adapter, lab, office_lan, pair, reason, result, vm, warning_codes


def vpc(*vms, **fields):
    return {"name": "host1", "product": "virtual_pc_2007", **fields, "vms": list(vms)}


def dhcp_vm(name="dc", **service):
    return {
        "name": name,
        "adapters": [{"network": "Local only", "address": {"ip": "10.1.0.1/16"}}],
        "services": {"dhcp_server": {"adapter": 1, "range": ["10.1.0.100", "10.1.0.101"], **service}},
    }


def ics_vm(private_address=None):
    private = {"network": "Local only"}
    if private_address:
        private["address"] = {"ip": private_address}
    return {
        "name": "gw",
        "adapters": [{"network": "Ethernet"}, private],
        "services": {"ics": {"public": 1, "private": 2}},
    }


def test_dhcp_server_vm_serves_its_segment():  # [SVC]
    res = result(lab(vpc(vm("early", "Local only"), dhcp_vm(), vm("late", "Local only"))))
    early, late = adapter(res, "early"), adapter(res, "late")
    assert (early.ip, late.ip) == ("10.1.0.100", "10.1.0.101")  # servers exist from the start; clients in order
    assert (early.prefix, early.dhcp_server, early.gateway, early.dns_servers) == (16, "10.1.0.1", None, [])
    assert early.lease_expires == "2009-09-23T10:04:03"  # default 8 days
    assert pair(res, "vm:host1/early", "vm:host1/dc").reachable


def test_dhcp_server_vm_hands_out_gateway_and_dns_only_when_given():  # [SVC]
    res = result(
        lab(vpc(dhcp_vm(gateway="10.1.0.1", dns_servers=["10.1.0.1"], lease_seconds=3600), vm("c", "Local only")))
    )
    c = adapter(res, "c")
    assert (c.gateway, c.dns_servers, c.lease_expires) == ("10.1.0.1", ["10.1.0.1"], "2009-09-15T11:04:03")


def test_dhcp_server_vm_pool_exhausts():  # [ADDR-2]
    res = result(lab(vpc(dhcp_vm(), vm("a", "Local only"), vm("b", "Local only"), vm("c", "Local only"))))
    assert adapter(res, "c").source == "apipa" and warning_codes(adapter(res, "c")) == ["dhcp_pool_exhausted"]


def test_two_dhcp_servers_on_one_segment_warn_every_client():  # [ADDR 4.2]
    res = result(
        lab(
            vpc(
                dhcp_vm("dc1"),
                {**dhcp_vm("dc2"), "adapters": [{"network": "Local only", "address": {"ip": "10.1.0.2/16"}}]},
                vm("c", "Local only"),
            )
        )
    )
    c = adapter(res, "c")
    assert warning_codes(c) == ["multiple_dhcp_servers"] and c.dhcp_server == "10.1.0.1"


def test_built_in_server_answers_before_a_vm_server():  # [ADDR 4.2]
    rogue = {
        "name": "rogue",
        "adapters": [{"network": "Ethernet", "address": {"ip": "192.168.11.5/24"}}],
        "services": {"dhcp_server": {"adapter": 1, "range": ["192.168.11.20", "192.168.11.30"]}},
    }
    res = result(lab(vpc(rogue, vm("c", "Ethernet"), lan="Office LAN"), lans=[office_lan()]))
    c = adapter(res, "c")
    assert c.dhcp_server == "192.168.11.1" and warning_codes(c) == ["multiple_dhcp_servers"]


def test_ics_gives_the_internal_network_outside_access():  # [SVC]
    res = result(lab(vpc(ics_vm(), vm("s", "Local only"), lan="Office LAN"), lans=[office_lan()]))
    private, client = adapter(res, "gw", 2), adapter(res, "s")
    assert (private.source, private.ip, private.prefix) == ("static", "192.168.0.1", 24)
    assert (client.ip, client.gateway, client.dns_servers, client.dhcp_server, client.dns_suffix) == (
        "192.168.0.2",
        "192.168.0.1",
        ["192.168.0.1"],
        "192.168.0.1",
        "mshome.net",
    )
    out = pair(res, "vm:host1/s", "internet")
    assert out.reachable and out.via == "nat"
    assert list(out.path) == [
        "s NIC 1",
        "host1/Local only",
        "ICS 192.168.0.1 (gw)",
        "gw NIC 1",
        "Office LAN",
        "router 192.168.11.1",
        "internet",
    ]
    assert pair(res, "vm:host1/s", "lan:Office LAN").reachable
    assert reason(res, "lan:Office LAN", "vm:host1/s") == "nat_inbound_blocked"
    assert reason(res, "host:host1", "vm:host1/s") == "nat_inbound_blocked"
    assert pair(res, "vm:host1/gw", "vm:host1/s").via == "direct"


def test_ics_overrides_a_configured_private_address():  # [SVC]
    res = result(lab(vpc(ics_vm("10.9.9.9/24"), lan="Office LAN"), lans=[office_lan()]))
    private = adapter(res, "gw", 2)
    assert private.ip == "192.168.0.1" and warning_codes(private) == ["ics_overrides_address"]
    same = result(lab(vpc(ics_vm("192.168.0.1/24"), lan="Office LAN"), lans=[office_lan()]))
    assert warning_codes(adapter(same, "gw", 2)) == []


def test_ics_without_an_uplink():  # [SVC]
    res = result(lab(vpc(ics_vm(), vm("s", "Local only"), lan="Office LAN"), lans=[office_lan(internet=False)]))
    assert reason(res, "vm:host1/s", "internet") == "no_internet_uplink"
