"""Who can open a connection to whom [R 5.2], with the way it goes or the first reason it fails.

A pair of endpoints is decided by their interfaces: a shared segment and subnet (direct), or the
source's default gateway and what that gateway forwards to (a LAN router to the internet; Virtual PC's
NAT to what the host OS reaches; ICS to what its public adapter reaches). Results for whole endpoints are
memoized, so NAT guests, ICS clients and the `internet` column reuse their gateway's answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.segments import INTERNET
from app.engine.topology import Endpoint, Forwarder, ForwarderKind, Nic, Topology

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


@dataclass(frozen=True, slots=True)
class Outcome:
    reachable: bool
    via: str | None
    code: str | None
    message: str | None
    path: tuple[str, ...]
    # A gateway that cannot lead to the target at all (a LAN router asked for anything but the internet).
    irrelevant: bool = False


def _ok(via: str, path: tuple[str, ...]) -> Outcome:
    return Outcome(True, via, None, None, path)


def _fail(code: str, message: str, path: tuple[str, ...] = (), irrelevant: bool = False) -> Outcome:
    return Outcome(False, None, code, message, path, irrelevant)


def _better_failure(current: Outcome | None, candidate: Outcome) -> Outcome:
    if current is None or _RANK[candidate.code] > _RANK[current.code]:  # type: ignore[index]
        return candidate
    return current


class ReachabilityEngine:
    def __init__(self, topology: Topology):
        self.endpoints: dict[str, Endpoint] = {e.id: e for e in topology.endpoints}
        self.endpoint_ids: list[str] = [e.id for e in topology.endpoints] + [INTERNET]
        self._memo: dict[tuple[str, str], Outcome] = {}

    def pair(self, source: str, target: str) -> Outcome:
        key = (source, target)
        outcome = self._memo.get(key)
        if outcome is None:
            outcome = self._evaluate(source, target, None, frozenset({source}))
            self._memo[key] = outcome
        return outcome

    def _evaluate(
        self, source: str, target: str, only_nics: list[Nic] | None, visiting: frozenset[str]
    ) -> Outcome:
        if source == INTERNET:
            return _fail(
                "nat_inbound_blocked",
                "nothing on the internet can open a connection into the lab: every way in passes a NAT",
                (INTERNET,),
            )
        a = self.endpoints[source]
        b = self.endpoints.get(target)
        a_nics = only_nics if only_nics is not None else a.connected
        b_nics = b.connected if b is not None else []
        if not a_nics:
            return self._absent(a, b_nics) or _fail("not_connected", f"{_name(a)} has no connected adapter")
        if b is not None and not b_nics:
            return self._absent(b, a_nics) or _fail("not_connected", f"{_name(b)} has no connected adapter")
        unusable = _unusable(a, a_nics) or (_unusable(b, b_nics) if b is not None else None)
        if unusable is not None:
            return unusable
        best_success: Outcome | None = None
        best_failure: Outcome | None = None
        for nic in a_nics:
            if not nic.usable:
                continue
            if b is None:
                outcome = self._route_out(nic, target, visiting)
            else:
                outcome = self._link(nic, a, b, b_nics, visiting)
            if outcome.reachable:
                if outcome.via == "direct":
                    return outcome
                best_success = best_success or outcome
            else:
                best_failure = _better_failure(best_failure, outcome)
        assert best_success is not None or best_failure is not None
        return best_success or best_failure  # type: ignore[return-value]

    def _absent(self, endpoint: Endpoint, other_nics: list[Nic]) -> Outcome | None:
        """A host OS with no interface may be absent from the other side's segment on purpose."""
        for nic in other_nics:
            code = endpoint.absent_from.get(nic.segment.network_key)  # type: ignore[union-attr]
            if code is not None:
                return _fail(code, _absence_message(code, endpoint, nic), (nic.label, nic.segment.label))  # type: ignore[union-attr]
        return None

    def _link(self, nic: Nic, a: Endpoint, b: Endpoint, b_nics: list[Nic], visiting: frozenset[str]) -> Outcome:
        structural: Outcome | None = None
        for other in b_nics:
            if not other.usable:
                continue
            if nic.segment is other.segment:
                if _on_link(nic, other):
                    return _ok("direct", (nic.label, nic.segment.label, other.label))  # type: ignore[union-attr]
                candidate = _fail(
                    "subnet_mismatch",
                    f"{nic.label} ({nic.interface}) and {other.label} ({other.interface}) share "
                    f"{nic.segment.label} but not a subnet",  # type: ignore[union-attr]
                    (nic.label, nic.segment.label),  # type: ignore[union-attr]
                )
            else:
                candidate = _apart(nic, a, other, b)
            structural = _better_failure(structural, candidate)
        assert structural is not None
        routed = self._route_out(nic, b.id, visiting)
        if routed.reachable:
            return routed
        if routed.irrelevant or routed.code in _SOURCE_SIDE or structural.code in _TELLING_STRUCTURE:
            return structural
        return routed

    def _route_out(self, nic: Nic, target: str, visiting: frozenset[str]) -> Outcome:
        segment = nic.segment
        assert segment is not None and nic.interface is not None
        start = (nic.label, segment.label)
        if nic.source == "apipa":
            return _fail(
                "link_local_not_routed",
                f"{nic.label} has only the link-local (APIPA) address {nic.interface.ip}, "
                "which is never routed [LL-4]",
                start,
            )
        if nic.gateway is None:
            return _fail("no_gateway", f"{nic.label} has no default gateway", start)
        forwarder = segment.forwarders.get(nic.gateway)
        if forwarder is None or nic.gateway not in nic.interface.network:
            return _fail(
                "no_gateway",
                f"the default gateway {nic.gateway} of {nic.label} is no router on {segment.label}",
                start,
            )
        if nic.nat_outside_range:
            return _fail(
                "static_outside_nat_range",
                f"Virtual PC's NAT translates only guests at 192.168.131.64–.191 using gateway "
                f"192.168.131.254; {nic.label} is at {nic.interface.ip} [NAT-6]",
                start,
            )
        hop = (*start, forwarder.label)
        if forwarder.kind == ForwarderKind.ROUTER:
            return self._through_router(forwarder, target, hop)
        return self._through_nat(forwarder, target, hop, visiting)

    @staticmethod
    def _through_router(router: Forwarder, target: str, hop: tuple[str, ...]) -> Outcome:
        assert router.lan is not None
        if target != INTERNET:
            return _fail("different_segment", f"{router.label} leads only to the internet", hop, irrelevant=True)
        if router.lan.has_internet:
            return _ok("gateway", (*hop, INTERNET))
        return _fail("no_internet_uplink", f"{router.lan.name} has no internet access (internet: false)", hop)

    def _through_nat(self, nat: Forwarder, target: str, hop: tuple[str, ...], visiting: frozenset[str]) -> Outcome:
        upstream_id = nat.upstream_endpoint
        assert upstream_id is not None
        upstream = self.endpoints[upstream_id]
        if target == upstream_id:
            return _ok("nat", (*hop, _name(upstream)))
        if upstream_id in visiting:
            return _fail("different_segment", f"{nat.label} leads back to where it started", hop)
        if nat.upstream_nic is None:  # a Virtual PC host never routes back through its own NAT
            beyond = self.pair(upstream_id, target)
        else:
            beyond = self._evaluate(upstream_id, target, [nat.upstream_nic], visiting | {upstream_id})
        if beyond.reachable:
            return _ok("nat", hop + beyond.path)
        code = beyond.code if beyond.code not in ("not_connected", "no_address") else "different_segment"
        if target == INTERNET:
            code = "no_internet_uplink"
        return _fail(code, f"through {nat.label}, {_name(upstream)} cannot reach it: {beyond.message}", hop)

    def all_pairs(self) -> list[tuple[str, str, Outcome]]:
        return [
            (source, target, self.pair(source, target))
            for source in self.endpoint_ids
            for target in self.endpoint_ids
            if source != target
        ]


def _name(endpoint: Endpoint) -> str:
    kind = endpoint.id.split(":", 1)[0]
    if kind == "host":
        return f"{endpoint.name} OS"
    if kind == "lan":
        return f"a PC on {endpoint.name}"
    return endpoint.name


def _unusable(endpoint: Endpoint, nics: list[Nic]) -> Outcome | None:
    if any(nic.usable for nic in nics):
        return None
    conflicted = [nic for nic in nics if nic.state == "conflict"]
    if conflicted:
        nic = conflicted[0]
        return _fail(
            "duplicate_ip",
            f"{nic.label}'s address {nic.interface.ip if nic.interface else ''} is used twice on "
            f"{nic.segment.label if nic.segment else ''}; Windows disabled it",
            (nic.label,),
        )
    return _fail("no_address", f"{_name(endpoint)} has no usable address")


def _on_link(a: Nic, b: Nic) -> bool:
    assert a.interface is not None and b.interface is not None
    return a.interface.ip in b.interface.network and b.interface.ip in a.interface.network


def _apart(nic: Nic, a: Endpoint, other: Nic, b: Endpoint) -> Outcome:
    here, there = nic.segment, other.segment
    assert here is not None and there is not None
    start = (nic.label, here.label)
    if here.nat_network is not None and here.nat_network == there.nat_network:
        return _fail(
            "nat_guest_isolation",
            f"Virtual PC's NAT keeps its guests apart: {nic.label} and {other.label} each sit alone with "
            "the NAT gateway [NAT-5]",
            start,
        )
    if there.behind_nat:
        return _fail(
            "nat_inbound_blocked",
            f"{other.label} sits behind NAT on {there.label}; nothing outside can open a connection in",
            start,
        )
    if here.network_key == there.network_key:
        return _fail(
            "vlan_mismatch",
            f"{nic.label} is on {_vlan(here.vlan)} and {other.label} on {_vlan(there.vlan)} of {here.network_key}",
            start,
        )
    for endpoint, segment, seen_from in ((b, here, nic), (a, there, other)):
        code = endpoint.absent_from.get(segment.network_key)
        if code is not None:
            return _fail(code, _absence_message(code, endpoint, seen_from), start)
    return _fail(
        "different_segment",
        f"{nic.label} is on {here.label} and {other.label} on {there.label}: no shared segment and no route",
        start,
    )


def _vlan(vlan: int | None) -> str:
    return f"VLAN {vlan}" if vlan is not None else "no VLAN (untagged)"


def _absence_message(code: str, host: Endpoint, seen_from: Nic) -> str:
    segment = seen_from.segment
    assert segment is not None
    if code == "mgmt_os_not_shared":
        return (
            f"the external network of {host.name} does not share its NIC with the management OS "
            f"(management_os: false), so {host.name} OS is not on {segment.network_key}"
        )
    return f"{host.name} OS has no adapter on {segment.label}"
