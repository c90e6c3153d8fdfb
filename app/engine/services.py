"""VM services [SVC]: a DHCP server VM, and Windows Internet Connection Sharing."""

from ipaddress import IPv4Address, IPv4Interface

from app.engine.document import LabDocument, StaticAddress
from app.engine.segments import vm_endpoint_id
from app.engine.topology import DhcpServer, Forwarder, ForwarderKind, Nic, Topology

ICS_PRIVATE = IPv4Interface("192.168.0.1/24")
ICS_POOL = (IPv4Address("192.168.0.2"), IPv4Address("192.168.0.254"))
ICS_LEASE_SECONDS = 604_800  # one week, the ICS DHCP allocator's lease
ICS_DNS_SUFFIX = "mshome.net"
DEFAULT_VM_DHCP_LEASE_SECONDS = 691_200


def add_vm_services(lab: LabDocument, topology: Topology) -> set[str]:
    """Adds the servers and NAT gateways VM services run. Returns the endpoint ids that route (ICS)."""
    routing: set[str] = set()
    for host, state in zip(lab.hosts, topology.hosts, strict=True):
        nics_by_vm: dict[str, list[Nic]] = {}
        for nic in state.vm_nics:
            nics_by_vm.setdefault(nic.endpoint, []).append(nic)
        for vm in host.vms:
            vm_id = vm_endpoint_id(host.name, vm.name)
            nics = nics_by_vm[vm_id]
            if vm.services.ics is not None:
                routing.add(vm_id)
                _add_ics(vm.name, vm_id, nics[vm.services.ics.public - 1], nics[vm.services.ics.private - 1])
            dhcp = vm.services.dhcp_server
            if dhcp is not None:
                nic = nics[dhcp.adapter - 1]
                if nic.segment is None or nic.setting is None:
                    continue
                address = nic.setting.ip
                nic.segment.subnet = nic.segment.subnet or address.network
                nic.segment.dhcp_servers.append(
                    DhcpServer(
                        label=f"the DHCP server on {vm.name}",
                        builtin=False,
                        network=address.network,
                        first=int(dhcp.range.start),
                        last=int(dhcp.range.end),
                        server_address=address.ip,
                        gateway=dhcp.gateway,
                        dns_servers=list(dhcp.dns_servers),
                        dns_suffix=None,
                        lease_seconds=dhcp.lease_seconds or DEFAULT_VM_DHCP_LEASE_SECONDS,
                    )
                )
    return routing


def _add_ics(vm_name: str, vm_id: str, public: Nic, private: Nic) -> None:
    configured = private.setting
    if configured is not None and configured.ip != ICS_PRIVATE:
        private.warn(
            "ics_overrides_address",
            f"Internet Connection Sharing sets {private.label} to {ICS_PRIVATE}; "
            f"the configured {configured.ip} is replaced",
        )
    private.setting = StaticAddress(ip=ICS_PRIVATE)
    segment = private.segment
    if segment is None:
        return
    segment.subnet = segment.subnet or ICS_PRIVATE.network
    segment.behind_nat = True
    segment.dhcp_servers.append(
        DhcpServer(
            label=f"Internet Connection Sharing on {vm_name}",
            builtin=False,
            network=ICS_PRIVATE.network,
            first=int(ICS_POOL[0]),
            last=int(ICS_POOL[1]),
            server_address=ICS_PRIVATE.ip,
            gateway=ICS_PRIVATE.ip,
            dns_servers=[ICS_PRIVATE.ip],
            dns_suffix=ICS_DNS_SUFFIX,
            lease_seconds=ICS_LEASE_SECONDS,
        )
    )
    segment.forwarders.setdefault(
        ICS_PRIVATE.ip,
        Forwarder(
            ForwarderKind.ICS,
            ICS_PRIVATE.ip,
            f"ICS {ICS_PRIVATE.ip} ({vm_name})",
            upstream_endpoint=vm_id,
            upstream_nic=public,
        ),
    )
