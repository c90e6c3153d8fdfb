"""How big a lab document may be: counted on the raw data before any field is validated, so an oversized
document costs one pass over its lists, not a validation of every part in it.

The numbers are a server's settings (`VNETLAB_MAX_*`, see `app/config.py`); the defaults below are what
vnetlab promises to simulate within its time budget. Adapters per VM are the product's own limit.
"""

from dataclasses import dataclass
from typing import Any

from app.engine.products import PRODUCTS


@dataclass(frozen=True)
class DocumentCaps:
    lans: int = 100
    hosts: int = 1_000
    networks_per_host: int = 512
    vms: int = 10_000
    goals: int = 1_000

    def describe(self) -> str:
        return (
            f"{self.lans} LANs, {self.hosts} hosts, {self.networks_per_host} networks per host, "
            f"{self.vms} VMs, {self.goals} goals"
        )


# The most adapters any product gives a VM: a longer list is refused before the product is even looked at.
MOST_ADAPTERS = max(rules.max_adapters for rules in PRODUCTS.values())


@dataclass(frozen=True)
class CapExceeded:
    loc: tuple[str | int, ...]
    message: str


def _count(items: Any) -> int:
    return len(items) if isinstance(items, list) else 0


def cap_problems(data: Any, caps: DocumentCaps) -> list[CapExceeded]:
    """Every cap the raw document data goes over, with where and by how much."""
    if not isinstance(data, dict):
        return []
    found: list[CapExceeded] = []

    def over(loc: tuple[str | int, ...], count: int, cap: int, what: str, setting: str) -> None:
        if count > cap:
            found.append(
                CapExceeded(loc, f"{count:,} {what} is over this server's cap of {cap:,} ({setting})"),
            )

    over(("lans",), _count(data.get("lans")), caps.lans, "LANs", "VNETLAB_MAX_LANS")
    over(("goals",), _count(data.get("goals")), caps.goals, "goals", "VNETLAB_MAX_GOALS")
    hosts = data.get("hosts") if isinstance(data.get("hosts"), list) else []
    over(("hosts",), len(hosts), caps.hosts, "hosts", "VNETLAB_MAX_HOSTS")
    vms = 0
    for i, host in enumerate(hosts[: caps.hosts]):
        if not isinstance(host, dict):
            continue
        networks = _count(host.get("networks"))
        over(("hosts", i, "networks"), networks, caps.networks_per_host, "networks", "VNETLAB_MAX_NETWORKS_PER_HOST")
        host_vms = host.get("vms") if isinstance(host.get("vms"), list) else []
        vms += len(host_vms)
        product = host.get("product")
        rules = PRODUCTS.get(product) if isinstance(product, str) else None  # type: ignore[call-overload]
        most = rules.max_adapters if rules is not None else MOST_ADAPTERS
        for k, vm in enumerate(host_vms[: caps.vms]):
            adapters = _count(vm.get("adapters")) if isinstance(vm, dict) else 0
            if adapters > most:
                message = (
                    rules.too_many_adapters(adapters)
                    if rules is not None
                    else f"no product gives a VM at most {most} network adapters, not {adapters:,}"
                )
                found.append(CapExceeded(("hosts", i, "vms", k, "adapters"), message))
    over(("hosts",), vms, caps.vms, "VMs in all hosts together", "VNETLAB_MAX_VMS")
    return found
