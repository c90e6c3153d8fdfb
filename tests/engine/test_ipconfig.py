"""`ipconfig /all` [IPC]: Windows XP's layout, en/ja, and the seed article's two examples."""

import pytest

from app.engine.ipconfig import Layout, Locale
from app.engine.ipconfig.lines import field_line
from app.engine.ipconfig.xp import format_date
from app.engine.macs import apipa_candidates
from tests.engine.helpers import lab, office_lan, run, vm

BRIDGED = "Marvell Yukon 88E8055 PCI-E Gigabit Ethernet Controller"
SEED_NIC = {"nic": BRIDGED, "nic_mac": "00-1B-FC-91-5C-12"}


def seed_host(*vms):
    return {"name": "host1", "product": "virtual_pc_2007", "lan": "Office LAN", **SEED_NIC, "vms": list(vms)}


def test_field_line_columns():  # [IPC]
    assert field_line("Host Name", "x", 42) == "        Host Name . . . . . . . . . . . . : x"
    assert field_line("Host Name", "x", 40) == "        Host Name . . . . . . . . . . . : x"
    assert field_line("Primary Dns Suffix", "", 42) == "        Primary Dns Suffix  . . . . . . . :"
    assert field_line("Connection-specific DNS Suffix", "", 42) == "        Connection-specific DNS Suffix  . :"
    assert field_line("Connection-specific DNS Suffix", "", 40) == "        Connection-specific DNS Suffix  :"
    assert field_line("Autoconfiguration IP Address", "1", 42) == "        Autoconfiguration IP Address. . . : 1"
    for column in (40, 42):
        assert field_line("IP Routing Enabled", "No", column).index(":") == column


def test_dates():  # [IPC]
    from datetime import datetime

    moment = datetime(2009, 9, 15, 10, 4, 3)
    assert format_date(moment, Locale.EN) == "Tuesday, September 15, 2009 10:04:03 AM"
    assert format_date(moment, Locale.JA) == "2009年9月15日 10:04:03"
    assert format_date(datetime(2026, 9, 20, 4, 52, 34), Locale.EN) == "Sunday, September 20, 2026 4:52:34 AM"
    assert format_date(datetime(2026, 9, 20, 0, 5, 0), Locale.EN).endswith(" 12:05:00 AM")
    assert format_date(datetime(2026, 9, 20, 13, 5, 0), Locale.EN).endswith(" 1:05:00 PM")


def test_seed_first_example_local_only_ja():  # [IPC] layout=seed, locale=ja
    simulation = run(lab(seed_host(vm("xp1", "Local only", hostname="vpcwinxpsp3xxx")), lans=[office_lan()]))
    apipa = next(apipa_candidates("00-03-FF-91-5C-12"))
    expected = f"""
Windows IP Configuration

        Host Name . . . . . . . . . . . : vpcwinxpsp3xxx
        Primary Dns Suffix  . . . . . . :
        Node Type . . . . . . . . . . . : Hybrid
        IP Routing Enabled. . . . . . . : No
        WINS Proxy Enabled. . . . . . . : No

Ethernet adapter ローカル エリア接続:

        Connection-specific DNS Suffix  :
        Description . . . . . . . . . . : Intel 21140-Based PCI Fast Ethernet Adapter (Generic)
        Physical Address. . . . . . . . : 00-03-FF-91-5C-12
        Dhcp Enabled. . . . . . . . . . : Yes
        Autoconfiguration Enabled . . . : Yes
        Autoconfiguration IP Address. . : {apipa}
        Subnet Mask . . . . . . . . . . : 255.255.0.0
        Default Gateway . . . . . . . . :
"""
    assert simulation.ipconfig("xp1", Locale.JA, Layout.SEED) == expected


def test_seed_second_example_nat_ja():  # [IPC] [NAT-9]
    simulation = run(
        lab(seed_host(vm("xp1", "Shared networking (NAT)", hostname="vpcwinxpsp3xxx")), lans=[office_lan()])
    )
    expected = """
Windows IP Configuration

        Host Name . . . . . . . . . . . : vpcwinxpsp3xxx
        Primary Dns Suffix  . . . . . . :
        Node Type . . . . . . . . . . . : Hybrid
        IP Routing Enabled. . . . . . . : No
        WINS Proxy Enabled. . . . . . . : No
        DNS Suffix Search List. . . . . : example.com

Ethernet adapter ローカル エリア接続:

        Connection-specific DNS Suffix  : example.com
        Description . . . . . . . . . . : Intel 21140-Based PCI Fast Ethernet Adapter (Generic)
        Physical Address. . . . . . . . : 00-03-FF-91-5C-12
        Dhcp Enabled. . . . . . . . . . : Yes
        Autoconfiguration Enabled . . . : Yes
        IP Address. . . . . . . . . . . : 192.168.131.64
        Subnet Mask . . . . . . . . . . : 255.255.255.0
        Default Gateway . . . . . . . . : 192.168.131.254
        DHCP Server . . . . . . . . . . : 192.168.131.254
        DNS Servers . . . . . . . . . . : 192.168.11.4
                                          192.168.11.8
        Lease Obtained. . . . . . . . . : 2009年9月15日 10:04:03
        Lease Expires . . . . . . . . . : 2026年9月20日 4:52:34
"""
    assert simulation.ipconfig("xp1", Locale.JA, Layout.SEED) == expected


def test_xp_layout_english_static_and_disconnected_adapters():  # [IPC]
    static = {
        "network": BRIDGED,
        "address": {"ip": "192.168.11.50/24", "gateway": "192.168.11.1", "dns_servers": ["192.168.11.4"]},
    }
    simulation = run(lab(seed_host({"name": "xp1", "adapters": [static, {"network": None}]}), lans=[office_lan()]))
    text = simulation.ipconfig("xp1")
    assert text.splitlines()[3] == "        Host Name . . . . . . . . . . . . : xp1"
    assert "Ethernet adapter Local Area Connection:" in text
    assert (
        "        Dhcp Enabled. . . . . . . . . . . : No\n        IP Address. . . . . . . . . . . . : 192.168.11.50"
        in text
    )
    assert "Autoconfiguration Enabled" not in text and "Lease Obtained" not in text
    second = text.split("Ethernet adapter Local Area Connection 2:\n\n")[1]
    assert second.splitlines() == [
        "        Media State . . . . . . . . . . . : Media disconnected",
        "        Description . . . . . . . . . . . : Intel 21140-Based PCI Fast Ethernet Adapter (Generic) #2",
        "        Physical Address. . . . . . . . . : 00-03-FF-90-5C-12",
    ]


def test_conflicting_address_shows_as_zero():  # [ST] Windows disables it
    same = {"network": "Local only", "address": {"ip": "10.0.0.5/24"}}
    simulation = run(
        lab(seed_host({"name": "a", "adapters": [same]}, {"name": "b", "adapters": [same]}), lans=[office_lan()])
    )
    assert "IP Address. . . . . . . . . . . . : 0.0.0.0" in simulation.ipconfig("b")
    assert "IP Address. . . . . . . . . . . . : 10.0.0.5" in simulation.ipconfig("a")


def test_ics_vm_routes():  # [SVC]
    gateway = {
        "name": "gw",
        "adapters": [{"network": BRIDGED}, {"network": "Local only"}],
        "services": {"ics": {"public": 1, "private": 2}},
    }
    simulation = run(lab(seed_host(gateway), lans=[office_lan()]))
    assert "IP Routing Enabled. . . . . . . . : Yes" in simulation.ipconfig("gw")


def test_vm_lookup_by_name_or_host_and_name():
    two_hosts = lab(seed_host(vm("xp1", None)), {**seed_host(vm("xp1", None)), "name": "host2"}, lans=[office_lan()])
    simulation = run(two_hosts)
    with pytest.raises(LookupError, match="host1/xp1, host2/xp1"):
        simulation.ipconfig("xp1")
    assert "Host Name . . . . . . . . . . . . : xp1" in simulation.ipconfig("host2/xp1")
    with pytest.raises(LookupError, match="no VM 'nope'"):
        simulation.ipconfig("nope")
