"""The `table` format: a simulation result laid out for people in a terminal."""

from collections import Counter

from app.engine.result import AdapterResult, Reachability, SimulationResult

MATRIX_LIMIT = 40  # endpoints; beyond this a per-endpoint summary reads better than a grid
YES, NO, SELF = "Y", ".", "-"


def text_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _address(ip: str | None, prefix: int | None, state: str) -> str:
    if ip is None:
        return "-"
    text = f"{ip}/{prefix}"
    return f"{text} (disabled: conflict)" if state == "conflict" else text


def _adapter_row(adapter: AdapterResult) -> list[str]:
    network = f"{adapter.network} ({adapter.network_kind})" if adapter.network else "not connected"
    return [
        f"{adapter.host}/{adapter.vm}",
        str(adapter.index),
        network,
        adapter.source,
        _address(adapter.ip, adapter.prefix, adapter.state),
        adapter.gateway or "-",
        ", ".join(w.code for w in adapter.warnings) or "-",
    ]


def render_table(result: SimulationResult, vm: str | None = None) -> str:
    """`vm` (`host/vm`) narrows the adapters to that VM and the reachability to pairs it is part of."""
    adapters = [a for a in result.adapters if vm is None or f"{a.host}/{a.vm}" == vm]
    lines = [f"Lab: {result.lab}    clock: {result.clock}", "", "Adapters"]
    lines += text_table(
        ["VM", "Adapter", "Network", "Source", "Address", "Gateway", "Warnings"],
        [_adapter_row(a) for a in adapters],
    )
    if vm is None:
        host_rows = [
            [h.host, address.network, address.source, _address(address.ip, address.prefix, ""), address.gateway or "-"]
            for h in result.hosts
            for address in h.addresses
        ]
        if host_rows:
            lines += ["", "Host OS addresses"]
            lines += text_table(["Host", "Network", "Source", "Address", "Gateway"], host_rows)
    warnings = [(f"{a.host}/{a.vm} NIC {a.index}", w) for a in adapters for w in a.warnings]
    warnings += [("lab", w) for w in result.warnings] if vm is None else []
    if warnings:
        lines += ["", "Warnings"]
        lines += [f"  {where}: {w.code}: {w.message}" for where, w in warnings]
    lines += ["", *_reachability_summary(result, vm)]
    return "\n".join(lines) + "\n"


def _reachability_summary(result: SimulationResult, vm: str | None) -> list[str]:
    if result.reachability is None:
        return [
            f"Reachability: {len(result.endpoints)} endpoints are more than the full list covers; "
            "ask single pairs through the API."
        ]
    rows = result.reachability
    if vm is not None:
        endpoint = f"vm:{vm}"
        rows = [r for r in rows if endpoint in (r.from_, r.to)]
    reachable = sum(r.reachable for r in rows)
    lines = [f"Reachability: {reachable} of {len(rows)} ordered pairs can open a connection"]
    if vm is not None:
        lines += [_pair_line(r) for r in rows]
        return lines
    endpoints = result.endpoints
    if len(endpoints) <= MATRIX_LIMIT:
        lines += _matrix(endpoints, rows)
    else:
        reached = Counter(r.from_ for r in rows if r.reachable)
        lines += [f"  {e} reaches {reached[e]} of {len(endpoints) - 1}" for e in endpoints]
    reasons = Counter(r.reason.code for r in rows if r.reason is not None)
    if reasons:
        lines += ["", "Why pairs cannot connect (first failing reason)"]
        lines += [f"  {code:<26} {count}" for code, count in reasons.most_common()]
    return lines


def _pair_line(row: Reachability) -> str:
    if row.reachable:
        return f"  {row.from_} -> {row.to}: yes, {row.via}: {' > '.join(row.path)}"
    assert row.reason is not None
    return f"  {row.from_} -> {row.to}: no, {row.reason.code}: {row.reason.message}"


def _matrix(endpoints: list[str], rows: list[Reachability]) -> list[str]:
    reachable = {(r.from_, r.to) for r in rows if r.reachable}
    number_width = len(str(len(endpoints)))
    name_width = max(len(e) for e in endpoints)
    header = (
        " " * (number_width + 2 + name_width)
        + " "
        + " ".join(str(i).rjust(number_width) for i in range(1, len(endpoints) + 1))
    )
    lines = [f"  rows open connections to columns: {YES} yes, {NO} no", header]
    for i, source in enumerate(endpoints, start=1):
        cells = [
            (SELF if source == target else YES if (source, target) in reachable else NO).rjust(number_width)
            for target in endpoints
        ]
        lines.append(f"{str(i).rjust(number_width)}  {source.ljust(name_width)} {' '.join(cells)}")
    return lines
