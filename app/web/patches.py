"""A change answers only what it changed: the page is a set of parts with ids (the diagram's LANs, hosts, buses,
VMs and links; the header, the warnings; the matrix and, inside it, its cells), and the answer to a change holds
the parts that differ from the version the page showed, by digest, plus the ids of the parts that went.

The digests of each version's parts are kept (a number per part) in the caches' byte budget; a page whose
version is not kept gets every part, and replaces what it had.

On a large lab a change answers without the matrix (working out every pair again is most of a change's time
there) and names where to fetch it: the page asks once its changes are all answered, saying which version its matrix
shows, and gets the cells that differ from that version's (`matrix_patch`; matrices' digests are kept per
version too). That request changes nothing kept, so an answer the page never applied misleads nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup, escape

from app.api.simulation_cache import CacheBudget

MATRIX = "matrix-section"


@dataclass(frozen=True)
class MatrixParts:
    markup: str  # the whole matrix part
    skeleton: str  # what its digest is taken of: its rows and columns, not its cells
    inner: Mapping[str, str]  # the parts inside it (cells, row headers, the count), by id

    @cached_property
    def _digests(self) -> dict[str, int]:
        return {MATRIX: _digest(self.skeleton), **{key: _digest(value) for key, value in self.inner.items()}}

    def digests(self) -> dict[str, int]:
        return self._digests


@dataclass(frozen=True)
class PageParts:
    lab_id: int
    created_at: object  # with the id, tells a lab from a deleted one that had its id
    version: int
    svg: Mapping[str, str]  # part id → markup: the diagram's parts
    html: Mapping[str, str]  # part id → markup: the page's other parts
    matrix: MatrixParts | None  # None: left for the page to fetch (a large lab's; see the module's doc)

    def digests(self) -> dict[str, int]:
        return {key: _digest(value) for parts in (self.svg, self.html) for key, value in parts.items()}


def _digest(text: str) -> int:
    # Digests are compared only within the process that kept them (each worker keeps its own), so Python's own
    # string hash does — ten times cheaper than a cryptographic one; a collision would only leave one part of
    # one page unsent until it changes again.
    return hash(text)


def _page_key(lab_id: int, created_at: object, version: int) -> tuple:
    return ("page parts", lab_id, created_at, version)


def _matrix_key(lab_id: int, created_at: object, version: int) -> tuple:
    return ("matrix parts", lab_id, created_at, version)


def _put(budget: CacheBudget, key: tuple, digests: dict[str, int]) -> None:
    budget.put(key, digests, 200 + len(digests) * 100)


def keep(budget: CacheBudget, parts: PageParts) -> None:
    """The page was sent whole, as `parts` (its matrix included)."""
    _put(budget, _page_key(parts.lab_id, parts.created_at, parts.version), parts.digests())
    if parts.matrix is not None:
        _put(budget, _matrix_key(parts.lab_id, parts.created_at, parts.version), parts.matrix.digests())


def patch(
    budget: CacheBudget, parts: PageParts, base: int | None, shown_matrix: int | None, extra: str = "", follow: str = ""
) -> Markup:
    """The parts that differ from version `base` of the page (all of them when it is not kept), as the page's
    script applies them (static/app.js); `extra`: markup added as it is (e.g. a panel); `follow`: where the
    page fetches the matrix, when the one it shows (version `shown_matrix`) is not this version's."""
    before = budget.get(_page_key(parts.lab_id, parts.created_at, base)) if base is not None else None
    now = parts.digests()
    _put(budget, _page_key(parts.lab_id, parts.created_at, parts.version), now)
    if before is None:
        changed = set(now)
        removed: list[str] = []
    else:
        changed = {key for key, digest in now.items() if before.get(key) != digest}
        removed = [key for key in before if key not in now]
    svg = "".join(markup for key, markup in parts.svg.items() if key in changed)
    html = "".join(markup for key, markup in parts.html.items() if key in changed)
    if parts.matrix is not None:  # a small lab's matrix comes along
        html += _matrix_markup(parts.matrix, _shown_matrix(budget, parts.lab_id, parts.created_at, shown_matrix))
        _put(budget, _matrix_key(parts.lab_id, parts.created_at, parts.version), parts.matrix.digests())
        after = f' data-matrix-version="{parts.version}"'
    else:
        after = f' data-follow="{escape(follow)}"' if follow and shown_matrix != parts.version else ""
    return Markup(
        f'<div data-patch data-version="{parts.version}" data-full="{"true" if before is None else "false"}" '
        f'data-removed="{escape(" ".join(removed))}"{after}><svg data-svg-parts>{svg}</svg>'
        f"{html}{extra}</div>"
    )


def _shown_matrix(budget: CacheBudget, lab_id: int, created_at: object, shown: int | None) -> dict[str, int] | None:
    return budget.get(_matrix_key(lab_id, created_at, shown)) if shown is not None else None


def matrix_patch(budget: CacheBudget, lab_id: int, created_at: object, shown: int | None, matrix: MatrixParts,
                 version: int) -> Markup:  # fmt: skip
    """The matrix's parts (of the lab's `version`) that differ from those of the matrix the page shows (of
    version `shown`; the whole matrix when that is not kept). The page keeps its version, and notes its
    matrix's."""
    before = _shown_matrix(budget, lab_id, created_at, shown)
    _put(budget, _matrix_key(lab_id, created_at, version), matrix.digests())
    html = _matrix_markup(matrix, before)
    return Markup(
        f'<div data-patch data-version="" data-matrix-version="{version}" data-full="false" data-removed="">'
        f"{html}</div>"
    )


def _matrix_markup(matrix: MatrixParts, shown: dict[str, int] | None) -> str:
    """The whole matrix when its rows or columns changed (or what the page shows is not known), else the parts
    inside it that changed."""
    now = matrix.digests()
    if shown is None or shown.get(MATRIX) != now[MATRIX]:
        return matrix.markup
    inner = [markup for key, markup in matrix.inner.items() if shown.get(key) != now[key]]
    cells = "".join(markup for markup in inner if markup.startswith(("<td", "<th")))
    html = "".join(markup for markup in inner if not markup.startswith(("<td", "<th")))
    if cells:  # a table cell is only kept by the HTML parser inside a table
        html += f"<table data-cells><tbody><tr>{cells}</tr></tbody></table>"
    return html
