"""The lab as a picture: a server-rendered SVG of LANs, hosts, their networks, VMs and adapters' addresses.

This module only lays the picture out (boxes and labels with their coordinates); `templates/topology.svg`
writes it, autoescaped like every page, so that a name is always text and never markup.
"""

import re
from dataclasses import dataclass

from app.web.views import Workspace

KIND_COLOURS = {"internal": "#5b7bd5", "external": "#3c9b47", "nat": "#d98a25", "private": "#9158b0"}
SOURCE_COLOURS = {"dhcp": "#2f7d32", "apipa": "#b26a00", "static": "#1f5fa8", "none": "#777777"}
HOST_WIDTH, ZONE_HEIGHT, VM_HEIGHT, GAP = 360, 46, 22, 14

# Characters XML 1.0 does not allow in a document (escaping cannot carry them): shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    fill: str = "#fff"
    stroke: str = "none"
    stroke_width: int = 1
    rx: int = 0
    dashed: bool = False
    kind: str = "rect"


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: int = 12
    weight: str = "normal"
    fill: str = "#1d2330"
    kind: str = "text"


@dataclass(frozen=True)
class Picture:
    name: str
    width: float
    height: float
    items: list[Box | Label]


def _label(x: float, y: float, text: str, size: int = 12, weight: str = "normal", fill: str = "#1d2330") -> Label:
    return Label(x, y, _NOT_XML.sub("\ufffd", text), size, weight, fill)


def layout(ws: Workspace) -> Picture:
    """One column per host under a band of LANs; in each host its networks, and under each network the
    adapters attached to it with their addresses. Not-connected adapters are listed last."""
    items: list[Box | Label] = []
    y = 20
    items.append(_label(20, y, ws.name, 18, "bold"))
    y += 20
    lan_x = 20
    for lan in ws.lans:
        text = f"{lan.name} {lan.subnet}" + (f" · router {lan.router}" if lan.router else "")
        text += " · internet" if lan.internet else ""
        width = 12 + 7 * len(text)
        items.append(Box(lan_x, y, width, 26, stroke="#4a5568", stroke_width=2, rx=6))
        items.append(_label(lan_x + 8, y + 17, text, 12, "bold"))
        lan_x += width + GAP
    top = y + 26 + 2 * GAP
    tallest = top
    for column, host in enumerate(ws.hosts):
        x = 20 + column * (HOST_WIDTH + GAP)
        inner: list[Box | Label] = [_label(x + 10, top + 20, f"{host.name} — {host.product}", 13, "bold")]
        cursor = top + 32
        if host.lan:
            inner.append(_label(x + 10, cursor, f"on {host.lan}", 11, fill="#556"))
            cursor += 12
        for zone in host.zones:
            colour = KIND_COLOURS.get(zone.kind, "#777")
            height = ZONE_HEIGHT + VM_HEIGHT * len(zone.members)
            inner.append(Box(x + 10, cursor, HOST_WIDTH - 20, height, stroke=colour, stroke_width=2, rx=6, dashed=True))
            inner.append(_label(x + 18, cursor + 17, f"{zone.kind.upper()} {zone.name}", 12, "bold", colour))
            inner.append(_label(x + 18, cursor + 33, zone.addressing, 10, fill="#556"))
            for position, chip in enumerate(zone.members):
                row_y = cursor + ZONE_HEIGHT + position * VM_HEIGHT
                inner += _chip(x + 24, row_y, chip.hook, chip.result.ip, chip.result.prefix, chip.result.source)
            cursor += height + 8
        for chip in (chip for vm in host.vms for chip in vm.tray):
            inner += _chip(x + 24, cursor, chip.hook, None, None, "none")
            cursor += VM_HEIGHT
        height = cursor - top + 10
        items.append(Box(x, top, HOST_WIDTH, height, fill="#f8f9fb", stroke="#99a", rx=10))
        items += inner
        tallest = max(tallest, top + height)
    width = max(lan_x, 20 + len(ws.hosts) * (HOST_WIDTH + GAP)) + 20
    return Picture(_NOT_XML.sub("\ufffd", ws.name), width, tallest + 20, items)


def _chip(x: float, y: float, hook: str, ip: str | None, prefix: int | None, source: str) -> list[Box | Label]:
    address = f"{ip}/{prefix}" if ip else "not connected"
    return [
        Box(x, y, 6, 16, fill=SOURCE_COLOURS.get(source, "#777")),
        _label(x + 12, y + 12, f"{hook}  {address}  ({source})", 11),
    ]
