"""The engine's entry point: a lab document in, the simulation result (SPEC §7) out. No I/O."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from app.engine.addressing import assign_addresses
from app.engine.document import LabDocument
from app.engine.ipconfig import Guest, Layout, Locale, render_ipconfig
from app.engine.reachability import MAX_SHOWN_STEPS, Outcome, ReachabilityEngine, elided_steps
from app.engine.result import (
    AdapterResult,
    HostAddress,
    HostResult,
    Reachability,
    SimulationResult,
    Warning,
)
from app.engine.segments import build_topology
from app.engine.services import add_vm_services
from app.engine.topology import Nic, Topology

MAX_LISTED_ENDPOINTS = 300
# Unambiguous in compact JSON: inside string values the quotes would be escaped.
EMPTY_PAIR_LIST = '"reachability":[]'


@dataclass(frozen=True)
class PairRows:
    """One simulation's reachability rows as JSON, with what each endpoint's answers depend on."""

    signatures: dict[str, tuple]
    upstreams: dict[str, frozenset[str]]
    rows: dict[str, list[str]]  # per source, one JSON row per other endpoint, in endpoint order


class Simulation:
    """One run of the engine over a lab; answers the result, single pairs and ipconfig."""

    def __init__(self, lab: LabDocument, now: datetime | None = None):
        self.lab = lab
        clock = lab.clock or (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
        self.topology: Topology = build_topology(lab, clock)
        self.routing_endpoints = add_vm_services(lab, self.topology)
        assign_addresses(self.topology)
        self.reachability = ReachabilityEngine(self.topology)

    @property
    def endpoints(self) -> list[str]:
        return self.reachability.endpoint_ids

    def pair(self, source: str, target: str) -> Reachability:
        known = set(self.endpoints)
        for endpoint in (source, target):
            if endpoint not in known:
                raise KeyError(endpoint)
        return _reachability_row(source, target, self.reachability.pair(source, target))

    def pairs_to(self, targets: list[str]) -> list[Reachability]:
        """Every endpoint's reachability to each of `targets` (e.g. `internet` and the LANs), in one batch."""
        for target in targets:
            if target not in self.reachability.endpoint_ids:
                raise KeyError(target)
        engine = self.reachability
        return [
            _reachability_row(source, target, engine.single(source, target))
            for source in engine.endpoint_ids
            for target in targets
            if source != target
        ]

    def result(self) -> SimulationResult:
        rows = None
        if self._lists_pairs():
            rows = [_reachability_row(s, t, outcome) for s, t, outcome in self.reachability.all_pairs()]
        return self._result(rows)

    def overview(self) -> SimulationResult:
        """The result without its pair list (`reachability` null): addresses, hosts, endpoints, warnings."""
        return self._result(None)

    def _lists_pairs(self) -> bool:
        return len(self.endpoints) <= MAX_LISTED_ENDPOINTS

    def _result(self, rows: list[Reachability] | None) -> SimulationResult:
        adapters: list[AdapterResult] = []
        hosts: list[HostResult] = []
        warnings: list[Warning] = []
        for host in self.topology.hosts:
            host_nics = ([host.lan_nic] if host.lan_nic else []) + host.vnics
            hosts.append(HostResult(host=host.name, addresses=[_host_address(nic) for nic in host_nics]))
            for nic in host_nics:
                warnings += [Warning(code=code, message=f"{nic.label}: {text}") for code, text in nic.warnings]
            adapters += [_adapter_result(host.name, nic) for nic in host.vm_nics]
        return SimulationResult(
            lab=self.lab.name,
            clock=self.topology.clock.isoformat(),
            adapters=adapters,
            hosts=hosts,
            endpoints=self.endpoints,
            reachability=rows,
            reachability_truncated=not self._lists_pairs(),
            warnings=warnings,
        )

    def result_json(self) -> str:
        """`result().to_json(indent=None)`, byte for byte, written faster: the pair rows, up to 89,700
        of them, are joined from pieces each outcome serializes once instead of row by row."""
        return self.result_json_after(None)[0]

    def result_json_after(self, previous: PairRows | None) -> tuple[str, PairRows | None]:
        """`result_json()`, reusing the rows of `previous` (a simulation of an earlier version of this lab)
        for every pair whose two endpoints, and whatever the source goes out through, are unchanged.
        Also returns this simulation's rows, for the next version to reuse."""
        if not self._lists_pairs():
            return self._result(None).to_json(indent=None), None
        text = self._result([]).to_json(indent=None)
        current = self._pair_rows(previous)
        head, _, tail = text.partition(EMPTY_PAIR_LIST)
        texts = [row for answers in current.rows.values() for row in answers]
        if not texts:
            return f'{head}"reachability":[]{tail}', current
        # The rest of the document goes around the first and last rows, not the joined ones: one copy of the
        # tens of megabytes of rows instead of two.
        texts[0] = f'{head}"reachability":[{texts[0]}'
        texts[-1] = f"{texts[-1]}]{tail}"
        return ",".join(texts), current

    def _pair_rows(self, previous: PairRows | None) -> PairRows:
        return self.pair_rows_after(previous, _RowWriter(self.endpoints).row)

    def pair_rows_after(self, previous: PairRows | None, render: Callable[[str, str, Outcome], str]) -> PairRows:
        """Every ordered pair rendered by `render`, source by source. With `previous` (rendered by the same
        function for an earlier version of this lab), the rows of pairs whose endpoints — and whatever the
        source goes out through — have unchanged signatures are taken from it instead of recomputed."""
        engine = self.reachability
        order = self.endpoints
        signatures = {endpoint: engine.signature(endpoint) for endpoint in order}
        upstreams = {endpoint: engine.upstreams(endpoint) for endpoint in order}
        row = render
        rows: dict[str, list[str]] = {}
        if previous is None or list(previous.signatures) != order:
            for source, answers in engine.rows():
                rows[source] = [row(source, target, outcome) for target, outcome in answers]
            return PairRows(signatures, upstreams, rows)
        changed = [e for e in order if previous.signatures[e] != signatures[e]]
        position = {endpoint: index for index, endpoint in enumerate(order)}
        fresh = [
            source
            for source in order
            if source in changed
            or previous.upstreams[source] != upstreams[source]
            or not upstreams[source].isdisjoint(changed)
        ]
        for source, answers in engine.rows(fresh):
            rows[source] = [row(source, target, outcome) for target, outcome in answers]
        for source in order:
            if source in rows:
                continue
            kept = list(previous.rows[source])  # in target order, without the source itself
            for target in changed:
                index = position[target] - (position[target] > position[source])
                kept[index] = row(source, target, engine.pair(source, target))
            rows[source] = kept
        rows = {source: rows[source] for source in order}
        return PairRows(signatures, upstreams, rows)

    def ipconfig(self, vm_ref: str, locale: Locale = Locale.EN, layout: Layout = Layout.XP) -> str:
        host, vm = self.find_vm(vm_ref)
        vm_id = f"vm:{host.name}/{vm.name}"
        state = next(s for s in self.topology.hosts if s.name == host.name)
        nics = [nic for nic in state.vm_nics if nic.endpoint == vm_id]
        guest = Guest(
            host_name=vm.host_name,
            os=vm.os,
            node_type=vm.node_type,
            ip_routing=vm_id in self.routing_endpoints,
            product=state.rules,
            adapters=[_adapter_result(host.name, nic) for nic in nics],
            static_adapters=frozenset(i for i, a in enumerate(vm.adapters, start=1) if a.address != "dhcp"),
            clock=self.topology.clock,
        )
        return render_ipconfig(guest, locale, layout)

    def find_vm(self, vm_ref: str):
        """`vm` or `host/vm`; a bare name must not repeat across hosts."""
        host_name, _, vm_name = vm_ref.rpartition("/")
        found = [
            (host, vm)
            for host in self.lab.hosts
            if not host_name or host.name == host_name
            for vm in host.vms
            if vm.name == vm_name
        ]
        if not found:
            raise LookupError(f"no VM '{vm_ref}' in lab '{self.lab.name}'")
        if len(found) > 1:
            choices = ", ".join(f"{host.name}/{vm.name}" for host, vm in found)
            raise LookupError(f"VM name '{vm_ref}' is on several hosts; say which: {choices}")
        return found[0]

    def vm_refs(self) -> list[str]:
        return [f"{host.name}/{vm.name}" for host in self.lab.hosts for vm in host.vms]


def simulate(lab: LabDocument, now: datetime | None = None) -> SimulationResult:
    return Simulation(lab, now).result()


def simulate_json(lab: LabDocument, now: datetime | None = None) -> str:
    """The result as compact JSON."""
    return simulate_json_after(lab, None, now)[0]


def simulate_json_after(
    lab: LabDocument, previous: PairRows | None, now: datetime | None = None
) -> tuple[str, PairRows | None]:
    """`simulate_json`, reusing what a simulation of an earlier version of the lab worked out (see
    `Simulation.result_json_after`)."""
    return Simulation(lab, now).result_json_after(previous)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _adapter_result(host: str, nic: Nic) -> AdapterResult:
    vm = nic.endpoint.split("/", 1)[1]
    index = int(nic.label.rsplit(" ", 1)[1])
    interface = nic.interface
    # Built from values the engine made and typed itself: nothing to validate, and 10,000-VM labs have 18,500.
    return AdapterResult.model_construct(
        host=host,
        vm=vm,
        index=index,
        network=nic.network_name,
        network_kind=_text(nic.network_kind),
        state=nic.state,
        mac=nic.mac,
        source=nic.source,
        ip=_text(interface.ip) if interface else None,
        prefix=interface.network.prefixlen if interface else None,
        mask=_text(interface.netmask) if interface else None,
        gateway=_text(nic.gateway),
        dhcp_server=_text(nic.dhcp_server),
        dns_servers=[str(server) for server in nic.dns_servers],
        dns_suffix=nic.dns_suffix,
        lease_obtained=nic.lease_obtained.isoformat() if nic.lease_obtained else None,
        lease_expires=nic.lease_expires.isoformat() if nic.lease_expires else None,
        segment=nic.segment.id if nic.segment else None,
        warnings=[Warning.model_construct(code=code, message=message) for code, message in nic.warnings],
    )


def _host_address(nic: Nic) -> HostAddress:
    interface = nic.interface
    return HostAddress(
        network=nic.network_name or "",
        source=nic.source,
        ip=_text(interface.ip) if interface else None,
        prefix=interface.network.prefixlen if interface else None,
        gateway=_text(nic.gateway),
        dns_servers=[str(server) for server in nic.dns_servers],
        dns_suffix=nic.dns_suffix,
    )


def _json_text(value: str | None) -> str:
    """A JSON string (or null) as pydantic writes it: UTF-8 kept, quotes and control characters escaped."""
    return "null" if value is None else encode_basestring(value)


# Failing rows' starts kept at most: where failures recur they take a few hundred forms; past this many they
# rarely recur (each pair fails its own way), and starting over keeps what is held small.
_FAILURES_KEPT = 4096


class _RowWriter:
    """Writes pair rows as pydantic does, from pieces that recur from row to row, each written once: rows come
    source by source, so a source's paths start alike whatever the target (a long path's first steps are the
    same for all the far targets), a target's long paths end alike from one source to the next, and a row's
    start ("reachable" to "path") takes few values. What is kept is bounded by the endpoints, the lab's path
    steps and `_FAILURES_KEPT`, not by the number of rows."""

    __slots__ = ("failures", "gaps", "paths", "quoted", "reached", "source", "tails")

    def __init__(self, endpoints: list[str]):
        # Each endpoint's and path step's JSON text: steps recur in thousands of paths.
        self.quoted = {endpoint: _json_text(endpoint) for endpoint in endpoints}
        self.reached: dict[str | None, str] = {}  # a reachable row's start, by `via`
        self.failures: dict[tuple, str] = {}  # a failing row's start, by what makes its reason
        self.source = ""
        self.paths: dict[tuple[str, ...], str] = {}  # the source's paths, or long paths' first steps, as JSON
        self.gaps: dict[int, str] = {}  # a long path's count of elided steps, with the commas around it
        self.tails: dict[str, tuple[tuple[str, ...], str]] = {}  # per target: the last long path's last steps

    def row(self, source: str, target: str, outcome: Outcome) -> str:
        quoted = self.quoted
        end = outcome.json_tail
        if end is None:
            if source is not self.source:
                self.source, self.paths = source, {}
            if outcome.reachable:  # no reason: the start follows from `via`
                start = self.reached.get(outcome.via) or self._reached(outcome)
            else:
                # The reason follows from code, template and details (see `Outcome.message`): keyed by them,
                # not by the message, it is formatted once for every pair that fails alike.
                key = (outcome.via, outcome.code, outcome.template, outcome.detail)
                try:
                    start = self.failures.get(key) or self._failure(key, outcome)
                except TypeError:  # details that cannot be a key
                    start = _start_json(outcome)
            length = outcome.length
            if length <= MAX_SHOWN_STEPS:
                path = outcome.path
                end = f"{start}{self.paths.get(path) or self._steps(path)}]}}"
            else:
                head, tail = outcome.head(), outcome.tail()
                last = self.tails.get(target)
                if last is None or tail != last[0]:
                    last = self.tails[target] = (tail, f"{_steps_json(tail, quoted)}]}}")
                gap = self.gaps.get(length) or self._gap(length)
                end = f"{start}{self.paths.get(head) or self._steps(head)}{gap}{last[1]}"
            outcome.json_tail = end  # for the other rows of a shared outcome
        return f'{{"from":{quoted[source]},"to":{quoted[target]}{end}'

    def _reached(self, outcome: Outcome) -> str:
        start = self.reached[outcome.via] = _start_json(outcome)
        return start

    def _failure(self, key: tuple, outcome: Outcome) -> str:
        if len(self.failures) >= _FAILURES_KEPT:
            self.failures = {}
        start = self.failures[key] = _start_json(outcome)
        return start

    def _steps(self, steps: tuple[str, ...]) -> str:
        text = self.paths[steps] = _steps_json(steps, self.quoted)
        return text

    def _gap(self, length: int) -> str:
        text = self.gaps[length] = f",{_step_json(elided_steps(length), self.quoted)},"
        return text


def _steps_json(steps: tuple[str, ...], quoted: dict[str, str]) -> str:
    get = quoted.get
    return ",".join([get(step) or _step_json(step, quoted) for step in steps])


def _start_json(outcome: Outcome) -> str:
    """A pair row from "reachable" to the opening of "path"."""
    reason = outcome.reason()
    reason_text = (
        "null" if reason is None else f'{{"code":{_json_text(reason.code)},"message":{_json_text(reason.message)}}}'
    )
    return (
        f',"reachable":{"true" if outcome.reachable else "false"},"via":{_json_text(outcome.via)},'
        f'"reason":{reason_text},"path":['
    )


def _step_json(text: str, quoted: dict[str, str]) -> str:
    """`text` as a JSON string, remembered in `quoted`: steps and messages recur in thousands of rows."""
    found = quoted.get(text)
    if found is None:
        found = quoted[text] = encode_basestring(text)
    return found


def _reachability_row(source: str, target: str, outcome: Outcome) -> Reachability:
    return Reachability(source, target, outcome.reachable, outcome.via, outcome.reason(), outcome.shown_path())  # type: ignore[arg-type]
