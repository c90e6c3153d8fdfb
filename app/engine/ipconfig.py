"""`ipconfig /all` as Windows XP prints it [IPC], in English or Japanese, XP or seed-article layout."""

from datetime import datetime
from enum import StrEnum

from app.engine.result import AdapterResult

FIELD_INDENT = 8


class Locale(StrEnum):
    EN = "en"
    JA = "ja"


class Layout(StrEnum):
    XP = "xp"  # the colon at column 42, as Windows XP prints it
    SEED = "seed"  # the colon at column 40, as the seed article shows it


COLON_COLUMN = {Layout.XP: 42, Layout.SEED: 40}
ADAPTER_NAME = {Locale.EN: "Local Area Connection", Locale.JA: "ローカル エリア接続"}
# English names whatever the machine's locale, as a Windows XP with English regional settings prints them.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CONFLICT_ADDRESS = "0.0.0.0"  # Windows disables an address another machine already holds


def field_line(label: str, value: str, colon_column: int) -> str:
    """Dots at even offsets from the label's start; labels ending in `Suffix` keep two spaces first."""
    colon_offset = colon_column - FIELD_INDENT
    quiet_until = len(label) + 2 if label.endswith("Suffix") else len(label)
    filler = "".join(" " if offset < quiet_until or offset % 2 else "." for offset in range(len(label), colon_offset))
    line = " " * FIELD_INDENT + label + filler + ":"
    return f"{line} {value}" if value else line


def format_date(moment: datetime, locale: Locale) -> str:
    if locale == Locale.JA:
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}:{moment:%M:%S}"
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    weekday, month = WEEKDAYS[moment.weekday()], MONTHS[moment.month - 1]
    return f"{weekday}, {month} {moment.day}, {moment.year} {hour}:{moment:%M:%S} {meridiem}"


def adapter_name(index: int, locale: Locale) -> str:
    base = ADAPTER_NAME[locale]
    return base if index == 1 else f"{base} {index}"


def render_ipconfig(
    hostname: str,
    adapters: list[AdapterResult],
    descriptions: list[str],
    ip_routing: bool,
    locale: Locale = Locale.EN,
    layout: Layout = Layout.XP,
) -> str:
    column = COLON_COLUMN[layout]
    lines: list[str] = []

    def put(label: str, value: str | list[str]) -> None:
        values = value if isinstance(value, list) else [value]
        lines.append(field_line(label, values[0] if values else "", column))
        lines.extend(" " * (column + 2) + more for more in values[1:])

    lines += ["", "Windows IP Configuration", ""]
    put("Host Name", hostname)
    put("Primary Dns Suffix", "")
    put("Node Type", "Hybrid")
    put("IP Routing Enabled", "Yes" if ip_routing else "No")
    put("WINS Proxy Enabled", "No")
    suffixes = list(dict.fromkeys(a.dns_suffix for a in adapters if a.state != "not_connected" and a.dns_suffix))
    if suffixes:
        put("DNS Suffix Search List", suffixes)

    for adapter, description in zip(adapters, descriptions, strict=True):
        lines += ["", f"Ethernet adapter {adapter_name(adapter.index, locale)}:", ""]
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
    return "\n".join(lines) + "\n"
