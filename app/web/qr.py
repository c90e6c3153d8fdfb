"""QR codes of the links a teacher hands out (segno: a maintained QR encoder, ISO/IEC 18004), drawn as inline SVG
that scales to any screen — a projector's included."""

import io

import segno
from markupsafe import Markup, escape


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code; `label` names it for screen readers."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    # No width or height: CSS sizes it. segno writes only paths and the title given (escaped here).
    code.save(out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True, nl=False, omitsize=True, svgclass="qr")
    svg = out.getvalue().decode()
    title = f"<title>{escape(label)}</title>"
    return Markup(svg.replace(">", f' role="img">{title}', 1))
