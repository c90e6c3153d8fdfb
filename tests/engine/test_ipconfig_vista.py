"""`ipconfig /all` of Windows Vista, 7 and Server 2008 / 2008 R2 guests [W7R-1…W7R-13], and the XP family's
padded day [IPC]."""

import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings

from app.engine.guests import GuestFamily, guest_family
from app.engine.ipconfig import Layout, Locale
from app.engine.ipconfig.lines import field_line
from app.engine.ipconfig.vista import client_duid, dhcpv6_iaid, isatap_guid, link_local_ipv6
from app.engine.ipconfig.xp import format_date
from app.engine.macs import apipa_candidates
from app.engine.simulate import Simulation
from tests.engine.helpers import NAT, lab, run, static, vm
from tests.engine.test_properties import labs, valid

W7R13_CLOCK = "2009-11-02T08:05:09"
HOME_LAN = {
    "name": "Home",
    "subnet": "192.168.1.0/24",
    "gateway": "192.168.1.1",
    "dns_servers": ["192.168.1.1", "192.168.1.2"],
    "dns_suffix": "home",
    "dhcp": {"range": ["192.168.1.20", "192.168.1.99"]},
}
LATER = ["windows_vista", "windows_server_2008", "windows_7", "windows_server_2008_r2"]

W7R13 = """
Windows IP Configuration

   Host Name . . . . . . . . . . . . : win7-PC
   Primary Dns Suffix  . . . . . . . :
   Node Type . . . . . . . . . . . . : Hybrid
   IP Routing Enabled. . . . . . . . : No
   WINS Proxy Enabled. . . . . . . . : No
   DNS Suffix Search List. . . . . . : home

Ethernet adapter Local Area Connection:

   Connection-specific DNS Suffix  . : home
   Description . . . . . . . . . . . : Intel 21140-Based PCI Fast Ethernet Adapter (Emulated)
   Physical Address. . . . . . . . . : 00-03-FF-12-34-56
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes
   Link-local IPv6 Address . . . . . : fe80::5468:d455:a389:1603%11(Preferred)
   IPv4 Address. . . . . . . . . . . : 192.168.131.64(Preferred)
   Subnet Mask . . . . . . . . . . . : 255.255.255.0
   Lease Obtained. . . . . . . . . . : Monday, November 02, 2009 8:05:09 AM
   Lease Expires . . . . . . . . . . : Saturday, November 07, 2026 2:53:40 AM
   Default Gateway . . . . . . . . . : 192.168.131.254
   DHCP Server . . . . . . . . . . . : 192.168.131.254
   DHCPv6 IAID . . . . . . . . . . . : 33555455
   DHCPv6 Client DUID. . . . . . . . : 00-01-00-01-12-59-C2-35-00-03-FF-12-34-56
   DNS Servers . . . . . . . . . . . : 192.168.1.1
                                       192.168.1.2
   NetBIOS over Tcpip. . . . . . . . : Enabled

Ethernet adapter Local Area Connection 2:

   Media State . . . . . . . . . . . : Media disconnected
   Connection-specific DNS Suffix  . :
   Description . . . . . . . . . . . : Intel 21140-Based PCI Fast Ethernet Adapter (Emulated) #2
   Physical Address. . . . . . . . . : 00-03-FF-13-34-56
   DHCP Enabled. . . . . . . . . . . : Yes
   Autoconfiguration Enabled . . . . : Yes

Tunnel adapter isatap.home:

   Media State . . . . . . . . . . . : Media disconnected
   Connection-specific DNS Suffix  . : home
   Description . . . . . . . . . . . : Microsoft ISATAP Adapter
   Physical Address. . . . . . . . . : 00-00-00-00-00-00-00-E0
   DHCP Enabled. . . . . . . . . . . : No
   Autoconfiguration Enabled . . . . : Yes

Tunnel adapter isatap.{794FA30D-EB02-BFDF-143A-3AB0C52E6F2F}:

   Media State . . . . . . . . . . . : Media disconnected
   Connection-specific DNS Suffix  . :
   Description . . . . . . . . . . . : Microsoft ISATAP Adapter #2
   Physical Address. . . . . . . . . : 00-00-00-00-00-00-00-E0
   DHCP Enabled. . . . . . . . . . . : No
   Autoconfiguration Enabled . . . . : Yes

Tunnel adapter Teredo Tunneling Pseudo-Interface:

   Media State . . . . . . . . . . . : Media disconnected
   Connection-specific DNS Suffix  . :
   Description . . . . . . . . . . . : Teredo Tunneling Pseudo-Interface
   Physical Address. . . . . . . . . : 00-00-00-00-00-00-00-E0
   DHCP Enabled. . . . . . . . . . . : No
   Autoconfiguration Enabled . . . . : Yes
"""


def w7r13_lab(os: str = "windows_7", **vm_fields) -> dict:
    """SPEC §14.3's example: Windows Virtual PC, adapter 1 on the NAT (its first client), adapter 2 unplugged."""
    host = {
        "name": "pc",
        "product": "windows_virtual_pc",
        "lan": "Home",
        "nic_mac": "00-1B-FC-12-34-56",
        "vms": [vm("win7", NAT, None, hostname="win7-PC", os=os, **vm_fields)],
    }
    return lab(host, lans=[HOME_LAN], clock=W7R13_CLOCK)


def ipconfig(data: dict, vm_name: str, locale: Locale = Locale.EN, layout: Layout = Layout.XP) -> str:
    return run(data).ipconfig(vm_name, locale, layout)


def fields(text: str) -> list[tuple[str, str]]:
    """(label, value) of every field line, in order; a continuation line is ('', value)."""
    found = []
    for line in text.splitlines():
        if line.startswith(" " * 39) and line.strip():
            found.append(("", line.strip()))
        elif line.startswith("   ") and len(line) > 37 and line[37] == ":":
            found.append((re.sub(r"[ .]+$", "", line[3:37]), line[39:]))
    return found


def blocks(text: str) -> dict[str, list[tuple[str, str]]]:
    """Field lines of each adapter, by its header line."""
    found: dict[str, list[tuple[str, str]]] = {}
    current = None
    for chunk in re.split(r"\n(?=\n(?:Ethernet|Tunnel) adapter )", text):
        header = re.search(r"^(?:Ethernet|Tunnel) adapter .*:$", chunk, re.M)
        current = header.group(0) if header else "global"
        found[current] = fields(chunk)
    return found


def value(block: list[tuple[str, str]], label: str) -> str:
    (found,) = [v for name, v in block if name == label]
    return found


# [W7R-13] the example, byte for byte, and its Vista variant


def test_w7r13_windows_7_example_byte_for_byte():  # [W7R-13]
    assert ipconfig(w7r13_lab(), "win7") == W7R13


def test_w7r13_vista_variant():  # [W7R-13] [W7R-7] [W7R-9]
    text = ipconfig(w7r13_lab("windows_vista"), "win7")
    expected = W7R13.replace(
        "   DHCPv6 IAID . . . . . . . . . . . : 33555455\n"
        "   DHCPv6 Client DUID. . . . . . . . : 00-01-00-01-12-59-C2-35-00-03-FF-12-34-56\n",
        "",
    )
    expected = expected[: expected.index("\nTunnel adapter")]
    tunnels = [
        ("6", "home", "isatap.home", "00-00-00-00-00-00-00-E0"),
        ("7", "", "isatap.{794FA30D-EB02-BFDF-143A-3AB0C52E6F2F}", "00-00-00-00-00-00-00-E0"),
        ("8", "", "6TO4 Adapter", "00-00-00-00-00-00-00-E0"),
        ("9", "", "Teredo Tunneling Pseudo-Interface", "02-00-54-55-4E-01"),
    ]
    for number, suffix, description, mac in tunnels:
        expected += (
            f"\nTunnel adapter Local Area Connection* {number}:\n\n"
            "   Media State . . . . . . . . . . . : Media disconnected\n"
            f"   Connection-specific DNS Suffix  . :{' ' + suffix if suffix else ''}\n"
            f"   Description . . . . . . . . . . . : {description}\n"
            f"   Physical Address. . . . . . . . . : {mac}\n"
            "   DHCP Enabled. . . . . . . . . . . : No\n"
            "   Autoconfiguration Enabled . . . . : Yes\n"
        )
    assert text == expected


def test_windows_server_2008_prints_as_vista():  # [W7R-10] the Vista family
    assert ipconfig(w7r13_lab("windows_server_2008"), "win7") == ipconfig(w7r13_lab("windows_vista"), "win7")


# [W7R-1] field lines


W7R1_LABELS = """\
   Host Name . . . . . . . . . . . . :
   Primary Dns Suffix  . . . . . . . :
   Node Type . . . . . . . . . . . . :
   IP Routing Enabled. . . . . . . . :
   WINS Proxy Enabled. . . . . . . . :
   DNS Suffix Search List. . . . . . :
   Media State . . . . . . . . . . . :
   Connection-specific DNS Suffix  . :
   Description . . . . . . . . . . . :
   Physical Address. . . . . . . . . :
   DHCP Enabled. . . . . . . . . . . :
   Autoconfiguration Enabled . . . . :
   Link-local IPv6 Address . . . . . :
   IPv4 Address. . . . . . . . . . . :
   Autoconfiguration IPv4 Address. . :
   Subnet Mask . . . . . . . . . . . :
   Lease Obtained. . . . . . . . . . :
   Lease Expires . . . . . . . . . . :
   Default Gateway . . . . . . . . . :
   DHCP Server . . . . . . . . . . . :
   DHCPv6 IAID . . . . . . . . . . . :
   DHCPv6 Client DUID. . . . . . . . :
   DNS Servers . . . . . . . . . . . :
   Primary WINS Server . . . . . . . :
   Secondary WINS Server . . . . . . :
   NetBIOS over Tcpip. . . . . . . . :"""


@pytest.mark.parametrize("written", W7R1_LABELS.splitlines())
def test_w7r1_every_label_padded_with_the_colon_at_37(written):  # [W7R-1]
    label = re.sub(r"[ .]+:$", "", written.strip())
    assert field_line(label, "", 37, 3) == written
    assert field_line(label, "x", 37, 3) == written + " x"


def test_w7r1_second_values_sit_at_column_39():  # [W7R-1] [W7R-6]
    text = ipconfig(w7r13_lab(), "win7")
    assert "   DNS Servers . . . . . . . . . . . : 192.168.1.1\n" + " " * 39 + "192.168.1.2\n" in text


# [W7R-2] global block


def test_w7r2_global_block_without_suffix_names_the_vm_and_its_node_type():  # [W7R-2] [§14.1]
    data = lab(
        {"name": "hv", "product": "hyper_v", "networks": [{"name": "Priv", "kind": "private"}], "vms": []},
    )
    data["hosts"][0]["vms"] = [vm("srv", "Priv", os="windows_server_2008_r2", node_type="broadcast")]
    glob = blocks(ipconfig(data, "srv"))["global"]
    assert glob == [
        ("Host Name", "srv"),
        ("Primary Dns Suffix", ""),
        ("Node Type", "Broadcast"),
        ("IP Routing Enabled", "No"),
        ("WINS Proxy Enabled", "No"),
    ]


def test_w7r2_ics_vm_routes():  # [W7R-2] [SVC]
    host = {
        "name": "pc",
        "product": "windows_virtual_pc",
        "lan": "Home",
        "vms": [
            {
                "name": "gw",
                "os": "windows_7",
                "adapters": [{"network": "Ethernet"}, {"network": "Local only"}],
                "services": {"ics": {"public": 1, "private": 2}},
            }
        ],
    }
    glob = blocks(ipconfig(lab(host, lans=[HOME_LAN]), "gw"))["global"]
    assert ("IP Routing Enabled", "Yes") in glob
    assert [v for name, v in glob if name == "DNS Suffix Search List"] == ["home"]


def test_xp_family_prints_broadcast_node_type_too():  # [IPC] [§14.1]
    text = ipconfig(w7r13_lab("windows_xp", node_type="broadcast"), "win7")
    assert "        Node Type . . . . . . . . . . . . : Broadcast\n" in text


# [W7R-3] connected adapter order, [W7R-4] IPv4 lines, [W7R-6] DNS fallback


def test_w7r3_static_adapter_order_and_fallback_dns():  # [W7R-3] [W7R-6]
    host = {"name": "pc", "product": "virtual_pc_2007", "vms": [static("s", "Local only", "10.0.0.5/24")]}
    host["vms"][0]["os"] = "windows_7"
    block = blocks(ipconfig(lab(host), "s"))["Ethernet adapter Local Area Connection:"]
    assert [name for name, _ in block] == [
        "Connection-specific DNS Suffix",
        "Description",
        "Physical Address",
        "DHCP Enabled",
        "Autoconfiguration Enabled",
        "Link-local IPv6 Address",
        "IPv4 Address",
        "Subnet Mask",
        "Default Gateway",
        "DHCPv6 IAID",
        "DHCPv6 Client DUID",
        "DNS Servers",
        "",
        "",
        "NetBIOS over Tcpip",
    ]
    assert value(block, "DHCP Enabled") == "No" and value(block, "Autoconfiguration Enabled") == "Yes"
    assert value(block, "IPv4 Address") == "10.0.0.5(Preferred)" and value(block, "Default Gateway") == ""
    assert [v for _, v in block[-4:-1]] == ["fec0:0:0:ffff::1%1", "fec0:0:0:ffff::2%1", "fec0:0:0:ffff::3%1"]


def test_w7r3_lease_lines_come_before_the_gateway():  # [W7R-3]
    names = [name for name, _ in blocks(ipconfig(w7r13_lab(), "win7"))["Ethernet adapter Local Area Connection:"]]
    assert names.index("Lease Expires") + 1 == names.index("Default Gateway")
    assert names.index("Default Gateway") + 1 == names.index("DHCP Server")


def test_w7r4_apipa_address():  # [W7R-4] [LL-1]
    host = {"name": "pc", "product": "virtual_pc_2007", "vms": [vm("a", "Local only", os="windows_vista")]}
    block = blocks(ipconfig(lab(host), "a"))["Ethernet adapter Local Area Connection:"]
    address = run(lab(host)).result().adapters[0].ip
    assert value(block, "Autoconfiguration IPv4 Address") == f"{address}(Preferred)"
    assert value(block, "Subnet Mask") == "255.255.0.0" and value(block, "Default Gateway") == ""
    assert value(block, "DHCP Enabled") == "Yes"
    assert "IPv4 Address" not in [name for name, _ in block]


def test_w7r4_conflicting_static_prints_the_duplicate_pair():  # [W7R-4] [ST]
    first = static("first", "Local only", "10.0.0.5/24")
    second = static("second", "Local only", "10.0.0.5/16", gateway="10.0.0.1")
    second["os"] = "windows_7"
    data = lab({"name": "pc", "product": "virtual_pc_2007", "vms": [first, second]})
    simulation = run(data)
    mac = next(a.mac for a in simulation.result().adapters if a.vm == "second")
    block = blocks(simulation.ipconfig("second"))["Ethernet adapter Local Area Connection:"]
    seventh = block[6:10]
    assert seventh == [
        ("Autoconfiguration IPv4 Address", f"{next(apipa_candidates(mac))}(Preferred)"),
        ("Subnet Mask", "255.255.0.0"),
        ("IPv4 Address", "10.0.0.5(Duplicate)"),
        ("Subnet Mask", "255.255.0.0"),
    ]
    assert value(block, "Default Gateway") == "10.0.0.1"


def test_w7r4_conflict_keeps_the_static_mask():  # [W7R-4]
    first = static("first", "Local only", "10.0.0.5/24")
    second = static("second", "Local only", "10.0.0.5/24")
    second["os"] = "windows_server_2008_r2"
    block = blocks(ipconfig(lab({"name": "pc", "product": "virtual_pc_2007", "vms": [first, second]}), "second"))
    masks = [v for name, v in block["Ethernet adapter Local Area Connection:"] if name == "Subnet Mask"]
    assert masks == ["255.255.0.0", "255.255.255.0"]


# [W7R-5] not connected


def test_w7r5_unplugged_static_adapter_says_dhcp_no():  # [W7R-5]
    machine = {"name": "u", "os": "windows_7", "adapters": [{"address": {"ip": "10.0.0.5/24"}}, {}]}
    text = ipconfig(lab({"name": "pc", "product": "virtual_pc_2007", "vms": [machine]}), "u")
    parts = blocks(text)
    first, second = parts["Ethernet adapter Local Area Connection:"], parts["Ethernet adapter Local Area Connection 2:"]
    assert [name for name, _ in first] == [
        "Media State",
        "Connection-specific DNS Suffix",
        "Description",
        "Physical Address",
        "DHCP Enabled",
        "Autoconfiguration Enabled",
    ]
    assert value(first, "DHCP Enabled") == "No" and value(second, "DHCP Enabled") == "Yes"
    assert value(first, "Media State") == "Media disconnected"


# [W7R-7] DHCPv6 stand-ins, [W7R-8] link-local IPv6


def test_w7r7_iaid_examples():  # [W7R-7]
    assert dhcpv6_iaid(1, "00-03-FF-12-34-56") == 33555455
    assert dhcpv6_iaid(1, "00-15-5D-0A-0B-00") == 33559901
    assert dhcpv6_iaid(3, "00-15-5D-0A-0B-02") == (4 << 24) | 0x00155D


def test_w7r7_duid_is_dated_thirty_days_before_the_clock_and_never_negative():  # [W7R-7]
    assert client_duid("00-03-FF-12-34-56", datetime(2009, 11, 2, 8, 5, 9)) == (
        "00-01-00-01-12-59-C2-35-00-03-FF-12-34-56"
    )
    assert client_duid("00-03-FF-12-34-56", datetime(2000, 1, 31)) == "00-01-00-01-00-00-00-00-00-03-FF-12-34-56"
    assert client_duid("00-03-FF-12-34-56", datetime(2000, 1, 31, 0, 0, 1)).startswith("00-01-00-01-00-00-00-01-")
    assert client_duid("00-03-FF-12-34-56", datetime(1999, 5, 1)).startswith("00-01-00-01-00-00-00-00-")


def test_w7r7_every_adapter_shares_adapter_1s_duid_and_numbers_its_iaid():  # [W7R-7]
    machine = {"name": "m", "os": "windows_7", "adapters": [{"network": "Local only"}, {"network": NAT}]}
    simulation = run(lab({"name": "pc", "product": "virtual_pc_2007", "vms": [machine]}))
    macs = [a.mac for a in simulation.result().adapters]
    parts = blocks(simulation.ipconfig("m"))
    one, two = parts["Ethernet adapter Local Area Connection:"], parts["Ethernet adapter Local Area Connection 2:"]
    assert value(one, "DHCPv6 Client DUID") == value(two, "DHCPv6 Client DUID")
    assert value(two, "DHCPv6 Client DUID").endswith(macs[0])
    assert value(two, "DHCPv6 IAID") == str(dhcpv6_iaid(2, macs[1]))


def test_w7r8_link_local_example_and_interface_index():  # [W7R-8]
    assert link_local_ipv6("00-03-FF-12-34-56") == "fe80::5468:d455:a389:1603"
    machine = {"name": "m", "os": "windows_vista", "adapters": [{"network": "Local only"}, {"network": NAT}]}
    simulation = run(lab({"name": "pc", "product": "virtual_pc_2007", "vms": [machine]}))
    mac = simulation.result().adapters[1].mac
    two = blocks(simulation.ipconfig("m"))["Ethernet adapter Local Area Connection 2:"]
    assert value(two, "Link-local IPv6 Address") == f"{link_local_ipv6(mac)}%12(Preferred)"


def test_w7r8_written_in_rfc_5952_form():  # [W7R-8]
    for n in range(200):
        address = link_local_ipv6(f"00-15-5D-00-{n // 256:02X}-{n % 256:02X}")
        assert address.startswith("fe80::") and address == address.lower()
        assert not re.search(r"(^|:)0[0-9a-f]", address), address


# [W7R-9] tunnels, [W7R-10] versions


def tunnel_headers(text: str) -> list[str]:
    return re.findall(r"^Tunnel adapter (.*):$", text, re.M)


def test_w7r9_repeated_suffix_names_the_second_isatap_by_guid():  # [W7R-9]
    machine = {"name": "m", "os": "windows_7", "adapters": [{"network": NAT}, {"network": NAT}]}
    data = lab({"name": "pc", "product": "windows_virtual_pc", "lan": "Home", "vms": [machine]}, lans=[HOME_LAN])
    simulation = run(data)
    second_mac = simulation.result().adapters[1].mac
    text = simulation.ipconfig("m")
    assert tunnel_headers(text) == ["isatap.home", f"isatap.{isatap_guid(second_mac)}", TEREDO]
    second = blocks(text)[f"Tunnel adapter isatap.{isatap_guid(second_mac)}:"]
    assert value(second, "Connection-specific DNS Suffix") == "home"
    assert value(second, "Description") == "Microsoft ISATAP Adapter #2"


TEREDO = "Teredo Tunneling Pseudo-Interface"


def test_w7r9_w7r10_tunnels_per_version():  # [W7R-9] [W7R-10]
    guid_1, guid_2 = (isatap_guid(mac) for mac in ("00-15-5D-00-00-00", "00-15-5D-00-00-01"))
    machine = {"name": "m", "adapters": [{"network": "Priv"}, {}]}
    host = {"name": "hv", "product": "hyper_v", "networks": [{"name": "Priv", "kind": "private"}], "vms": [machine]}
    expected = {
        "windows_7": [f"isatap.{guid_1}", f"isatap.{guid_2}", TEREDO],
        "windows_server_2008_r2": [f"isatap.{guid_1}", f"isatap.{guid_2}"],
        "windows_vista": [f"Local Area Connection* {n}" for n in (6, 7, 8, 9)],
    }
    for os, headers in expected.items():
        machine["os"] = os
        text = ipconfig(lab(host), "m")
        assert tunnel_headers(text) == headers, os
        assert ("DHCPv6 IAID" in text) == (os != "windows_vista"), os
    vista = blocks(text)
    descriptions = [value(vista[f"Tunnel adapter Local Area Connection* {n}:"], "Description") for n in (6, 7, 8, 9)]
    assert descriptions == [f"isatap.{guid_1}", f"isatap.{guid_2}", "6TO4 Adapter", TEREDO]


def test_w7r10_dates_pad_the_day_not_the_hour():  # [W7R-10] [IPC]
    data = w7r13_lab()
    data["clock"] = "2010-02-05T21:30:15"
    block = blocks(ipconfig(data, "win7"))["Ethernet adapter Local Area Connection:"]
    assert value(block, "Lease Obtained") == "Friday, February 05, 2010 9:30:15 PM"


def test_xp_dates_pad_the_day():  # [IPC] XP prints `Friday, February 05, 2010 9:30:15 AM`
    assert format_date(datetime(2010, 2, 5, 9, 30, 15), Locale.EN) == "Friday, February 05, 2010 9:30:15 AM"
    assert format_date(datetime(2010, 2, 5, 9, 30, 15), Locale.JA) == "2010年2月5日 9:30:15"


# [W7R-11] descriptions


def test_w7r11_descriptions_by_product_and_family():  # [W7R-11]
    def description(product: str, os: str, networks: list | None) -> list[str]:
        machine = {"name": "m", "os": os, "adapters": [{}, {}]}
        host = {"name": "h", "product": product, "vms": [machine]}
        if networks is not None:
            host["networks"] = networks
        ethernet = ipconfig(lab(host), "m").split("\nTunnel adapter")[0]
        return re.findall(r"^ +Description[ .]*: (.*)$", ethernet, re.M)

    intel = "Intel 21140-Based PCI Fast Ethernet Adapter"
    assert description("virtual_server_2005_r2", "windows_7", []) == [f"{intel} (Emulated)", f"{intel} (Emulated) #2"]
    assert description("virtual_pc_2004", "windows_xp", None) == [f"{intel} (Generic)", f"{intel} (Generic) #2"]
    assert description("windows_virtual_pc", "windows_server_2008", None)[0] == f"{intel} (Emulated)"
    vmbus = "Microsoft Virtual Machine Bus Network Adapter"
    for os in ("windows_xp", "windows_vista", "windows_server_2008_r2"):
        assert description("hyper_v", os, []) == [vmbus, f"{vmbus} #2"]


# [W7R-12] flags


@pytest.mark.parametrize("os", LATER)
def test_w7r12_layout_and_locale_change_nothing_for_vista_and_later(os):  # [W7R-12]
    simulation = run(w7r13_lab(os))
    texts = {simulation.ipconfig("win7", locale, layout) for locale in Locale for layout in Layout}
    assert len(texts) == 1


def test_w7r12_layout_still_shapes_the_xp_family():  # [IPC] [W7R-12]
    simulation = run(w7r13_lab("windows_xp"))
    assert simulation.ipconfig("win7", Locale.EN, Layout.XP) != simulation.ipconfig("win7", Locale.EN, Layout.SEED)


# Properties over random labs


CONNECTED_ORDER = [
    "Connection-specific DNS Suffix",
    "Description",
    "Physical Address",
    "DHCP Enabled",
    "Autoconfiguration Enabled",
    "Link-local IPv6 Address",
    "IPv4",
    "Lease Obtained",
    "Lease Expires",
    "Default Gateway",
    "DHCP Server",
    "DHCPv6 IAID",
    "DHCPv6 Client DUID",
    "DNS Servers",
    "NetBIOS over Tcpip",
]
IPV4_SHAPES = [
    ["IPv4 Address", "Subnet Mask"],
    ["Autoconfiguration IPv4 Address", "Subnet Mask"],
    ["Autoconfiguration IPv4 Address", "Subnet Mask", "IPv4 Address", "Subnet Mask"],
]
DISCONNECTED = [
    "Media State",
    "Connection-specific DNS Suffix",
    "Description",
    "Physical Address",
    "DHCP Enabled",
    "Autoconfiguration Enabled",
]


def check_adapter_block(names: list[str], family: GuestFamily) -> None:
    """[W7R-3] order with the optional lines left out, [W7R-4] one of the IPv4 shapes, [W7R-5] six lines."""
    if names[0] == "Media State":
        assert names == DISCONNECTED
        return
    start = names.index("Link-local IPv6 Address") + 1
    end = names.index("Default Gateway") - (2 if "Lease Obtained" in names else 0)
    assert names[start:end] in IPV4_SHAPES
    collapsed = [*names[:start], "IPv4", *names[end:]]
    collapsed = [name for name in collapsed if name]  # continuation lines of DNS Servers
    required = set(CONNECTED_ORDER) - {"Lease Obtained", "Lease Expires", "DHCP Server"}
    if family == GuestFamily.VISTA:
        required -= {"DHCPv6 IAID", "DHCPv6 Client DUID"}
    assert collapsed == [name for name in CONNECTED_ORDER if name in required or name in collapsed]
    assert ("Lease Obtained" in names) == ("Lease Expires" in names) == ("DHCP Server" in names)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(labs())
def test_every_vista_and_later_text_keeps_its_columns_and_order(data):  # [W7R-1] [W7R-3] [W7R-5]
    for host in data["hosts"]:
        for machine in host["vms"]:
            if machine.get("os") not in LATER:
                machine["os"] = LATER[len(machine["adapters"]) % len(LATER)]
    document = valid(data)
    first, second = Simulation(document), Simulation(document)
    for host in document.hosts:
        for machine in host.vms:
            ref = f"{host.name}/{machine.name}"
            text = first.ipconfig(ref)
            assert text == second.ipconfig(ref)
            for line in text.splitlines():
                if line.startswith(" " * 39):  # a second value alone on its line
                    assert line[39] != " ", line
                elif line.startswith("   "):
                    assert line[37] == ":" and (len(line) == 38 or line[38] == " " != line[39]), line
            family = guest_family(machine.os)
            for header, block in blocks(text).items():
                if header.startswith("Ethernet"):
                    check_adapter_block([name for name, _ in block], family)
                elif header.startswith("Tunnel"):
                    assert [name for name, _ in block] == DISCONNECTED
