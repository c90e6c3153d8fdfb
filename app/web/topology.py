"""The lab as a picture: a server-rendered SVG of LANs, hosts, their networks, VMs and adapters' addresses."""

from xml.sax.saxutils import escape

from app.web.views import Workspace

KIND_COLOURS = {"internal": "#5b7bd5", "external": "#3c9b47", "nat": "#d98a25", "private": "#9158b0"}
SOURCE_COLOURS = {"dhcp": "#2f7d32", "apipa": "#b26a00", "static": "#1f5fa8", "none": "#777777"}
HOST_WIDTH, ZONE_HEIGHT, VM_HEIGHT, GAP = 360, 46, 22, 14


def _text(x: float, y: float, content: str, size: int = 12, weight: str = "normal", fill: str = "#1d2330") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'font-family="sans-serif">{escape(content)}</text>'
    )


def render_svg(ws: Workspace) -> str:
    """One column per host under a band of LANs; in each host its networks, and under each network the
    adapters attached to it with their addresses. Not-connected adapters are listed last."""
    parts: list[str] = []
    y = 20
    parts.append(_text(20, y, ws.name, 18, "bold"))
    y += 20
    lan_x = 20
    for lan in ws.lans:
        label = f"{lan.name} {lan.subnet}" + (f" · router {lan.router}" if lan.router else "")
        label += " · internet" if lan.internet else ""
        width = 12 + 7 * len(label)
        parts.append(
            f'<rect x="{lan_x}" y="{y}" width="{width}" height="26" rx="6" '
            'fill="#fff" stroke="#4a5568" stroke-width="2"/>'
        )
        parts.append(_text(lan_x + 8, y + 17, label, 12, "bold"))
        lan_x += width + GAP
    top = y + 26 + 2 * GAP
    tallest = top
    for column, host in enumerate(ws.hosts):
        x = 20 + column * (HOST_WIDTH + GAP)
        inner: list[str] = [_text(x + 10, top + 20, f"{host.name} — {host.product}", 13, "bold")]
        cursor = top + 32
        if host.lan:
            inner.append(_text(x + 10, cursor, f"on {host.lan}", 11, fill="#556"))
            cursor += 12
        for zone in host.zones:
            colour = KIND_COLOURS.get(zone.kind, "#777")
            height = ZONE_HEIGHT + VM_HEIGHT * len(zone.members)
            inner.append(
                f'<rect x="{x + 10}" y="{cursor}" width="{HOST_WIDTH - 20}" height="{height}" rx="6" '
                f'fill="#fff" stroke="{colour}" stroke-width="2" stroke-dasharray="5 3"/>'
            )
            inner.append(_text(x + 18, cursor + 17, f"{zone.kind.upper()} {zone.name}", 12, "bold", colour))
            inner.append(_text(x + 18, cursor + 33, zone.addressing, 10, fill="#556"))
            for position, chip in enumerate(zone.members):
                row_y = cursor + ZONE_HEIGHT + position * VM_HEIGHT
                inner.append(_chip(x + 24, row_y, chip.hook, chip.result.ip, chip.result.prefix, chip.result.source))
            cursor += height + 8
        tray = [chip for vm in host.vms for chip in vm.tray]
        for chip in tray:
            inner.append(_chip(x + 24, cursor, chip.hook, None, None, "none"))
            cursor += VM_HEIGHT
        height = cursor - top + 10
        parts.append(
            f'<rect x="{x}" y="{top}" width="{HOST_WIDTH}" height="{height}" rx="10" fill="#f8f9fb" stroke="#99a"/>'
        )
        parts.extend(inner)
        tallest = max(tallest, top + height)
    width = max(lan_x, 20 + len(ws.hosts) * (HOST_WIDTH + GAP)) + 20
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{tallest + 20}" '
        f'viewBox="0 0 {width} {tallest + 20}" role="img" aria-label="{escape(ws.name)} topology">'
        f'<rect width="100%" height="100%" fill="#f6f7f9"/>{"".join(parts)}</svg>'
    )


def _chip(x: float, y: float, hook: str, ip: str | None, prefix: int | None, source: str) -> str:
    colour = SOURCE_COLOURS.get(source, "#777")
    address = f"{ip}/{prefix}" if ip else "not connected"
    return f'<rect x="{x}" y="{y}" width="6" height="16" fill="{colour}"/>' + _text(
        x + 12, y + 12, f"{hook}  {address}  ({source})", 11
    )
