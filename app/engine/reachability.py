"""Who can open a connection to whom [R 5.2], with the way it goes or the first reason it fails.

A pair of endpoints is decided by their interfaces: a shared segment and subnet (direct), or the
source's default gateway and what that gateway forwards to (a LAN router to the internet; Virtual PC's
NAT to what the host OS reaches; ICS to what its public adapter reaches).

Work is shared, not repeated pair by pair: each interface's way out (its gateway, or why it has none)
is worked out once; answers for whole endpoint pairs are memoized, so every NAT guest reuses its host's
answer; and messages are written only for the failures that are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.engine.result import Reason
from app.engine.segments import INTERNET
from app.engine.topology import Endpoint, Forwarder, ForwarderKind, Nic, Segment, Topology

REASON_ORDER = (
    "not_connected",
    "no_address",
    "different_segment",
    "vlan_mismatch",
    "nat_guest_isolation",
    "host_not_on_segment",
    "mgmt_os_not_shared",
    "subnet_mismatch",
    "no_gateway",
    "link_local_not_routed",
    "static_outside_nat_range",
    "duplicate_ip",
    "nat_inbound_blocked",
    "no_internet_uplink",
)
_RANK = {code: rank for rank, code in enumerate(REASON_ORDER)}
# Why two interfaces share no segment, when that says more than a failed gateway attempt does.
_TELLING_STRUCTURE = frozenset(
    {
        "subnet_mismatch",
        "nat_guest_isolation",
        "vlan_mismatch",
        "mgmt_os_not_shared",
        "host_not_on_segment",
        "nat_inbound_blocked",
    }
)
# Failures at the source's own gateway: the structural reason explains more.
_SOURCE_SIDE = frozenset({"no_gateway", "link_local_not_routed"})

_MESSAGES = {
    "internet_inbound": "nothing on the internet can open a connection into the lab: every way in passes a NAT",
    "not_connected": "{0} has no connected adapter",
    "no_address": "{0} has no usable address",
    "duplicate_ip": "{0}'s address {1} is used twice on {2}, so Windows disabled it",
    "subnet_mismatch": "{0} ({1}) and {2} ({3}) share {4} but not a subnet",
    "nat_guest_isolation": "Virtual PC's NAT keeps its guests apart: each sits alone with the NAT gateway [NAT-5]",
    "nat_inbound_blocked": "{0} is behind NAT; nothing outside it can open a connection in",
    "vlan_mismatch": "{0} and {1} are different VLANs of {2}",
    "host_not_on_segment": "{0} OS has no adapter on {1}",
    "mgmt_os_not_shared": "the external network of {0} does not share its NIC with the management OS "
    "(management_os: false), so {0} OS is not on {1}",
    "different_segment": "{0} and {1} are separate segments, and no gateway leads from one to the other",
    "link_local_not_routed": "the adapter has only a link-local (APIPA) address on {0}, and such addresses are "
    "never routed [LL-4]",
    "no_gateway": "the adapter has no default gateway on {0}",
    "gateway_not_router": "the default gateway {0} is no router on {1}",
    "static_outside_nat_range": "Virtual PC's NAT translates only guests at 192.168.131.64–.191 that use gateway "
    "192.168.131.254; this adapter's static address is not one of them [NAT-6]",
    "no_internet": "{0} has no internet access (internet: false)",
    "nat_loop": "{0} leads back to where it started",
    "forwarded": "through {0}, {1} cannot reach it: {2}",
}


# ICS chains longer than this are worked out from their far end (see `_beyond_ics`).
_WARM_FROM_FAR_END = 16
_NOTHING_VISITED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Chain:
    steps: tuple[tuple[Nic, str], ...]  # each next public adapter on the way out, and its VM
    endpoints: frozenset[str]  # every endpoint met on the way out
    loops: bool  # the way out comes back to an endpoint met before


# A path longer than this is shown as its first and last steps with a count of those between: a chain of ICS
# gateways makes paths of hundreds of steps, which nobody reads and which would make the result hundreds of
# megabytes.
MAX_SHOWN_STEPS = 40
SHOWN_HEAD, SHOWN_TAIL = 20, 19


class Outcome:
    """One answer: reachable with `via` and `path`, or the failing reason `code` and the path so far.

    Paths through NATs extend the answer beyond the NAT: such a path is kept as (steps before it, that answer)
    and written out only when asked for, so a chain of N gateways does not copy N long paths for every source."""

    __slots__ = (
        "_base",
        "_first",
        "_head",
        "_message",
        "_path",
        "_prefix",
        "_reason",
        "_tail",
        "code",
        "detail",
        "json_tail",
        "length",
        "reachable",
        "template",
        "via",
    )

    def __init__(
        self,
        reachable: bool,
        via: str | None,
        code: str | None,
        path: tuple[str, ...] | None,
        template: str | None = None,
        detail: tuple = (),
    ):
        self.reachable = reachable
        self.via = via
        self.code = code
        self.template = template
        self.detail = detail
        self._message: str | None = None
        self._reason: Reason | None = None
        self.json_tail: str | None = None  # the serialized end of a result row, written once
        self._path = path
        self._prefix: tuple[str, ...] = ()  # with _base: the path is _prefix + _base's path
        self._first: str | None = None  # with _base: the path is _base's with this first step
        self._base: Outcome | None = None
        self._head: tuple[str, ...] | None = None
        self._tail: tuple[str, ...] | None = None
        self.length = len(path) if path is not None else 0

    @classmethod
    def through(cls, hop: tuple[str, ...], beyond: Outcome) -> Outcome:
        """Reachable through a NAT: the hop to it, then what lies beyond it."""
        outcome = cls(True, "nat", None, None)
        outcome._prefix, outcome._base, outcome.length = hop, beyond, len(hop) + beyond.length
        return outcome

    @property
    def path(self) -> tuple[str, ...]:
        if self._path is None:
            base = self._base
            assert base is not None
            self._path = (self._first, *base.path[1:]) if self._first is not None else self._prefix + base.path
        return self._path

    def first_step(self) -> str:
        if self._path is not None:
            return self._path[0]
        if self._first is not None:
            return self._first
        return self._prefix[0] if self._prefix else self._base.first_step()  # type: ignore[union-attr]

    def shown_path(self) -> tuple[str, ...]:
        """The path as results show it: whole, or its first and last steps around a count of the others."""
        if self.length <= MAX_SHOWN_STEPS:
            return self.path
        return (*self.head(), elided_steps(self.length), *self.tail())

    def head(self) -> tuple[str, ...]:
        """The first SHOWN_HEAD steps of a long path."""
        if self._head is None:
            if self._path is not None:
                self._head = self._path[:SHOWN_HEAD]
            elif self._first is not None:
                self._head = (self._first, *self._base.head()[1:])  # type: ignore[union-attr]
            else:
                self._head = (self._prefix + self._base.head())[:SHOWN_HEAD]  # type: ignore[union-attr]
        return self._head

    def tail(self) -> tuple[str, ...]:
        """The last SHOWN_TAIL steps of a long path: the same as the path it extends, whenever that is long."""
        if self._tail is None:
            base = self._base
            if self._path is not None or base is None:
                self._tail = self.path[-SHOWN_TAIL:]
            elif base.length > SHOWN_TAIL:
                self._tail = base.tail()
            else:
                self._tail = (self._prefix + base.path)[-SHOWN_TAIL:]
        return self._tail

    @property
    def message(self) -> str | None:
        if self._message is None and self.template is not None:
            self._message = _MESSAGES[self.template].format(*[_text(part) for part in self.detail])
        return self._message

    def starting_at(self, label: str) -> Outcome:
        """The same answer for another source alike: only the first step of the path differs."""
        twin = Outcome(self.reachable, self.via, self.code, None, self.template, self.detail)
        twin._message, twin._reason = self.message, self.reason()
        twin._first, twin._base, twin.length = label, self, self.length
        return twin

    def reason(self) -> Reason | None:
        """The result's `reason`; one object for every row that shares this outcome."""
        if self._reason is None and not self.reachable:
            self._reason = Reason(self.code or "", self.message or "")
        return self._reason


def elided_steps(length: int) -> str:
    return f"… {length - SHOWN_HEAD - SHOWN_TAIL} more steps …"


def _text(part: object) -> str:
    return (part.message or "") if isinstance(part, Outcome) else str(part)


def _ok(via: str, path: tuple[str, ...]) -> Outcome:
    return Outcome(True, via, None, path)


def _fail(code: str, path: tuple[str, ...], *detail: object, template: str | None = None) -> Outcome:
    return Outcome(False, None, code, path, template or code, detail)


class _EndpointView:
    """What pair evaluation needs of an endpoint, worked out once."""

    __slots__ = (
        "_apart_index",
        "by_segment",
        "connected",
        "endpoint",
        "layout",
        "layout_number",
        "name",
        "segments",
        "unusable",
        "usable",
    )

    def __init__(self, endpoint: Endpoint, is_upstream: bool):
        self.endpoint = endpoint
        self.name = _name(endpoint)
        self.connected = [nic for nic in endpoint.nics if nic.segment is not None]
        self.usable = [nic for nic in self.connected if nic.usable]
        self.unusable = None if self.usable or not self.connected else _unusable(self.name, self.connected)
        self.segments = frozenset(id(nic.segment) for nic in self.usable)
        # A source interface finds the target's interfaces on its own segment without scanning them all (a
        # Hyper-V host has one per internal network).
        self.by_segment: dict[int, list[Nic]] = {}
        for nic in self.usable:
            self.by_segment.setdefault(id(nic.segment), []).append(nic)
        self._apart_index: _ApartIndex | None = None
        # What an answer about this endpoint depends on when no path reaches its segments: which segments
        # it is on (NAT guests of one network alike), and who it is when it is a host or a NAT's upstream.
        self.layout = (
            tuple(nic.segment.nat_network or id(nic.segment) for nic in self.usable),  # type: ignore[union-attr]
            endpoint.id if endpoint.absent_from or is_upstream or endpoint.id.startswith("host:") else None,
        )
        self.layout_number = -1  # the layout's number in its engine: a cheaper key than the layout

    def apart_index(self) -> _ApartIndex:
        if self._apart_index is None:
            self._apart_index = _ApartIndex(self.usable)
        return self._apart_index


class _ApartIndex:
    """The positions of an endpoint's usable interfaces by what `_apart_code` compares of their segments: of a
    segment apart from the source's, all but these few give the same reason."""

    __slots__ = ("behind_nat", "by_nat_network", "by_network_key")

    def __init__(self, usable: list[Nic]):
        self.by_network_key: dict[str, list[int]] = {}
        self.by_nat_network: dict[str, list[int]] = {}
        self.behind_nat: list[int] = []
        for position, nic in enumerate(usable):
            segment = nic.segment
            assert segment is not None
            self.by_network_key.setdefault(segment.network_key, []).append(position)
            if segment.nat_network is not None:
                self.by_nat_network.setdefault(segment.nat_network, []).append(position)
            if segment.behind_nat:
                self.behind_nat.append(position)

    def telling(self, here: Segment) -> set[int]:
        """The positions whose reason may differ from the rest's: on the same network as `here` (its own
        segment included), of its NAT network, or behind a NAT."""
        positions = set(self.by_network_key.get(here.network_key, ()))
        if here.nat_network is not None:
            positions.update(self.by_nat_network.get(here.nat_network, ()))
        positions.update(self.behind_nat)
        return positions

    def near(self, others: list[Nic]) -> set[int]:
        """The positions on the network, or NAT network, of one of `others`: seen from those, their reasons may
        differ from the rest's."""
        positions: set[int] = set()
        for other in others:
            segment = other.segment
            assert segment is not None
            positions.update(self.by_network_key.get(segment.network_key, ()))
            if segment.nat_network is not None:
                positions.update(self.by_nat_network.get(segment.nat_network, ()))
        return positions


class _Structure:
    """Why an interface and a target share no segment and subnet, as its rank; the failure itself is written only
    if it is the one reported: a source with hundreds of interfaces weighs hundreds of these per target."""

    __slots__ = ("_outcome", "a", "b", "here", "nic", "other", "rank")

    def __init__(self, rank: int, nic: Nic, here: Segment, a: Endpoint, other: Nic, b: Endpoint):
        self.rank, self.nic, self.here, self.a, self.other, self.b = rank, nic, here, a, other, b
        self._outcome: Outcome | None = None

    @property
    def code(self) -> str:
        return REASON_ORDER[self.rank]

    def outcome(self) -> Outcome:
        if self._outcome is None:
            self._outcome = _explain(self.code, self.nic, self.here, self.a, self.other, self.b)
        return self._outcome


class ReachabilityEngine:
    def __init__(self, topology: Topology):
        self.endpoints: dict[str, Endpoint] = {e.id: e for e in topology.endpoints}
        self.endpoint_ids: list[str] = [e.id for e in topology.endpoints] + [INTERNET]
        upstreams = {
            forwarder.upstream_endpoint for segment in topology.segments for forwarder in segment.forwarders.values()
        }
        self._views = {e.id: _EndpointView(e, e.id in upstreams) for e in topology.endpoints}
        layout_numbers: dict[tuple, int] = {}
        for view in self._views.values():
            view.layout_number = layout_numbers.setdefault(view.layout, len(layout_numbers))
        self._exits: dict[int, _WayOut] = {}
        self._memo: dict[tuple[str, str], Outcome] = {}
        self._structural_memo: dict[tuple[int, int], _Structure] = {}
        self._failure_groups: dict[str, list[list[int]]] = {}
        self._layout_memo: dict[tuple[str, int], Outcome] = {}
        self._reach: dict[str, tuple[frozenset[int], frozenset[str]]] = {}
        self._ics_memo: dict[tuple[int, str, frozenset[str]], Outcome] = {}
        self._chains: dict[int, _Chain] = {}
        self._from_internet = _fail("nat_inbound_blocked", (INTERNET,), template="internet_inbound")

    def pair(self, source: str, target: str) -> Outcome:
        key = (source, target)
        outcome = self._memo.get(key)
        if outcome is None:
            a, b = self._views.get(source), self._views.get(target)
            outcome = self._memo[key] = self._decide(source, target, a, b)
        return outcome

    def single(self, source: str, target: str) -> Outcome:
        """One pair worked out on its own, for questions about a few targets: the sharing `pair` sets up
        pays off only when a source is asked about many."""
        key = (source, target)
        outcome = self._memo.get(key)
        if outcome is None:
            outcome = self._memo[key] = self._evaluate(source, target, None, frozenset({source}))
        return outcome

    def _decide(self, source: str, target: str, a: _EndpointView | None, b: _EndpointView | None) -> Outcome:
        if a is None or b is None or not a.usable or a.unusable is not None or not b.usable or b.unusable is not None:
            return self._evaluate(source, target, None, frozenset({source}))
        if not a.segments.isdisjoint(b.segments):
            found = _direct(a, b)
            if found is not None:
                return found
        if not self._reach_segments(source).isdisjoint(b.segments):
            return self._evaluate(source, target, None, frozenset({source}), out_of_reach=False)
        # Nothing A reaches, even through a NAT, touches B's segments: the answer depends on B's layout
        # alone, and every target laid out alike shares it.
        key = (source, b.layout_number)
        outcome = self._layout_memo.get(key)
        if outcome is None:
            outcome = self._layout_memo[key] = self._unreached(source, target, a, b)
        return outcome

    def _unreached(self, source: str, target: str, a: _EndpointView, b: _EndpointView) -> Outcome:
        """`_decide`'s answer about a target that nothing the source reaches touches."""
        return self._apart(source, a, b) or self._evaluate(source, target, None, frozenset({source}))

    def signature(self, endpoint_id: str) -> tuple:
        """Everything about an endpoint that an answer involving it can depend on, as plain values: two
        simulations give the same answer for a pair whose endpoints (and the source's upstreams, see
        `upstreams`) have equal signatures."""
        if endpoint_id == INTERNET:
            return (INTERNET,)
        endpoint = self.endpoints[endpoint_id]
        return (
            endpoint.name,
            tuple(sorted(endpoint.absent_from.items())),
            tuple(_nic_signature(n) for n in endpoint.nics),
        )

    def upstreams(self, endpoint_id: str) -> frozenset[str]:
        """The endpoints whose answers this one's go out through: the hosts and ICS VMs behind its NATs."""
        return self._behind(endpoint_id)[1] if endpoint_id in self._views else frozenset()

    def _reach_segments(self, source: str) -> frozenset[int]:
        """Every segment whose members `source` could meet directly: its own, and those of the hosts and
        ICS VMs whose NAT it goes out through."""
        return self._behind(source)[0]

    def _behind(self, source: str) -> tuple[frozenset[int], frozenset[str]]:
        """One walk from the source's usable interfaces through every NAT (Virtual PC's or ICS) to the
        endpoint behind it: the segments met on the way, and those endpoints."""
        found = self._reach.get(source)
        if found is None:
            segments: set[int] = set()
            upstreams: set[str] = set()
            pending = list(self._views[source].usable)
            while pending:
                nic = pending.pop()
                segments.add(id(nic.segment))
                way = self._way(nic)
                forwarder = way.forwarder if way.failure is None else None
                if forwarder is None or forwarder.kind == ForwarderKind.ROUTER:
                    continue
                upstream = forwarder.upstream_endpoint
                if upstream == source or upstream in upstreams:
                    continue
                upstreams.add(upstream)  # type: ignore[arg-type]
                nics = [forwarder.upstream_nic] if forwarder.upstream_nic else self._views[upstream].usable  # type: ignore[index]
                pending.extend(nic for nic in nics if nic.usable)
            found = self._reach[source] = (frozenset(segments), frozenset(upstreams))
        return found

    def all_pairs(self) -> list[tuple[str, str, Outcome]]:
        return [(source, target, outcome) for source, row in self.rows() for target, outcome in row]

    def rows(self, sources: list[str] | None = None) -> Iterator[tuple[str, list[tuple[str, Outcome]]]]:
        """Every ordered pair, source by source (of `sources`, or all). Targets that nothing of the source's
        reach touches are answered by their layout alone (`_decide` would find the same), without looking at
        each one."""
        views = self._views
        members: dict[int, set[str]] = {}
        # (id, view, layout number or None when the target must be decided on its own)
        targets: list[tuple[str, _EndpointView | None, int | None]] = []
        for target in self.endpoint_ids:
            b = views.get(target)
            simple = b is not None and bool(b.usable) and b.unusable is None
            if simple:
                for segment in b.segments:  # type: ignore[union-attr]
                    members.setdefault(segment, set()).add(target)
            number = b.layout_number if simple else None  # type: ignore[union-attr]
            targets.append((target, b, number))
        decide, unreached = self._decide, self._unreached
        # Sources alike (same segments, addresses and ways out) get the same answers about a target layout
        # but for the first step of the path, their own adapter: (answer, index of that adapter).
        by_class: dict[tuple, tuple[Outcome, int]] = {}
        class_numbers: dict[tuple, int] = {}
        for source in self.endpoint_ids if sources is None else sources:
            a = views.get(source)
            if a is None or not a.usable or a.unusable is not None:
                yield source, [(target, self.pair(source, target)) for target in self.endpoint_ids if target != source]
                continue
            touched: set[str] = set()
            for segment in self._reach_segments(source):
                touched |= members.get(segment, set())
            kind = self._source_class(source, a)
            if kind is not None:  # its number: hashed once, not at every target
                kind = class_numbers.setdefault(kind, len(class_numbers))
            labels = [nic.label for nic in a.usable]
            by_layout: dict[int, Outcome] = {}
            row = []
            for target, b, number in targets:
                if target == source:
                    continue
                if number is None or target in touched:
                    row.append((target, decide(source, target, a, b)))
                    continue
                outcome = by_layout.get(number)
                if outcome is None:
                    shared = by_class.get((kind, number)) if kind is not None else None
                    if shared is not None:
                        outcome = shared[0].starting_at(a.usable[shared[1]].label)
                    else:
                        outcome = unreached(source, target, a, b)  # type: ignore[arg-type]
                        if kind is not None:
                            by_class[(kind, number)] = (outcome, labels.index(outcome.first_step()))
                    by_layout[number] = outcome
                row.append((target, outcome))
            yield source, row

    def _source_class(self, source: str, a: _EndpointView) -> tuple | None:
        """What a VM's answers about unreached targets depend on; None for endpoints answered on their own."""
        if not source.startswith("vm:") or a.layout[1] is not None:
            return None
        parts = []
        for nic in a.usable:
            segment, way = nic.segment, self._way(nic)
            forwarder = way.forwarder if way.failure is None else None
            parts.append(
                (
                    segment.nat_network or id(segment),  # type: ignore[union-attr]
                    nic.interface.network,  # type: ignore[union-attr]
                    nic.gateway,
                    nic.source,
                    nic.nat_outside_range,
                    way.failure.code if way.failure is not None else None,
                    None
                    if forwarder is None
                    else (forwarder.kind, forwarder.upstream_endpoint, id(forwarder.upstream_nic), forwarder.address),
                )
            )
        return tuple(parts)

    def _evaluate(
        self,
        source: str,
        target: str,
        only: list[Nic] | None,
        visiting: frozenset[str],
        out_of_reach: bool | None = None,
    ) -> Outcome:
        """The answer of `source`'s interfaces (or `only` these) about `target`. `out_of_reach`: whether
        nothing the source reaches is the target or shares a segment with it, when the caller knows."""
        if source == INTERNET:
            return self._from_internet
        a = self._views[source]
        b = self._views.get(target)
        a_nics = a.connected if only is None else only
        if not a_nics:
            return self._absent(a.endpoint, b.connected if b else []) or _fail("not_connected", (), a.name)
        if b is not None and not b.connected:
            return self._absent(b.endpoint, a_nics) or _fail("not_connected", (), b.name)
        a_usable = a.usable if only is None else [nic for nic in only if nic.usable]
        if not a_usable:
            return a.unusable if only is None else _unusable(a.name, a_nics)  # type: ignore[return-value]
        if b is not None and b.unusable is not None:
            return b.unusable
        if b is not None and out_of_reach is None:
            out_of_reach = self._out_of_reach(source, b)
        best_success: Outcome | None = None
        # The first failure of the highest rank.
        best_failure: Outcome | _Structure | None = None
        best_rank = -1
        for nic in a_usable:
            if best_success is not None:
                # Only a direct link would come before the first way found: no failure counts any more.
                found = _on_link_with(nic, b) if b is not None else None
                if found is not None:
                    return found
                continue
            if b is None:
                found = self._route_out(nic, target, visiting)
            else:
                found = self._link(nic, a.endpoint, b, visiting, out_of_reach)  # type: ignore[arg-type]
            if type(found) is _Structure:
                if found.rank > best_rank:
                    best_failure, best_rank = found, found.rank
            elif found.reachable:  # type: ignore[union-attr]
                if found.via == "direct":  # type: ignore[union-attr]
                    return found  # type: ignore[return-value]
                best_success = best_success or found  # type: ignore[assignment]
            elif _RANK[found.code] > best_rank:  # type: ignore[union-attr, index]
                best_failure, best_rank = found, _RANK[found.code]  # type: ignore[union-attr, index]
        if best_success is not None:
            return best_success
        return best_failure.outcome() if type(best_failure) is _Structure else best_failure  # type: ignore[union-attr, return-value]

    def _structural(self, nic: Nic, here: Segment, a: Endpoint, b: _EndpointView) -> _Structure:
        """Why no interface of B shares a segment and subnet with `nic`: the most telling reason, the first
        interface of B that gives it. It depends only on the segments involved, so it is worked out once per
        source interface and target layout — except a subnet mismatch, whose message names the addresses."""
        key = (id(nic), b.layout_number)
        structure = self._structural_memo.get(key)
        if structure is None:
            rank, other = _most_telling(here, a, b)
            structure = _Structure(rank, nic, here, a, other, b.endpoint)
            if rank != _SUBNET_MISMATCH:
                self._structural_memo[key] = structure
        return structure

    @staticmethod
    def _absent(endpoint: Endpoint, other_nics: list[Nic]) -> Outcome | None:
        """A host OS with no interface may be absent from the other side's segment on purpose."""
        for nic in other_nics:
            segment = nic.segment
            code = endpoint.absent_from.get(segment.network_key)  # type: ignore[union-attr]
            if code is not None:
                return _fail(code, (nic.label, segment.label), *_absence_detail(code, endpoint, segment))  # type: ignore[union-attr]
        return None

    def _link(
        self, nic: Nic, a: Endpoint, b: _EndpointView, visiting: frozenset[str], out_of_reach: bool
    ) -> Outcome | _Structure:
        """`nic`'s answer about B: a structural failure is left as its rank (see `_Structure`)."""
        here = nic.segment
        assert here is not None
        direct = _on_link_with(nic, b)
        if direct is not None:
            return direct
        way = self._way(nic)
        if way.defers_to_structure:
            return self._deferred(nic, here, a, b, way)
        if out_of_reach:
            # No way out can succeed, and a telling structure is the answer whatever the way out says: the walk
            # out, through a chain of ICS gateways as long as the lab, is not needed.
            structural = self._structural(nic, here, a, b)
            if structural.code in _TELLING_STRUCTURE:
                return structural
        routed = self._route_out(nic, b.endpoint.id, visiting)
        if routed.reachable:
            return routed
        structural = self._structural(nic, here, a, b)
        if routed.code in _SOURCE_SIDE or structural.code in _TELLING_STRUCTURE:
            return structural
        return routed

    def _deferred(self, nic: Nic, here: Segment, a: Endpoint, b: _EndpointView, way: _WayOut) -> Outcome | _Structure:
        """The answer of an interface whose way out defers to structure, about a target not on its link."""
        structural = self._structural(nic, here, a, b)
        # Walking from the source, a failure at its own way out comes before what lies beyond it (a NAT that
        # lets nothing in), but not before what its own segment says (the target is there, in another subnet).
        if way.failure_rank < structural.rank:
            return way.failure  # type: ignore[return-value]
        return structural

    def _apart(self, source: str, a: _EndpointView, b: _EndpointView) -> Outcome | None:
        """`_decide`'s answer about a target that nothing the source reaches touches, when the segments alone
        give it: what `_evaluate` finds, without walking out (through a chain of ICS gateways, say) where no way
        can lead. None when a way out must be walked all the same (see `_link`)."""
        if b.endpoint.id in self._behind(source)[1]:
            return None
        endpoint = a.endpoint
        usable = a.usable
        positions: Iterable[int] = range(len(usable))
        if len(usable) > _SCANNED_INTERFACES and not b.endpoint.absent_from:
            # A's interfaces on none of B's networks see B's the same way (see `_apart_code`), so of those, only
            # the first of each group that `_failure_groups_of` makes can give the answer.
            near = a.apart_index().near(b.usable)
            firsts = (next((p for p in group if p not in near), None) for group in self._failure_groups_of(a))
            positions = sorted(near.union(p for p in firsts if p is not None))
        best: Outcome | _Structure | None = None
        best_rank = -1
        for position in positions:
            nic = usable[position]
            here = nic.segment
            way = self._way(nic)
            if way.defers_to_structure:
                found = self._deferred(nic, here, endpoint, b, way)  # type: ignore[arg-type]
                rank = found.rank if type(found) is _Structure else way.failure_rank  # type: ignore[union-attr]
            else:
                found = self._structural(nic, here, endpoint, b)  # type: ignore[arg-type]
                if found.code not in _TELLING_STRUCTURE:
                    return None
                rank = found.rank
            if rank > best_rank:
                best, best_rank = found, rank
        return best.outcome() if type(best) is _Structure else best  # type: ignore[union-attr, return-value]

    def _failure_groups_of(self, a: _EndpointView) -> list[list[int]]:
        """The positions of A's usable interfaces, grouped by what their way out adds to the structure about a
        target out of reach: the failure there, whose rank may come first (see `_deferred`), or nothing."""
        groups = self._failure_groups.get(a.endpoint.id)
        if groups is None:
            by_rank: dict[int, list[int]] = {}
            for position, nic in enumerate(a.usable):
                way = self._way(nic)
                rank = way.failure_rank if way.defers_to_structure else len(REASON_ORDER)
                by_rank.setdefault(rank, []).append(position)
            groups = self._failure_groups[a.endpoint.id] = list(by_rank.values())
        return groups

    def _out_of_reach(self, source: str, b: _EndpointView) -> bool:
        """Nothing `source` reaches, even through NATs, is B or shares a segment with it, so no way out of any of
        its interfaces leads to B."""
        segments, upstreams = self._behind(source)
        return b.endpoint.id not in upstreams and segments.isdisjoint(b.segments)

    def _way(self, nic: Nic) -> _WayOut:
        way = self._exits.get(id(nic))
        if way is None:
            way = self._exits[id(nic)] = _WayOut(nic)
        return way

    def _route_out(self, nic: Nic, target: str, visiting: frozenset[str]) -> Outcome:
        way = self._way(nic)
        if way.failure is not None:
            return way.failure
        if way.forwarder.kind == ForwarderKind.ROUTER:
            # Only the internet is asked through a router: for other targets the way out defers to structure.
            assert target == INTERNET and way.to_internet is not None
            return way.to_internet
        return self._through_nat(way.forwarder, target, way.hop, visiting)

    def _through_nat(self, nat: Forwarder, target: str, hop: tuple[str, ...], visiting: frozenset[str]) -> Outcome:
        upstream_id = nat.upstream_endpoint
        assert upstream_id is not None
        upstream = self._views[upstream_id]
        if target == upstream_id:
            return _ok("nat", (*hop, upstream.name))
        if upstream_id in visiting:
            return _fail("different_segment", hop, nat.label, template="nat_loop")
        if nat.upstream_nic is None:  # a Virtual PC host never routes back through its own NAT
            beyond = self.pair(upstream_id, target)
        else:
            beyond = self._beyond_ics(nat.upstream_nic, upstream_id, target, visiting)
        if beyond.reachable:
            return Outcome.through(hop, beyond)
        if target == INTERNET:
            code = "no_internet_uplink"
        elif beyond.code in ("not_connected", "no_address"):
            code = "different_segment"
        else:
            code = beyond.code  # type: ignore[assignment]
        return _fail(code, hop, nat.label, upstream.name, beyond, template="forwarded")

    def _beyond_ics(self, public: Nic, gateway: str, target: str, visiting: frozenset[str]) -> Outcome:
        """What an ICS gateway's public adapter reaches. Of where the source came from (`visiting`), only the
        endpoints further along the way out matter (a way back there is a loop), so the answer is kept per public
        adapter, target and those endpoints: a chain of N gateways costs N answers per target, not N for each
        source in it. Along a long chain the answers are worked out from its far end, so that each one finds the
        next in memory instead of recursing to the end of the chain."""
        chain = self._chain_after(public)
        memo = self._ics_memo
        key = (id(public), target, visiting & chain.endpoints)
        beyond = memo.get(key)
        if beyond is None:
            if len(chain.steps) > _WARM_FROM_FAR_END and not chain.loops and visiting.isdisjoint(chain.endpoints):
                missing = []
                for nic, owner in chain.steps:  # from the near end, up to the first answer already known
                    step_key = (id(nic), target, _NOTHING_VISITED)
                    if step_key in memo:
                        break
                    missing.append((step_key, nic, owner))
                for step_key, nic, owner in reversed(missing):
                    memo[step_key] = self._evaluate(owner, target, [nic], visiting | {owner})
            beyond = memo[key] = self._evaluate(gateway, target, [public], visiting | {gateway})
        return beyond

    def _chain_after(self, nic: Nic) -> _Chain:
        """The ICS public adapters and endpoints met going out from `nic` through one NAT after another (each
        interface has one way out)."""
        found = self._chains.get(id(nic))
        if found is None:
            steps: list[tuple[Nic, str]] = []
            met: list[str] = []
            loops = False
            current: Nic | None = nic
            while current is not None and current.usable:
                way = self._way(current)
                forwarder = way.forwarder if way.failure is None else None
                if forwarder is None or forwarder.kind == ForwarderKind.ROUTER:
                    break
                upstream = forwarder.upstream_endpoint
                if upstream in met or upstream == nic.endpoint:
                    loops = True
                    break
                met.append(upstream)  # type: ignore[arg-type]
                current = forwarder.upstream_nic
                if current is not None:
                    steps.append((current, upstream))  # type: ignore[arg-type]
            found = self._chains[id(nic)] = _Chain(tuple(steps), frozenset(met), loops)
        return found


class _WayOut:
    """An interface's way out of its segment, or why it has none: the same for every target.
    Behind a LAN router the answer is fixed too: the internet, or nothing else."""

    __slots__ = ("defers_to_structure", "failure", "failure_rank", "forwarder", "hop", "to_internet")

    def __init__(self, nic: Nic):
        segment = nic.segment
        assert segment is not None and nic.interface is not None
        start = (nic.label, segment.label)
        self.failure: Outcome | None = None
        self.forwarder = segment.forwarders.get(nic.gateway) if nic.gateway is not None else None
        self.hop: tuple[str, ...] = ()
        self.to_internet: Outcome | None = None
        if nic.source == "apipa":
            self.failure = _fail("link_local_not_routed", start, segment.label)
        elif nic.gateway is None:
            self.failure = _fail("no_gateway", start, segment.label)
        elif self.forwarder is None or nic.gateway not in nic.interface.network:
            self.failure = _fail("no_gateway", start, nic.gateway, segment.label, template="gateway_not_router")
        elif nic.nat_outside_range:
            self.failure = _fail("static_outside_nat_range", start)
        else:
            self.hop = (*start, self.forwarder.label)
            if self.forwarder.kind == ForwarderKind.ROUTER:
                self.to_internet = _to_internet(self.forwarder, self.hop)
        # Towards anything but the internet, this way out explains nothing that the segments do not: a LAN
        # router leads only to the internet, and a source-side failure says less than the structure.
        self.defers_to_structure = self.to_internet is not None or (
            self.failure is not None and self.failure.code in _SOURCE_SIDE
        )
        # Above every rank when there is no failure: no failure is put before a structural reason.
        self.failure_rank = len(REASON_ORDER) if self.failure is None else _RANK[self.failure.code]  # type: ignore[index]


def _nic_signature(nic: Nic) -> tuple:
    segment = nic.segment
    own = (nic.label, nic.state, nic.source, str(nic.interface), str(nic.gateway), nic.nat_outside_range)
    if segment is None:
        return own
    forwarder = segment.forwarders.get(nic.gateway) if nic.gateway is not None else None
    through = None
    if forwarder is not None:
        lan = forwarder.lan
        through = (
            forwarder.kind,
            str(forwarder.address),
            forwarder.label,
            forwarder.upstream_endpoint,
            forwarder.upstream_nic.label if forwarder.upstream_nic else None,
            (lan.name, lan.has_internet) if lan else None,
        )
    shape = (segment.id, segment.label, segment.network_key, segment.nat_network, segment.behind_nat, segment.vlan)
    return (*own, shape, through)


def _on_link(nic: Nic, other: Nic) -> bool:
    """Each address lies in the other's on-link subnet [R 5.2 step 1]."""
    ip, network, mask = _bits(nic)
    other_ip, other_network, other_mask = _bits(other)
    return ip & other_mask == other_network and other_ip & mask == network


def _bits(nic: Nic) -> tuple[int, int, int]:
    """The interface's address, network and mask as integers: asked for every pair on a segment."""
    bits = nic.address_bits
    if bits is None:
        interface = nic.interface
        assert interface is not None
        bits = nic.address_bits = (
            int(interface),
            int(interface.network.network_address),
            int(interface.network.netmask),
        )
    return bits


def _on_link_with(nic: Nic, b: _EndpointView) -> Outcome | None:
    """The direct answer when one of B's interfaces shares `nic`'s segment and subnet."""
    here = nic.segment
    for other in b.by_segment.get(id(here), ()):
        if _on_link(nic, other):
            return _ok("direct", (nic.label, here.label, other.label))  # type: ignore[union-attr]
    return None


def _direct(a: _EndpointView, b: _EndpointView) -> Outcome | None:
    """The first shared segment and subnet, in the same order `_evaluate` tries them."""
    for nic in a.usable:
        found = _on_link_with(nic, b)
        if found is not None:
            return found
    return None


def _to_internet(router: Forwarder, hop: tuple[str, ...]) -> Outcome:
    assert router.lan is not None
    if router.lan.has_internet:
        return _ok("gateway", (*hop, INTERNET))
    return _fail("no_internet_uplink", hop, router.lan.name, template="no_internet")


def _name(endpoint: Endpoint) -> str:
    kind = endpoint.id.split(":", 1)[0]
    if kind == "host":
        return f"{endpoint.name} OS"
    if kind == "lan":
        return f"a PC on {endpoint.name}"
    return endpoint.name


def _unusable(name: str, nics: list[Nic]) -> Outcome:
    for nic in nics:
        if nic.state == "conflict":
            segment = nic.segment
            ip = nic.interface.ip if nic.interface else ""
            return _fail("duplicate_ip", (nic.label,), nic.label, ip, segment.label if segment else "")
    return _fail("no_address", (), name)


# Above this many interfaces, a target's are not each compared with the source's segment (see `_most_telling`).
_SCANNED_INTERFACES = 8
_SUBNET_MISMATCH = _RANK["subnet_mismatch"]


def _most_telling(here: Segment, a: Endpoint, b: _EndpointView) -> tuple[int, Nic]:
    """The highest rank of the reasons why B's interfaces are not with a source interface on `here`, and the
    first of B's interfaces that gives it."""
    usable = b.usable
    if len(usable) <= _SCANNED_INTERFACES or a.absent_from:
        positions: Iterable[int] = range(len(usable))
    else:
        # From A (no host OS, nothing absent), every interface of B outside the few `telling` ones is on a segment
        # apart from `here` for the same reason: only the first of those counts.
        telling = b.apart_index().telling(here)
        first_other = next((p for p in range(len(usable)) if p not in telling), None)
        positions = sorted(telling if first_other is None else {*telling, first_other})
    best_rank, best_other = -1, None
    for position in positions:
        other = usable[position]
        there = other.segment
        rank = _SUBNET_MISMATCH if there is here else _RANK[_apart_code(here, a, there, b.endpoint)]  # type: ignore[arg-type]
        if rank > best_rank:
            best_rank, best_other = rank, other
    assert best_other is not None
    return best_rank, best_other


def _apart_code(here: Segment, a: Endpoint, there: Segment, b: Endpoint) -> str:
    if here.nat_network is not None and here.nat_network == there.nat_network:
        return "nat_guest_isolation"
    if there.behind_nat:
        return "nat_inbound_blocked"
    if here.network_key == there.network_key:
        return "vlan_mismatch"
    return b.absent_from.get(here.network_key) or a.absent_from.get(there.network_key) or "different_segment"


def _explain(code: str, nic: Nic, here: Segment, a: Endpoint, other: Nic, b: Endpoint) -> Outcome:
    start = (nic.label, here.label)
    there = other.segment
    assert there is not None
    if code == "subnet_mismatch":
        return _fail(code, start, nic.label, nic.interface, other.label, other.interface, here.label)
    if code == "nat_inbound_blocked":
        return _fail(code, start, there.label)
    if code == "vlan_mismatch":
        return _fail(code, start, _vlan_label(here), _vlan_label(there), here.network_key)
    if code in ("host_not_on_segment", "mgmt_os_not_shared"):
        host, segment = (b, here) if b.absent_from.get(here.network_key) == code else (a, there)
        return _fail(code, start, *_absence_detail(code, host, segment))
    if code == "different_segment":
        return _fail(code, start, here.label, there.label)
    return _fail(code, start)


def _absence_detail(code: str, host: Endpoint, segment: Segment) -> tuple[str, str]:
    return (host.name, segment.network_key if code == "mgmt_os_not_shared" else segment.label)


def _vlan_label(segment: Segment) -> str:
    return segment.label if segment.vlan is not None else f"{segment.label} (untagged)"
