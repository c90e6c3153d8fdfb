"""`ipconfig /all` as Windows Vista, 7 and Server 2008 / 2008 R2 print it, in English [W7R].

Where Windows draws a value at random or from its install (IPv6 interface ids, ISATAP GUIDs, DHCPv6 IAID
and DUID), SPEC §14.3 defines a stand-in derived from the MAC and the lab's clock, so the text is the
same every time a lab is rendered."""

import hashlib
from datetime import datetime, timedelta
from ipaddress import IPv6Address

from app.engine.guests import GuestFamily
from app.engine.ipconfig.lines import (
    ENGLISH_CONNECTION,
    FieldLines,
    Guest,
    english_date,
    global_block,
    numbered,
    numbered_description,
)
from app.engine.macs import apipa_candidates, mac_octets, mac_text
from app.engine.result import AdapterResult

INDENT = 3
COLON_COLUMN = 37
LINK_LOCAL_MASK = "255.255.0.0"
# Windows' well-known site-local resolvers, shown when an adapter has no DNS server [W7R-6].
FALLBACK_DNS = ["fec0:0:0:ffff::1%1", "fec0:0:0:ffff::2%1", "fec0:0:0:ffff::3%1"]
TUNNEL_MAC = "00-00-00-00-00-00-00-E0"
VISTA_TEREDO_MAC = "02-00-54-55-4E-01"
TEREDO = "Teredo Tunneling Pseudo-Interface"
VISTA_FIRST_TUNNEL_NUMBER = 6  # [W7R-9] assumed: captures show arbitrary numbers
DUID_EPOCH = datetime(2000, 1, 1)
DUID_INSTALL_AGE = timedelta(days=30)  # the stand-in dates the DUID a month before the lab's clock
FIRST_IFINDEX = 10


def render_vista_and_later(guest: Guest, family: GuestFamily) -> str:
    out = FieldLines(INDENT, COLON_COLUMN)
    put = out.put
    global_block(out, guest)

    duid = client_duid(guest.adapters[0].mac, guest.clock)
    for adapter in guest.adapters:
        out.heading(f"Ethernet adapter {numbered(ENGLISH_CONNECTION, adapter.index)}:")
        description = numbered_description(guest.product.later_adapter_description, adapter.index)
        if adapter.state == "not_connected":
            _disconnected(out, "", description, adapter.mac, dhcp=adapter.index not in guest.static_adapters)
            continue
        put("Connection-specific DNS Suffix", adapter.dns_suffix or "")
        put("Description", description)
        put("Physical Address", adapter.mac)
        put("DHCP Enabled", "Yes" if adapter.source in ("dhcp", "apipa") else "No")
        put("Autoconfiguration Enabled", "Yes")
        put("Link-local IPv6 Address", f"{link_local_ipv6(adapter.mac)}%{FIRST_IFINDEX + adapter.index}(Preferred)")
        _ipv4_lines(out, adapter)
        if adapter.lease_obtained and adapter.lease_expires:
            put("Lease Obtained", english_date(datetime.fromisoformat(adapter.lease_obtained)))
            put("Lease Expires", english_date(datetime.fromisoformat(adapter.lease_expires)))
        put("Default Gateway", adapter.gateway or "")
        if adapter.dhcp_server:
            put("DHCP Server", adapter.dhcp_server)
        if family != GuestFamily.VISTA:
            put("DHCPv6 IAID", str(dhcpv6_iaid(adapter.index, adapter.mac)))
            put("DHCPv6 Client DUID", duid)
        put("DNS Servers", adapter.dns_servers or FALLBACK_DNS)
        put("NetBIOS over Tcpip", "Enabled")

    for name, suffix, description, mac in tunnels(guest.adapters, family):
        out.heading(f"Tunnel adapter {name}:")
        _disconnected(out, suffix, description, mac, dhcp=False)
    return out.text()


def _ipv4_lines(out: FieldLines, adapter: AdapterResult) -> None:
    """[W7R-4]: a conflicting static address shows the link-local address Windows took instead."""
    if adapter.state == "conflict":
        out.put("Autoconfiguration IPv4 Address", f"{next(apipa_candidates(adapter.mac))}(Preferred)")
        out.put("Subnet Mask", LINK_LOCAL_MASK)
        out.put("IPv4 Address", f"{adapter.ip}(Duplicate)")
    elif adapter.source == "apipa":
        out.put("Autoconfiguration IPv4 Address", f"{adapter.ip}(Preferred)")
    else:
        out.put("IPv4 Address", f"{adapter.ip}(Preferred)")
    out.put("Subnet Mask", adapter.mask or "")


def _disconnected(out: FieldLines, suffix: str, description: str, mac: str, dhcp: bool) -> None:
    """The six lines of an adapter without media [W7R-5] [W7R-9]."""
    out.put("Media State", "Media disconnected")
    out.put("Connection-specific DNS Suffix", suffix)
    out.put("Description", description)
    out.put("Physical Address", mac)
    out.put("DHCP Enabled", "Yes" if dhcp else "No")
    out.put("Autoconfiguration Enabled", "Yes")


def tunnels(adapters: list[AdapterResult], family: GuestFamily) -> list[tuple[str, str, str, str]]:
    """(name, suffix, description, physical address) of each tunnel adapter, in print order [W7R-9]."""
    isatap: list[tuple[str, str]] = []  # (isatap.<suffix or GUID>, suffix line)
    named_after: set[str] = set()
    for adapter in adapters:
        suffix = (adapter.dns_suffix or "") if adapter.state != "not_connected" else ""
        if suffix and suffix not in named_after:
            named_after.add(suffix)
            isatap.append((f"isatap.{suffix}", suffix))
        else:
            isatap.append((f"isatap.{isatap_guid(adapter.mac)}", suffix))
    if family == GuestFamily.VISTA:
        described = [(name, suffix, TUNNEL_MAC) for name, suffix in isatap]
        described += [("6TO4 Adapter", "", TUNNEL_MAC), (TEREDO, "", VISTA_TEREDO_MAC)]
        return [
            (f"Local Area Connection* {number}", suffix, description, mac)
            for number, (description, suffix, mac) in enumerate(described, start=VISTA_FIRST_TUNNEL_NUMBER)
        ]
    found = [
        (name, suffix, numbered_description("Microsoft ISATAP Adapter", k), TUNNEL_MAC)
        for k, (name, suffix) in enumerate(isatap, start=1)
    ]
    if family == GuestFamily.SEVEN:
        found.append((TEREDO, "", TEREDO, TUNNEL_MAC))
    return found


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def link_local_ipv6(mac: str) -> str:
    """fe80:: + the first 8 bytes of SHA-256 over `ipv6:<MAC>`, in RFC 5952 form [W7R-8]."""
    interface_id = int.from_bytes(_digest(f"ipv6:{mac}")[:8], "big")
    return str(IPv6Address((0xFE80 << 112) | interface_id))


def isatap_guid(mac: str) -> str:
    """`{8-4-4-4-12}` from the first 16 bytes of SHA-256 over `isatap:<MAC>` [W7R-9]."""
    hexed = _digest(f"isatap:{mac}")[:16].hex().upper()
    return "{" + "-".join((hexed[:8], hexed[8:12], hexed[12:16], hexed[16:20], hexed[20:])) + "}"


def dhcpv6_iaid(index: int, mac: str) -> int:
    """((adapter index + 1) << 24) | the MAC's OUI [W7R-7]."""
    return ((index + 1) << 24) | int.from_bytes(mac_octets(mac)[:3], "big")


def client_duid(first_mac: str, clock: datetime) -> str:
    """DUID-LLT: type 1, hardware type 1, a time a month before the lab's clock, adapter 1's MAC [W7R-7]."""
    seconds = max(0, int((clock - DUID_INSTALL_AGE - DUID_EPOCH).total_seconds()))
    octets = bytes((0, 1, 0, 1)) + (seconds & 0xFFFF_FFFF).to_bytes(4, "big") + mac_octets(first_mac)
    return mac_text(octets)
