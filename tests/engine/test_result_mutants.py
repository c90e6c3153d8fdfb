"""The simulation result [RES] §7 field by field, the devices that hold addresses on their segments, and the
engine's entry points. Written against the survivors of a mutation run (bench/mutation.py) over
app/engine/segments.py and simulate.py."""

from datetime import datetime

import pytest

from app.engine.document import LabDocument
from app.engine.simulate import Simulation, simulate, simulate_json, simulate_json_after
from tests.engine.helpers import NAT, adapter, lab, office_lan, result, run, static, vm, vpc, warning, warning_codes


def test_adapters_say_where_they_are_attached():  # [RES] adapters: host, vm, index, network, network_kind
    res = result(lab(vpc(vm("xp", "Local only", None, "Ethernet"), lan="Office LAN"), lans=[office_lan()]))
    rows = [(a.host, a.vm, a.index, a.network, a.network_kind, a.state, a.source) for a in res.adapters]
    assert rows == [
        ("host1", "xp", 1, "Local only", "internal", "connected", "apipa"),
        ("host1", "xp", 2, None, None, "not_connected", "none"),
        ("host1", "xp", 3, "Ethernet", "external", "connected", "dhcp"),
    ]


def test_hosts_list_their_own_addresses():  # [RES] hosts[].addresses: the host OS on its LAN, Hyper-V vEthernet
    host = {
        "name": "hv",
        "product": "hyper_v",
        "lan": "Office LAN",
        "networks": [
            {"name": "Ext", "kind": "external"},
            {"name": "In", "kind": "internal", "host_address": {"ip": "172.16.0.1/24"}},
            {"name": "In2", "kind": "internal"},
        ],
        "vms": [],
    }
    res = result(lab(host, lans=[office_lan()]))
    (hv,) = res.hosts
    on_lan, on_in, on_in2 = hv.addresses
    assert (on_lan.network, on_lan.source, on_lan.ip, on_lan.prefix, on_lan.gateway) == (
        "Office LAN",
        "dhcp",
        "192.168.11.100",
        24,
        "192.168.11.1",
    )
    assert (on_lan.dns_servers, on_lan.dns_suffix) == (["192.168.11.4", "192.168.11.8"], "example.com")
    assert (on_in.network, on_in.source, on_in.ip, on_in.prefix, on_in.gateway) == (
        "In",
        "static",
        "172.16.0.1",
        24,
        None,
    )
    assert (on_in2.network, on_in2.source, on_in2.prefix) == ("In2", "apipa", 16)


def test_host_warnings_of_every_host_are_kept():  # docs/decisions.md: host OS warnings go to the top level
    hosts = [
        vpc(lan="Office LAN", name=n, address={"ip": ip}) for n, ip in (("a", "10.0.0.5/24"), ("b", "10.0.0.6/24"))
    ]
    res = result(lab(*hosts, lans=[office_lan()]))
    assert [(w.code, w.message.split(":")[0]) for w in res.warnings] == [
        ("subnet_mismatch", "a OS"),
        ("subnet_mismatch", "b OS"),
    ]


# --- devices hold their addresses before any client [ST]; docs/decisions.md "Devices hold addresses too" --------


def test_the_lan_dhcp_server_without_a_router_holds_the_first_address():
    lan = office_lan(gateway=None, internet=False)
    res = result(lab(vpc(static("s", "Ethernet", "192.168.11.1/24"), lan="Office LAN"), lans=[lan]))
    s = adapter(res, "s")
    assert s.state == "conflict"
    assert warning(s, "duplicate_ip") == (
        "192.168.11.1 is used twice on Office LAN (also by the DHCP server of Office LAN); "
        "the later one in the lab is disabled"
    )


def test_the_nat_gateway_holds_its_address():  # [NAT-2..4]
    res = result(lab(vpc(static("s", NAT, "192.168.131.254/24"))))
    s = adapter(res, "s")
    assert s.state == "conflict" and "(also by the NAT gateway of host1/Shared networking (NAT))" in warning(
        s, "duplicate_ip"
    )


def virtual_server_dhcp(*vms):
    dhcp = {"network": "10.237.0.0/16", "range": ["10.237.0.16", "10.237.0.20"], "server": "10.237.0.1"}
    network = {"name": "n", "kind": "internal", "dhcp": {**dhcp, "lease_seconds": 3600}}
    return lab({"name": "vs", "product": "virtual_server_2005_r2", "networks": [network], "vms": list(vms)})


def test_the_virtual_server_dhcp_server_holds_its_address():  # [VSD]
    s = adapter(result(virtual_server_dhcp(static("s", "n", "10.237.0.1/16"))), "s")
    assert s.state == "conflict"
    assert "(also by the Virtual Server DHCP server of vs/n)" in warning(s, "duplicate_ip")


def test_a_static_outside_the_subnet_a_segment_uses_is_flagged():  # [ST] subnet_mismatch where it has a subnet
    vs = adapter(result(virtual_server_dhcp(static("s", "n", "10.9.0.5/24"))), "s")
    assert warning(vs, "subnet_mismatch") == "10.9.0.5 lies outside 10.237.0.0/16, the subnet used on vs/n"
    nat = adapter(result(lab(vpc(static("s", NAT, "10.9.0.5/24")))), "s")
    assert warning_codes(nat) == ["subnet_mismatch", "static_outside_nat_range"]


# --- entry points -----------------------------------------------------------------------------------------------


def test_the_entry_points_give_the_simulations_result():  # [RES]
    data = lab(vpc(vm("a", NAT), vm("b", "Ethernet"), lan="Office LAN"), lans=[office_lan()], clock=None)
    doc = LabDocument.model_validate(data)
    now = datetime(2010, 2, 5, 9, 30, 15)
    res = simulate(doc, now)
    assert res.clock == "2010-02-05T09:30:15" and res == Simulation(doc, now).result()
    text, rows = simulate_json_after(doc, None, now)
    assert text == Simulation(doc, now).result_json() and rows is not None
    assert simulate_json_after(doc, rows, now)[0] == text
    with_clock = LabDocument.model_validate(lab(vpc(vm("a", NAT))))
    assert simulate_json(with_clock) == Simulation(with_clock).result_json()


def test_simulate_json_uses_the_time_it_is_given():  # [§3] clock absent: now
    doc = LabDocument.model_validate(lab(vpc(vm("a", NAT)), clock=None))
    assert '"clock":"2010-02-05T09:30:15"' in simulate_json(doc, datetime(2010, 2, 5, 9, 30, 15))


def test_unknown_targets_are_named():  # [API] unknown endpoints are refused, by name
    simulation = run(lab(vpc(vm("a", None))))
    with pytest.raises(KeyError, match="lan:Nowhere"):
        simulation.pairs_to(["internet", "lan:Nowhere"])


def test_a_vm_is_found_by_host_and_name():  # [§10] `--vm` takes `host/vm` where names repeat across hosts
    simulation = run(lab(vpc(vm("xp", None)), vpc(vm("xp", None), name="host2")))
    host, machine = simulation.find_vm("host2/xp")
    assert (host.name, machine.name) == ("host2", "xp")
    assert simulation.find_vm("host1/xp")[0].name == "host1"
    with pytest.raises(LookupError, match="several hosts"):
        simulation.find_vm("xp")
