"""The diagram as a PNG image (`GET /labs/{id}/topology.png`): the same layout as the SVG, drawn with Pillow.

Bounded: a diagram is drawn at twice its size when that stays under `MAX_PIXELS`, smaller when even its own
size would not (a lab of hundreds of VMs), so that no export takes more than a few hundred megabytes of work.
"""

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.web.canvas import NODE_HEIGHT, NODE_NAME_CHARACTERS, Diagram

MAX_PIXELS = 24_000_000
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = Path(FONT_FILES[1 if bold else 0])
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def render_png(diagram: Diagram) -> bytes:
    scale = min(2.0, (MAX_PIXELS / max(1.0, diagram.width * diagram.height)) ** 0.5)
    size = (max(1, round(diagram.width * scale)), max(1, round(diagram.height * scale)))
    image = Image.new("RGB", size, "#f7f8fa")
    draw = ImageDraw.Draw(image)

    def at(x: float, y: float) -> tuple[float, float]:
        return ((x - diagram.min_x) * scale, (y - diagram.min_y) * scale)

    def line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float) -> None:
        draw.line([at(x1, y1), at(x2, y2)], fill=colour, width=max(1, round(width * scale)))

    def box(x: float, y: float, w: float, h: float, fill: str, outline: str, radius: float = 6) -> None:
        draw.rounded_rectangle([at(x, y), at(x + w, y + h)], radius=radius * scale, fill=fill, outline=outline,
                               width=max(1, round(1.5 * scale)))  # fmt: skip

    def write(x: float, y: float, value: str, size: int, colour: str = "#111827", bold: bool = False, anchor="ls"):
        draw.text(at(x, y), value, fill=colour, font=_font(max(6, round(size * scale)), bold), anchor=anchor)

    for host in diagram.hosts:
        box(host.x, host.y, host.width, host.height, "#ffffff", "#9ca3af", 12)
        if host.uplink:
            line(host.uplink[0], host.uplink[1], host.uplink[0], host.uplink[2], "#15803d", 2)
        write(host.x + 16, host.y + 24, host.title, 13, bold=True)
        write(host.x + 16, host.y + 42, host.detail, 11, "#4b5563")
    if diagram.internet:
        cx, cy = diagram.internet
        draw.ellipse([at(cx - 58, cy - 22), at(cx + 58, cy + 22)], fill="#ffffff", outline="#6b7280", width=2)
        write(cx, cy + 5, "internet", 13, "#374151", anchor="ms")
    for lan in diagram.lans:
        line(lan.x1, lan.y, lan.x2, lan.y, "#374151", 6)
        write(lan.x1, lan.y - 10, lan.title, 12, bold=True)
        write(lan.detail_x, lan.y - 10, lan.detail, 11, "#4b5563")
        if lan.router:
            rx, ry = lan.router
            line(rx, ry + 10, rx, lan.y, "#6b7280", 2)
            if lan.internet and diagram.internet:
                line(rx, ry - 10, diagram.internet[0] + 40, diagram.internet[1] + 16, "#6b7280", 1.5)
            box(rx - 55, ry - 10, 110, 20, "#e5e7eb", "#6b7280", 4)
            write(rx, ry + 4, lan.router_label, 10, anchor="ms")
    for bus in diagram.buses:
        line(bus.x1, bus.y, bus.x2, bus.y, bus.colour, 5)
        write(bus.x1, bus.y - 9, bus.title, 12, bus.colour, bold=True)
        write(bus.detail_x, bus.y - 9, bus.detail, 11, bus.colour)
        if bus.nat_gateway:
            gx, gy = bus.nat_gateway
            box(gx - 38, gy - 11, 76, 22, "#fff7ed", bus.colour, 5)
            write(gx, gy + 4, "NAT gw .254", 10, "#7c2d12", anchor="ms")
    for link in diagram.links:
        x1, y1, x2, y2 = link.wire
        line(x1, y1, x2, y2, link.colour, 2.5)
        r = 6
        draw.ellipse([at(x2 - r, y2 - r), at(x2 + r, y2 + r)], fill=link.colour)
        box(link.label.x, link.label.y, link.label.width, 16, "#ffffff", link.colour, 4)
        shown = ("⚠ " if link.warnings else "") + link.label.text
        write(link.label.x + 5, link.label.y + 12, shown, 11, "#b45309" if link.warnings else "#111827")
    for node in diagram.nodes:
        box(node.x, node.y, node.width, NODE_HEIGHT, "#ffffff", "#374151", 8)
        write(node.x + node.width / 2, node.y + 20, node.name[:NODE_NAME_CHARACTERS], 13, bold=True, anchor="ms")
        write(node.x + node.width / 2, node.y + 37, node.os_name, 11, "#4b5563", anchor="ms")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
