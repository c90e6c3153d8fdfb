"""What changed between two versions of a lab, in the user's terms (SPEC §11): the document by path, the
adapters whose network, address or source changed, the pairs gained and lost, and one line for people.

Documents are compared as `LabDocument.to_data()` gives them. Lists of named parts (LANs, hosts, networks,
VMs) are matched by name and adapters by their number, so a path reads `/hosts/host1/vms/xp-off/adapters/1/
network` rather than naming list positions that shift; a part whose only change is its name is a rename."""

import json
from dataclasses import dataclass
from typing import Any, Literal

from app.engine.simulate import MAX_LISTED_ENDPOINTS, Simulation

NAMED_LISTS = frozenset({"lans", "hosts", "networks", "vms"})
LISTS_OF_PARTS = NAMED_LISTS | {"adapters"}
SINGULAR = {"lans": "LAN", "hosts": "host", "networks": "network", "vms": "VM"}
SHOWN_PHRASES = 2
SHOWN_VALUE_LENGTH = 60
WHOLE_ROWS_PAST = 20  # compare whole rows when the single pairs to ask exceed 1/20 of all pairs

Op = Literal["added", "removed", "changed"]  # SPEC §11


@dataclass(frozen=True, slots=True)
class DocumentChange:
    path: tuple[str, ...]  # e.g. ("hosts", "host1", "vms", "xp-off", "adapters", "1", "network")
    op: Op
    before: Any
    after: Any

    @property
    def pointer(self) -> str:
        """The path as a JSON Pointer over names (`~` and `/` escaped as RFC 6901 does)."""
        return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in self.path)


def document_changes(before: dict[str, Any], after: dict[str, Any]) -> list[DocumentChange]:
    changes: list[DocumentChange] = []
    _compare((), before, after, changes)
    return changes


def _compare(path: tuple[str, ...], before: Any, after: Any, out: list[DocumentChange]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(key for key in after if key not in before)]:
            if key in LISTS_OF_PARTS:  # an empty list is left out of a document: it is still a list of parts
                _compare((*path, key), before.get(key, []), after.get(key, []), out)
            else:
                _compare_member((*path, str(key)), key in before, before.get(key), key in after, after.get(key), out)
        return
    key = path[-1] if path else ""
    if key in NAMED_LISTS and _all_named(before) and _all_named(after):
        _compare_named(path, before, after, out)
    elif key == "adapters" and isinstance(before, list) and isinstance(after, list):
        numbered = {str(n): item for n, item in enumerate(before, start=1)}
        renumbered = {str(n): item for n, item in enumerate(after, start=1)}
        _compare(path, numbered, renumbered, out)
    else:
        out.append(DocumentChange(path, "changed", before, after))


def _compare_member(
    path: tuple[str, ...], had: bool, before: Any, has: bool, after: Any, out: list[DocumentChange]
) -> None:
    if not had:
        out.append(DocumentChange(path, "added", None, after))
    elif not has:
        out.append(DocumentChange(path, "removed", before, None))
    else:
        _compare(path, before, after, out)


def _all_named(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(item, dict) and "name" in item for item in items)


def _compare_named(path: tuple[str, ...], before: list[dict], after: list[dict], out: list[DocumentChange]) -> None:
    old = {item["name"]: item for item in before}
    new = {item["name"]: item for item in after}
    gone = [name for name in old if name not in new]
    came = [name for name in new if name not in old]
    for name in list(gone):  # a part that differs only by its name was renamed: its name changed
        twin = next((n for n in came if {**new[n], "name": name} == old[name]), None)
        if twin is not None:
            out.append(DocumentChange((*path, name, "name"), "changed", name, twin))
            gone.remove(name)
            came.remove(twin)
    for name in gone:
        out.append(DocumentChange((*path, name), "removed", old[name], None))
    for name in came:
        out.append(DocumentChange((*path, name), "added", None, new[name]))
    for name in old:
        if name in new:
            _compare((*path, name), old[name], new[name], out)


# One line for people


def summarize(changes: list[DocumentChange]) -> str:
    """E.g. "xp-off: not connected → Shared networking (NAT)", "deleted host vs (2 VMs, 1 network)"."""
    phrases = [phrase for change in changes if (phrase := _phrase(change))]
    phrases = list(dict.fromkeys(phrases))
    if not phrases:
        return "no change"
    shown = "; ".join(phrases[:SHOWN_PHRASES])
    more = len(phrases) - SHOWN_PHRASES
    return shown if more <= 0 else f"{shown}; and {more} more change{'s' if more > 1 else ''}"


def _phrase(change: DocumentChange) -> str | None:
    path, op = change.path, change.op
    if len(path) >= 3 and path[-1] == "name" and path[-3] in NAMED_LISTS:
        return f"renamed {SINGULAR[path[-3]]} {change.before} → {change.after}"
    if len(path) >= 2 and path[-2] in NAMED_LISTS:
        return _part_phrase(path, op, change)
    if "adapters" in path:
        return _adapter_phrase(change)
    where = _where(path[:-1])
    field = path[-1]
    if field in ("x", "y"):  # a node's place on the canvas: x and y move together, one phrase for both
        return f"{where}: back to the automatic layout" if op == "removed" else f"moved {where}"
    label = f"{where}: {field}" if where else field
    if op == "added":
        return f"{label} set to {_shown(change.after)}"
    if op == "removed":
        return f"{label} cleared (was {_shown(change.before)})"
    return f"{label} {_shown(change.before)} → {_shown(change.after)}"


def _part_phrase(path: tuple[str, ...], op: Op, change: DocumentChange) -> str:
    kind, name = SINGULAR[path[-2]], path[-1]
    parent = path[-3] if len(path) >= 3 else None  # the host a network or VM belongs to
    if op == "added":
        return f"added {kind} {name}" + (f" on {parent}" if parent else "")
    if op == "removed":
        contents = _contents(change.before)
        return f"deleted {kind} {name}" + (f" from {parent}" if parent else "") + (f" ({contents})" if contents else "")
    return f"{kind} {name} changed"


def _contents(part: Any) -> str:
    """What went with a deleted part: "2 VMs, 1 network"."""
    if not isinstance(part, dict):
        return ""
    counts = []
    for key, noun in (("vms", "VM"), ("networks", "network"), ("adapters", "adapter")):
        items = part.get(key) or []
        if items and (key != "adapters" or len(items) > 1):
            counts.append(f"{len(items)} {noun}{'s' if len(items) > 1 else ''}")
    return ", ".join(counts)


def _adapter_phrase(change: DocumentChange) -> str | None:
    path = change.path
    at = path.index("adapters")
    vm = path[at - 1] if at >= 1 else "?"
    if len(path) == at + 2:  # a whole adapter
        number = path[at + 1]
        return f"{'added' if change.op == 'added' else 'removed'} adapter {vm}#{number}"
    number, field = path[at + 1], path[-1]
    chip = vm if number == "1" else f"{vm}#{number}"
    if field == "network":
        before = change.before if change.op != "added" else None
        after = change.after if change.op != "removed" else None
        return f"{chip}: {before or 'not connected'} → {after or 'not connected'}"
    if change.op == "added":
        return f"{chip}: {field} set to {_shown(change.after)}"
    if change.op == "removed":
        return f"{chip}: {field} back to its default (was {_shown(change.before)})"
    return f"{chip}: {field} {_shown(change.before)} → {_shown(change.after)}"


def _where(path: tuple[str, ...]) -> str:
    """The name of the part a path ends in: hosts/h1/vms/xp1 → xp1; the lab itself → ""."""
    names = [path[i + 1] for i, key in enumerate(path[:-1]) if key in NAMED_LISTS]
    return names[-1] if names else "/".join(path)


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = ", ".join(value) or "none"
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= SHOWN_VALUE_LENGTH else text[: SHOWN_VALUE_LENGTH - 1] + "…"


# Between two results


@dataclass(frozen=True, slots=True)
class AdapterChange:
    adapter: str  # host/vm#n
    before: dict[str, Any] | None  # {network, ip, source}; None: the adapter did not exist
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class LabDiff:
    summary: str
    document: list[DocumentChange]
    adapters: list[AdapterChange]
    gained: list[tuple[str, str]]
    lost: list[tuple[str, str]]
    pairs_listed: bool  # False when a version is over the pair-list cap: gained and lost are not worked out


def _adapter_states(simulation: Simulation) -> dict[str, dict[str, Any]]:
    return {
        f"{a.host}/{a.vm}#{a.index}": {"network": a.network, "ip": a.ip, "source": a.source}
        for a in simulation.overview().adapters
    }


def _gained_and_lost(was: Simulation, now: Simulation) -> tuple[list, list] | None:
    """The pairs that connect now and did not, and the reverse; None over the pair-list cap, where pairs are
    asked one by one instead. When both versions have the same endpoints, only what can differ is asked again:
    whole rows of the sources whose answers may have changed (their signature, or whatever they go out
    through), and for the other sources the columns of the targets whose signature changed — as
    `Simulation.pair_rows_after` rebuilds a version's rows."""
    if max(len(was.endpoints), len(now.endpoints)) > MAX_LISTED_ENDPOINTS:
        return None
    old, new = was.reachability, now.reachability
    order = now.endpoints
    if was.endpoints == order:
        changed = [e for e in order if old.signature(e) != new.signature(e)]
        fresh = [
            source
            for source in order
            if source in changed
            or old.upstreams(source) != new.upstreams(source)
            or not new.upstreams(source).isdisjoint(changed)
        ]
    # Pairs asked one at a time cost several times what whole rows cost: past a few columns, compare everything.
    if was.endpoints != order:
        reached = {(s, t) for s, t, outcome in old.all_pairs() if outcome.reachable}
        reaches = {(s, t) for s, t, outcome in new.all_pairs() if outcome.reachable}
        return sorted(reaches - reached), sorted(reached - reaches)
    if len(changed) * (len(order) - len(fresh)) > len(order) ** 2 // WHOLE_ROWS_PAST:
        fresh, changed = list(order), []
    gained: list[tuple[str, str]] = []
    lost: list[tuple[str, str]] = []
    if fresh:
        for (source, answers), (_, previously) in zip(new.rows(fresh), old.rows(fresh), strict=True):
            for (target, outcome), (_, previous) in zip(answers, previously, strict=True):
                if outcome.reachable != previous.reachable:
                    (gained if outcome.reachable else lost).append((source, target))
    chosen = set(fresh)
    for source in order:
        if source in chosen:
            continue
        for target in changed:
            if target != source:
                reaches = new.pair(source, target).reachable
                if reaches != old.pair(source, target).reachable:
                    (gained if reaches else lost).append((source, target))
    return sorted(gained), sorted(lost)


def diff_labs(before: dict[str, Any], after: dict[str, Any], was: Simulation, now: Simulation) -> LabDiff:
    """`before` and `after`: two versions' documents as data; `was` and `now`: their simulations."""
    changes = document_changes(before, after)
    old, new = _adapter_states(was), _adapter_states(now)
    adapters = [
        AdapterChange(key, old.get(key), new.get(key))
        for key in [*old, *(key for key in new if key not in old)]
        if old.get(key) != new.get(key)
    ]
    pairs = _gained_and_lost(was, now)
    listed = pairs is not None
    gained, lost = pairs if pairs is not None else ([], [])
    parts = [summarize(changes)] if changes else ["no change to the document"]
    addresses = sum(1 for a in adapters if a.before and a.after and a.before["ip"] != a.after["ip"])
    if addresses:
        parts.append(f"{addresses} address{'es' if addresses > 1 else ''} changed")
    if listed and (gained or lost):
        parts.append(", ".join(f"{n} pair{'s' if n != 1 else ''} {word}" for n, word in _counts(gained, lost)))
    elif not listed:
        parts.append("pairs not compared (over the pair-list cap)")
    return LabDiff("; ".join(parts), changes, adapters, gained, lost, listed)


def _counts(gained: list, lost: list) -> list[tuple[int, str]]:
    return [(len(items), word) for items, word in ((gained, "gained"), (lost, "lost")) if items]
