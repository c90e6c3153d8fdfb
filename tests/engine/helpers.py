"""Small builders for lab documents in tests: only what a test cares about is spelled out."""

from typing import Any

from app.engine.document import LabDocument
from app.engine.result import AdapterResult, Reachability, SimulationResult
from app.engine.simulate import Simulation

CLOCK = "2009-09-15T10:04:03"


def office_lan(**overrides: Any) -> dict[str, Any]:
    lan = {
        "name": "Office LAN",
        "subnet": "192.168.11.0/24",
        "gateway": "192.168.11.1",
        "dns_servers": ["192.168.11.4", "192.168.11.8"],
        "dns_suffix": "example.com",
        "dhcp": {"range": ["192.168.11.100", "192.168.11.199"], "lease_seconds": 691200},
    }
    lan.update(overrides)
    return lan


def vm(name: str, *networks: str | None, **fields: Any) -> dict[str, Any]:
    """A VM with one adapter per network given (None: not connected)."""
    return {"name": name, "adapters": [{"network": n} for n in networks], **fields}


def lab(*hosts: dict[str, Any], lans: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    return {"vnetlab": 1, "name": "test lab", "clock": CLOCK, "lans": lans or [], "hosts": list(hosts), **fields}


def run(data: dict[str, Any]) -> Simulation:
    return Simulation(LabDocument.model_validate(data))


def result(data: dict[str, Any]) -> SimulationResult:
    return run(data).result()


def adapter(res: SimulationResult, vm_name: str, index: int = 1) -> AdapterResult:
    return next(a for a in res.adapters if a.vm == vm_name and a.index == index)


def pair(res: SimulationResult, source: str, target: str) -> Reachability:
    assert res.reachability is not None
    return next(r for r in res.reachability if r.from_ == source and r.to == target)


def reason(res: SimulationResult, source: str, target: str) -> str | None:
    row = pair(res, source, target)
    return None if row.reachable else row.reason.code  # type: ignore[union-attr]


def warning_codes(item: AdapterResult) -> list[str]:
    return [w.code for w in item.warnings]


NAT = "Shared networking (NAT)"


def vpc(*vms: dict[str, Any], name: str = "host1", **fields: Any) -> dict[str, Any]:
    """A Virtual PC 2007 host (its fixed networks created) with these VMs."""
    return {"name": name, "product": "virtual_pc_2007", **fields, "vms": list(vms)}


def static(name: str, network: str, ip: str, **address: Any) -> dict[str, Any]:
    """A VM with one adapter on `network` at a static address."""
    return {"name": name, "adapters": [{"network": network, "address": {"ip": ip, **address}}]}


def warning(item: AdapterResult, code: str) -> str:
    """The message of the one warning `code` on an adapter."""
    (found,) = [w for w in item.warnings if w.code == code]
    return found.message
