"""The engine's entry point: a lab document in, the simulation result (SPEC §7) out. No I/O."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from app.engine.addressing import assign_addresses
from app.engine.document import LabDocument
from app.engine.ipconfig import Layout, Locale, render_ipconfig
from app.engine.reachability import Outcome, ReachabilityEngine
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


class Simulation:
    """One run of the engine over a lab; answers the result, single pairs and ipconfig."""

    def __init__(self, lab: LabDocument, now: datetime | None = None):
        self.lab = lab
        clock = lab.clock or (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
        with _no_cyclic_gc():
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
        with _no_cyclic_gc():
            return [
                _reachability_row(source, target, engine.pair(source, target))
                for source in engine.endpoint_ids
                for target in targets
                if source != target
            ]

    def result(self) -> SimulationResult:
        with _no_cyclic_gc():
            return self._result()

    def _result(self) -> SimulationResult:
        adapters: list[AdapterResult] = []
        hosts: list[HostResult] = []
        warnings: list[Warning] = []
        for host in self.topology.hosts:
            host_nics = ([host.lan_nic] if host.lan_nic else []) + host.vnics
            hosts.append(HostResult(host=host.name, addresses=[_host_address(nic) for nic in host_nics]))
            for nic in host_nics:
                warnings += [Warning(code=code, message=f"{nic.label}: {text}") for code, text in nic.warnings]
            adapters += [_adapter_result(host.name, nic) for nic in host.vm_nics]
        endpoints = self.endpoints
        listed = len(endpoints) <= MAX_LISTED_ENDPOINTS
        rows = [_reachability_row(s, t, outcome) for s, t, outcome in self.reachability.all_pairs()] if listed else None
        return SimulationResult(
            lab=self.lab.name,
            clock=self.topology.clock.isoformat(),
            adapters=adapters,
            hosts=hosts,
            endpoints=endpoints,
            reachability=rows,
            reachability_truncated=not listed,
            warnings=warnings,
        )

    def ipconfig(self, vm_ref: str, locale: Locale = Locale.EN, layout: Layout = Layout.XP) -> str:
        host, vm = self.find_vm(vm_ref)
        vm_id = f"vm:{host.name}/{vm.name}"
        state = next(s for s in self.topology.hosts if s.name == host.name)
        nics = [nic for nic in state.vm_nics if nic.endpoint == vm_id]
        return render_ipconfig(
            vm.host_name,
            [_adapter_result(host.name, nic) for nic in nics],
            [nic.description for nic in nics],
            ip_routing=vm_id in self.routing_endpoints,
            locale=locale,
            layout=layout,
        )

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


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The engine allocates many small objects and no reference cycles that matter: skip the cyclic
    collector while it works (it made a 10,000-VM lab ~2x slower), and restore it afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def simulate(lab: LabDocument, now: datetime | None = None) -> SimulationResult:
    return Simulation(lab, now).result()


def _text(value) -> str | None:
    return None if value is None else str(value)


def _adapter_result(host: str, nic: Nic) -> AdapterResult:
    vm = nic.endpoint.split("/", 1)[1]
    index = int(nic.label.rsplit(" ", 1)[1])
    interface = nic.interface
    return AdapterResult(
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
        warnings=[Warning(code=code, message=message) for code, message in nic.warnings],
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


def _reachability_row(source: str, target: str, outcome: Outcome) -> Reachability:
    return Reachability(source, target, outcome.reachable, outcome.via, outcome.reason(), outcome.path)  # type: ignore[arg-type]
