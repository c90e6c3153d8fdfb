"""What each virtualization product offers, as data that validation, engine and forms all read."""

from dataclasses import dataclass
from enum import StrEnum

# The names Virtual PC gives its fixed networks (the external one is named after the host's NIC).
VIRTUAL_PC_INTERNAL_NAME = "Local only"
VIRTUAL_PC_NAT_NAME = "Shared networking (NAT)"


class Product(StrEnum):
    VIRTUAL_PC_2004 = "virtual_pc_2004"
    VIRTUAL_PC_2007 = "virtual_pc_2007"
    WINDOWS_VIRTUAL_PC = "windows_virtual_pc"
    VIRTUAL_SERVER_2005_R2 = "virtual_server_2005_r2"
    HYPER_V = "hyper_v"


class NetworkKind(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"
    NAT = "nat"
    PRIVATE = "private"


class MacScheme(StrEnum):
    VIRTUAL_PC = "virtual_pc"  # 00-03-FF + bytes of the host's NIC MAC
    HYPER_V = "hyper_v"  # 00-15-5D + host IP octets + counter


UNLIMITED = None


@dataclass(frozen=True)
class ProductRules:
    label: str
    # How many networks of each kind a host may have; a kind absent here is not offered.
    network_limits: dict[NetworkKind, int | None]
    # Networks created with the host when its document omits `networks`.
    fixed_network_set: bool
    nat_adapter_indexes: frozenset[int] | None  # None: NAT on any adapter (where NAT exists)
    static_mac_allowed: bool
    vlan_allowed: bool
    vs_dhcp_allowed: bool  # Virtual Server's per-network DHCP server
    max_adapters: int
    mac_scheme: MacScheme
    # ipconfig's `Description` of a VM adapter [W7R-11]: as the XP family names it, and as Vista and later do.
    adapter_description: str
    later_adapter_description: str

    @property
    def fixed_network_names(self) -> dict[NetworkKind, str]:
        """The names the product gives its own networks (the external one is named after the host's NIC)."""
        if not self.fixed_network_set:
            return {}
        return {NetworkKind.INTERNAL: VIRTUAL_PC_INTERNAL_NAME, NetworkKind.NAT: VIRTUAL_PC_NAT_NAME}

    def too_many_adapters(self, count: int) -> str:
        return f"{self.label} gives a VM at most {self.max_adapters} network adapters, not {count:,}"

    def offers(self, kind: NetworkKind) -> bool:
        return kind in self.network_limits

    def offered_kinds(self) -> str:
        kinds = [str(kind) for kind in self.network_limits]
        return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"


_VIRTUAL_PC_NETWORKS = {NetworkKind.INTERNAL: 1, NetworkKind.NAT: 1, NetworkKind.EXTERNAL: 1}
_INTEL_21140 = "Intel 21140-Based PCI Fast Ethernet Adapter (Generic)"
_INTEL_21140_LATER = "Intel 21140-Based PCI Fast Ethernet Adapter (Emulated)"
_VMBUS = "Microsoft Virtual Machine Bus Network Adapter"


def _virtual_pc(label: str, nat_adapters: frozenset[int] | None) -> ProductRules:
    return ProductRules(
        label=label,
        network_limits=_VIRTUAL_PC_NETWORKS,
        fixed_network_set=True,
        nat_adapter_indexes=nat_adapters,
        static_mac_allowed=False,
        vlan_allowed=False,
        vs_dhcp_allowed=False,
        max_adapters=4,
        mac_scheme=MacScheme.VIRTUAL_PC,
        adapter_description=_INTEL_21140,
        later_adapter_description=_INTEL_21140_LATER,
    )


PRODUCTS: dict[Product, ProductRules] = {
    # [P-2] Virtual PC 2004 offers shared networking (NAT) on the first adapter only.
    Product.VIRTUAL_PC_2004: _virtual_pc("Virtual PC 2004", frozenset({1})),
    Product.VIRTUAL_PC_2007: _virtual_pc("Virtual PC 2007", None),
    Product.WINDOWS_VIRTUAL_PC: _virtual_pc("Windows Virtual PC", None),
    Product.VIRTUAL_SERVER_2005_R2: ProductRules(
        label="Virtual Server 2005 R2",
        network_limits={NetworkKind.INTERNAL: UNLIMITED, NetworkKind.EXTERNAL: 1},
        fixed_network_set=False,
        nat_adapter_indexes=None,
        static_mac_allowed=True,
        vlan_allowed=False,
        vs_dhcp_allowed=True,
        max_adapters=4,
        mac_scheme=MacScheme.VIRTUAL_PC,
        adapter_description=_INTEL_21140,
        later_adapter_description=_INTEL_21140_LATER,
    ),
    Product.HYPER_V: ProductRules(
        label="Hyper-V",
        network_limits={NetworkKind.INTERNAL: UNLIMITED, NetworkKind.PRIVATE: UNLIMITED, NetworkKind.EXTERNAL: 1},
        fixed_network_set=False,
        nat_adapter_indexes=None,
        static_mac_allowed=True,
        vlan_allowed=True,
        vs_dhcp_allowed=False,
        max_adapters=8,
        mac_scheme=MacScheme.HYPER_V,
        adapter_description=_VMBUS,
        later_adapter_description=_VMBUS,
    ),
}


HYPER_V_MAC_POOL_SIZE = 256
