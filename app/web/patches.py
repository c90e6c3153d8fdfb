"""A change answers only what it changed: the page is a set of parts with ids (the diagram's LANs, hosts, buses,
VMs and links; the header, the matrix, the warnings), and the answer to a change holds the parts that differ
from the version the page showed, by digest, plus the ids of the parts that went.

The digests of each version's parts are kept (a few bytes per part) in the caches' byte budget; a page whose
version is not kept gets every part, and replaces what it had.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from app.api.simulation_cache import CacheBudget

DIGEST_BYTES = 12


@dataclass(frozen=True)
class PageParts:
    lab_id: int
    created_at: object  # with the id, tells a lab from a deleted one that had its id
    version: int
    svg: Mapping[str, str]  # part id → markup: the diagram's parts
    html: Mapping[str, str]  # part id → markup: the page's other parts
    # Parts inside the matrix's part (its cells, its count): sent alone when it is not sent whole; and what
    # that part's digest is taken of instead of its markup (its rows and columns, not its cells).
    inner: Mapping[str, str] = field(default_factory=dict)
    outer: str = ""
    skeleton: str = ""

    def digests(self) -> dict[str, bytes]:
        found = {
            key: _digest(self.skeleton if key == self.outer else value)
            for parts in (self.svg, self.html, self.inner)
            for key, value in parts.items()
        }
        return found


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=DIGEST_BYTES).digest()


def _key(lab_id: int, created_at: object, version: int) -> tuple:
    return ("page parts", lab_id, created_at, version)


def keep(budget: CacheBudget, parts: PageParts) -> dict[str, bytes]:
    digests = parts.digests()
    budget.put(_key(parts.lab_id, parts.created_at, parts.version), digests, 200 + len(digests) * 100)
    return digests


def patch(budget: CacheBudget, parts: PageParts, base: int | None, extra: str = "") -> Markup:
    """The parts that differ from version `base` of the page (all of them when it is not kept), as the page's
    script applies them (static/app.js); `extra`: markup added as it is (e.g. a panel)."""
    before: dict[str, bytes] | None = None
    if base is not None:
        before = budget.get(_key(parts.lab_id, parts.created_at, base))
    now = keep(budget, parts)
    if before is None:
        changed = set(now)
        removed: list[str] = []
    else:
        changed = {key for key, digest in now.items() if before.get(key) != digest}
        removed = [key for key in before if key not in now]
    svg = "".join(markup for key, markup in parts.svg.items() if key in changed)
    html = "".join(markup for key, markup in parts.html.items() if key in changed)
    if parts.outer not in changed:
        inner = [markup for key, markup in parts.inner.items() if key in changed]
        cells = "".join(markup for markup in inner if markup.startswith(("<td", "<th")))
        html += "".join(markup for markup in inner if not markup.startswith(("<td", "<th")))
        if cells:  # a table cell is only kept by the HTML parser inside a table
            html += f"<table data-cells><tbody><tr>{cells}</tr></tbody></table>"
    removed = [key for key in removed if key not in parts.inner]  # went with the part they were in
    return Markup(
        f'<div data-patch data-version="{parts.version}" data-full="{"true" if before is None else "false"}" '
        f'data-removed="{escape(" ".join(removed))}"><svg data-svg-parts>{svg}</svg>{html}{extra}</div>'
    )
