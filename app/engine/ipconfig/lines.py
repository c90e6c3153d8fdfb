"""What both `ipconfig /all` layouts share: field lines, English dates, connection names, and the guest."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.engine.document import NodeType, OperatingSystem
from app.engine.products import ProductRules
from app.engine.result import AdapterResult


class Locale(StrEnum):
    EN = "en"
    JA = "ja"


class Layout(StrEnum):
    XP = "xp"  # the colon at column 42, as Windows XP prints it
    SEED = "seed"  # the colon at column 40, as the seed article shows it


ENGLISH_CONNECTION = "Local Area Connection"
# English names whatever the machine's locale, as a Windows with English regional settings prints them.
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


@dataclass(frozen=True, slots=True)
class Guest:
    """One VM as its `ipconfig /all` sees it."""

    host_name: str
    os: OperatingSystem
    node_type: NodeType
    ip_routing: bool
    product: ProductRules
    adapters: list[AdapterResult]  # every adapter, in adapter order
    static_adapters: frozenset[int]  # indexes of the adapters configured with a static address
    clock: datetime  # the lab's clock: DHCPv6's DUID is dated from it [W7R-7]

    @property
    def search_suffixes(self) -> list[str]:
        """Distinct connection-specific suffixes of connected adapters, in adapter order."""
        return list(dict.fromkeys(a.dns_suffix for a in self.adapters if a.state != "not_connected" and a.dns_suffix))


class FieldLines:
    """Collects `label . . . : value` lines with the colon at one column [IPC] [W7R-1]."""

    def __init__(self, indent: int, colon_column: int) -> None:
        self.indent, self.colon_column = indent, colon_column
        self.lines: list[str] = []

    def put(self, label: str, value: str | list[str]) -> None:
        values = value if isinstance(value, list) else [value]
        self.lines.append(field_line(label, values[0] if values else "", self.colon_column, self.indent))
        self.lines.extend(" " * (self.colon_column + 2) + more for more in values[1:])

    def heading(self, text: str) -> None:
        self.lines += ["", text, ""]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def field_line(label: str, value: str, colon_column: int, indent: int = 8) -> str:
    """Dots at even offsets from the label's start; labels ending in `Suffix` keep two spaces first."""
    colon_offset = colon_column - indent
    quiet_until = len(label) + 2 if label.endswith("Suffix") else len(label)
    filler = "".join(" " if offset < quiet_until or offset % 2 else "." for offset in range(len(label), colon_offset))
    line = " " * indent + label + filler + ":"
    return f"{line} {value}" if value else line


def english_date(moment: datetime) -> str:
    """`dddd, MMMM dd, yyyy h:mm:ss tt`, e.g. `Friday, February 05, 2010 9:30:15 AM` [IPC] [W7R-10]."""
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    weekday, month = WEEKDAYS[moment.weekday()], MONTHS[moment.month - 1]
    return f"{weekday}, {month} {moment.day:02d}, {moment.year} {hour}:{moment:%M:%S} {meridiem}"


def numbered(base: str, index: int) -> str:
    """`base`, `base 2`, `base 3`, …: how Windows names the n-th connection."""
    return base if index == 1 else f"{base} {index}"


def numbered_description(description: str, index: int) -> str:
    """Adapter n >= 2 carries ` #n` [W7R-11]."""
    return description if index == 1 else f"{description} #{index}"


def node_type_text(node_type: NodeType) -> str:
    return str(node_type).capitalize()


def global_block(out: FieldLines, guest: Guest) -> None:
    """What both layouts print first, in the same order [IPC] [W7R-2]."""
    out.heading("Windows IP Configuration")
    out.put("Host Name", guest.host_name)
    out.put("Primary Dns Suffix", "")
    out.put("Node Type", node_type_text(guest.node_type))
    out.put("IP Routing Enabled", "Yes" if guest.ip_routing else "No")
    out.put("WINS Proxy Enabled", "No")
    if suffixes := guest.search_suffixes:
        out.put("DNS Suffix Search List", suffixes)
