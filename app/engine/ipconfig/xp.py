"""`ipconfig /all` as Windows XP prints it [IPC], in English or Japanese, XP or seed-article layout."""

from datetime import datetime

from app.engine.ipconfig.lines import (
    ENGLISH_CONNECTION,
    FieldLines,
    Guest,
    Layout,
    Locale,
    english_date,
    global_block,
    numbered,
    numbered_description,
)

INDENT = 8
COLON_COLUMN = {Layout.XP: 42, Layout.SEED: 40}
CONNECTION = {Locale.EN: ENGLISH_CONNECTION, Locale.JA: "ローカル エリア接続"}
CONFLICT_ADDRESS = "0.0.0.0"  # Windows XP disables an address another machine already holds


def format_date(moment: datetime, locale: Locale) -> str:
    if locale == Locale.JA:
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}:{moment:%M:%S}"
    return english_date(moment)


def render_xp(guest: Guest, locale: Locale, layout: Layout) -> str:
    out = FieldLines(INDENT, COLON_COLUMN[layout])
    put = out.put
    global_block(out, guest)

    for adapter in guest.adapters:
        out.heading(f"Ethernet adapter {numbered(CONNECTION[locale], adapter.index)}:")
        description = numbered_description(guest.product.adapter_description, adapter.index)
        if adapter.state == "not_connected":
            put("Media State", "Media disconnected")
            put("Description", description)
            put("Physical Address", adapter.mac)
            continue
        by_dhcp = adapter.source in ("dhcp", "apipa")
        put("Connection-specific DNS Suffix", adapter.dns_suffix or "")
        put("Description", description)
        put("Physical Address", adapter.mac)
        put("Dhcp Enabled", "Yes" if by_dhcp else "No")
        if by_dhcp:
            put("Autoconfiguration Enabled", "Yes")
        conflicted = adapter.state == "conflict"
        address_label = "Autoconfiguration IP Address" if adapter.source == "apipa" else "IP Address"
        put(address_label, CONFLICT_ADDRESS if conflicted else adapter.ip or "")
        put("Subnet Mask", CONFLICT_ADDRESS if conflicted else adapter.mask or "")
        put("Default Gateway", adapter.gateway or "")
        if adapter.dhcp_server:
            put("DHCP Server", adapter.dhcp_server)
        if adapter.dns_servers:
            put("DNS Servers", adapter.dns_servers)
        if adapter.lease_obtained:
            put("Lease Obtained", format_date(datetime.fromisoformat(adapter.lease_obtained), locale))
        if adapter.lease_expires:
            put("Lease Expires", format_date(datetime.fromisoformat(adapter.lease_expires), locale))
    return out.text()
