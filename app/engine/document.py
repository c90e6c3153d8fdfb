"""The lab document (SPEC §3): the one schema for import, export, API and CLI.

Field-level checks live on the fields; rules that look across the document (names, references,
product rules) are in `rules.py` and run when a whole lab is validated, so every edge that accepts a
lab document gets the same messages with the same locations.
"""

from datetime import datetime
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Strict,
    Tag,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.engine.products import (
    PRODUCTS,
    VIRTUAL_PC_INTERNAL_NAME,
    VIRTUAL_PC_NAT_NAME,
    NetworkKind,
    Product,
)

MAX_NAME_LENGTH = 100
LATEST_CLOCK_YEAR = 9000  # leases run up to 136 years past the clock, and dates end at 9999
MIN_STATIC_PREFIX, MAX_STATIC_PREFIX = 1, 30
DEFAULT_LAN_LEASE_SECONDS = 691_200  # 8 days, the Windows Server DHCP default


class DocumentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _no_endpoint_separators(name: str) -> str:
    # LAN, host and VM names become parts of endpoint ids such as `vm:host1/xp1`.
    if "/" in name or "#" in name:
        raise ValueError("must not contain '/' or '#' (they separate the parts of endpoint ids)")
    if name != name.strip():
        raise ValueError("must not start or end with white space")
    return name


def _printable(text: str) -> str:
    # Control characters cannot be typed, shown or stored everywhere (PostgreSQL refuses NUL).
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        raise ValueError("must not contain control characters")
    return text


def _printable_lines(text: str) -> str:
    _printable(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))  # line breaks and tabs are fine
    return text


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(_printable)]
# A node's place on the canvas (SPEC §3): bounded, so that a diagram's size stays a number people can pan across.
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]
EndpointName = Annotated[Name, AfterValidator(_no_endpoint_separators)]


def _parse_mac(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a MAC address is text such as 00-03-FF-91-5C-12")
    digits = value.replace("-", "").replace(":", "").replace(".", "")
    if len(digits) != 12 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise ValueError("a MAC address has six hex octets, e.g. 00-03-FF-91-5C-12")
    octets = [digits[i : i + 2].upper() for i in range(0, 12, 2)]
    if int(octets[0], 16) & 1:
        raise ValueError("a MAC address for an adapter must be unicast (first octet even)")
    return "-".join(octets)


def _address_text(value: Any) -> Any:
    # Pydantic would read the number 42 as 0.0.0.42: addresses must be written out.
    if not isinstance(value, str | IPv4Address | IPv4Interface | IPv4Network):
        raise ValueError("write addresses as text, e.g. 192.168.11.1 or 192.168.11.0/24")
    return value


MacAddress = Annotated[str, BeforeValidator(_parse_mac)]
Ip = Annotated[IPv4Address, BeforeValidator(_address_text), PlainSerializer(str, return_type=str)]
IpList = Annotated[list[Ip], Field(max_length=16)]


def _parse_subnet(value: Any) -> Any:
    value = _address_text(value)
    if isinstance(value, str):
        if "/" not in value:  # IPv4Network would read a bare address as a /32
            raise ValueError(f"write the subnet with its prefix length, e.g. {value.strip()}/24")
        try:
            return IPv4Network(value)
        except ValueError as error:  # Python says why: "has host bits set", "Octet 256 (> 255) not permitted"…
            raise ValueError(f"not a network such as 192.168.11.0/24: {error}") from None
    return value


Subnet = Annotated[IPv4Network, BeforeValidator(_parse_subnet)]
Interface = Annotated[IPv4Interface, BeforeValidator(_address_text)]


def _written_time(value: Any) -> Any:
    if not isinstance(value, str | datetime):  # pydantic would read a number as seconds since 1970
        raise ValueError("write the clock as a date and time, e.g. 2009-09-15T10:04:03")
    return value


def _local_time(value: datetime) -> datetime:
    if value.year >= LATEST_CLOCK_YEAR:
        raise ValueError(f"clock must be before the year {LATEST_CLOCK_YEAR}")
    if value.tzinfo is not None:
        raise ValueError("clock is the hosts' local time: write it without a time zone, e.g. 2009-09-15T10:04:03")
    return value


LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
    "description": "Local date and time without a zone, e.g. 2009-09-15T10:04:03",
    "examples": ["2009-09-15T10:04:03"],
}
Clock = Annotated[
    datetime, BeforeValidator(_written_time), AfterValidator(_local_time), WithJsonSchema(LOCAL_TIME_SCHEMA)
]
Flag = Annotated[bool, Strict()]
Count = Annotated[int, Strict()]
# DHCP carries lease times in 32 bits; 0xFFFFFFFF means "forever".
MAX_LEASE_SECONDS = 0xFFFF_FFFF
LeaseSeconds = Annotated[int, Strict(), Field(le=MAX_LEASE_SECONDS)]


class OperatingSystem(StrEnum):
    WINDOWS_2000 = "windows_2000"
    WINDOWS_XP = "windows_xp"
    WINDOWS_SERVER_2003 = "windows_server_2003"
    WINDOWS_VISTA = "windows_vista"
    WINDOWS_7 = "windows_7"
    WINDOWS_SERVER_2008 = "windows_server_2008"
    WINDOWS_SERVER_2008_R2 = "windows_server_2008_r2"
    LINUX = "linux"
    OTHER = "other"


class NodeType(StrEnum):
    """How the guest resolves NetBIOS names; ipconfig prints it as `Node Type` (§14.1)."""

    HYBRID = "hybrid"
    BROADCAST = "broadcast"


class StaticAddress(DocumentModel):
    """A fixed address [ST]: `ip` with its prefix, optional default gateway and DNS servers."""

    ip: Interface
    gateway: Ip | None = None
    dns_servers: IpList = []

    @field_validator("ip", mode="before")
    @classmethod
    def _needs_prefix(cls, value: Any) -> Any:
        if isinstance(value, str) and "/" not in value:
            raise ValueError("write the address with its prefix length, e.g. 10.0.0.5/24")
        return value

    @field_validator("ip")
    @classmethod
    def _host_address(cls, value: IPv4Interface) -> IPv4Interface:
        prefix = value.network.prefixlen
        if not MIN_STATIC_PREFIX <= prefix <= MAX_STATIC_PREFIX:
            raise ValueError(f"prefix length must be {MIN_STATIC_PREFIX}–{MAX_STATIC_PREFIX}, not /{prefix}")
        if value.ip == value.network.network_address:
            raise ValueError(f"{value.ip} is the network address of {value.network}, not a host address")
        if value.ip == value.network.broadcast_address:
            raise ValueError(f"{value.ip} is the broadcast address of {value.network}, not a host address")
        return value

    @model_validator(mode="after")
    def _gateway_on_link(self) -> "StaticAddress":
        if self.gateway is not None:
            if self.gateway not in self.ip.network:
                raise _field_error(
                    "gateway", self.gateway, f"gateway {self.gateway} is outside the subnet {self.ip.network}"
                )
            if self.gateway == self.ip.ip:
                raise _field_error("gateway", self.gateway, "the gateway cannot be the address itself")
        return self


def _field_error(field: str, value: Any, message: str) -> ValidationError:
    return ValidationError.from_exception_data(
        "address",
        [InitErrorDetails(type=PydanticCustomError("lab_rule", message), loc=(field,), input=str(value))],
    )


DHCP_TAG, STATIC_TAG = "address:dhcp", "address:static"


def _address_tag(value: Any) -> str | None:
    if value == "dhcp":
        return DHCP_TAG
    if isinstance(value, dict | StaticAddress):
        return STATIC_TAG
    return None


# `dhcp` or a static address. Pydantic puts the tag into error paths; error_path() drops it again.
UNION_TAGS = frozenset({DHCP_TAG, STATIC_TAG})
AddressSetting = Annotated[
    Annotated[Literal["dhcp"], Tag(DHCP_TAG)] | Annotated[StaticAddress, Tag(STATIC_TAG)],
    Discriminator(
        _address_tag,
        custom_error_type="address_setting",
        custom_error_message="an address is `dhcp` or a static address such as {ip: 10.0.0.5/24, gateway: 10.0.0.1}",
    ),
]


class PoolRange(DocumentModel):
    """Parsed from `range: [start, end]`."""

    start: Ip
    end: Ip


def _range_pair(value: Any) -> Any:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError("a range is two addresses: [start, end]")
        return {"start": value[0], "end": value[1]}
    return value


AddressRange = Annotated[
    PoolRange,
    BeforeValidator(_range_pair),
    PlainSerializer(lambda r: [str(r.start), str(r.end)], return_type=list[str]),
]


class LanDhcp(DocumentModel):
    range: AddressRange
    lease_seconds: LeaseSeconds = Field(DEFAULT_LAN_LEASE_SECONDS, ge=60)


class Lan(DocumentModel):
    name: EndpointName
    subnet: Subnet
    gateway: Ip | None = None
    internet: Flag | None = None  # absent: true when there is a gateway
    dns_servers: IpList = []
    dns_suffix: Name | None = None
    dhcp: LanDhcp | None = None

    @property
    def has_internet(self) -> bool:
        return self.gateway is not None if self.internet is None else self.internet


class VirtualServerDhcp(DocumentModel):
    """Virtual Server's built-in DHCP server on one virtual network [VSD]."""

    network: Subnet
    range: AddressRange
    server: Ip
    gateway: Ip | None = None
    dns_servers: IpList = []
    lease_seconds: LeaseSeconds
    renewal_seconds: LeaseSeconds | None = None
    rebinding_seconds: LeaseSeconds | None = None


class Network(DocumentModel):
    name: Name
    kind: NetworkKind
    dhcp: VirtualServerDhcp | None = None  # virtual_server_2005_r2 internal networks
    management_os: Flag | None = None  # hyper_v external networks; absent: true
    host_address: AddressSetting | None = None  # hyper_v internal networks; absent: dhcp

    @property
    def shares_with_management_os(self) -> bool:
        return self.management_os is not False


class Adapter(DocumentModel):
    network: Name | None = None  # absent or null: not connected
    mac: MacAddress | None = None
    address: AddressSetting = "dhcp"
    vlan: Count | None = Field(None, ge=1, le=4094)


class DhcpServerService(DocumentModel):
    adapter: Count = Field(ge=1)
    range: AddressRange
    gateway: Ip | None = None
    dns_servers: IpList = []
    lease_seconds: LeaseSeconds | None = Field(None, ge=60)


class IcsService(DocumentModel):
    public: Count = Field(ge=1)
    private: Count = Field(ge=1)


class Services(DocumentModel):
    dhcp_server: DhcpServerService | None = None
    ics: IcsService | None = None


def _both_or_neither(node):
    """A node is placed (x and y) or left to the automatic layout (neither)."""
    if (node.x is None) != (node.y is None):
        raise ValueError("give both x and y (the node's place on the canvas), or neither (the automatic layout)")
    return node


class Vm(DocumentModel):
    name: EndpointName
    hostname: Name | None = None
    os: OperatingSystem = OperatingSystem.OTHER
    node_type: NodeType = NodeType.HYBRID
    adapters: list[Adapter] = Field(min_length=1)
    services: Services = Services()
    x: Coordinate | None = None
    y: Coordinate | None = None

    _placed = model_validator(mode="after")(lambda self: _both_or_neither(self))

    @property
    def host_name(self) -> str:
        return self.hostname or self.name


class Host(DocumentModel):
    name: EndpointName
    product: Product
    lan: Name | None = None
    nic: Name = "Ethernet"
    nic_mac: MacAddress | None = None
    address: AddressSetting = "dhcp"
    networks: list[Network] | None = None
    vms: list[Vm] = []
    x: Coordinate | None = None
    y: Coordinate | None = None

    _placed = model_validator(mode="after")(lambda self: _both_or_neither(self))

    def effective_networks(self) -> list[Network]:
        """The networks the host has: as written, or Virtual PC's fixed set when omitted."""
        if self.networks is not None:
            return self.networks
        return default_networks(self.product, self.nic, on_lan=self.lan is not None)


def default_networks(product: Product, nic: str, on_lan: bool) -> list[Network]:
    """The networks a new host of `product` comes with: Virtual PC's fixed set, or none."""
    if not PRODUCTS[product].fixed_network_set:
        return []
    fixed = [
        Network(name=VIRTUAL_PC_INTERNAL_NAME, kind=NetworkKind.INTERNAL),
        Network(name=VIRTUAL_PC_NAT_NAME, kind=NetworkKind.NAT),
    ]
    if on_lan:
        fixed.append(Network(name=nic, kind=NetworkKind.EXTERNAL))
    return fixed


# Goals (SPEC §3, §12): what a lab must achieve, checked on every change.
GoalSource = Literal["dhcp", "apipa", "static", "none"]
MAX_GOAL_WARNINGS = 50


class ReachGoal(DocumentModel):
    name: Name | None = None
    reach: tuple[Name, Name]  # [from, to]: endpoints (§1) — from must be able to open a connection to to


class NoReachGoal(DocumentModel):
    name: Name | None = None
    no_reach: tuple[Name, Name]


class AddressGoal(DocumentModel):
    name: Name | None = None
    address: Name  # an adapter: "host/vm#n"
    source: GoalSource | None = None
    in_: Subnet | None = Field(default=None, alias="in", serialization_alias="in")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _something_to_check(self) -> "AddressGoal":
        if self.source is None and self.in_ is None:
            raise ValueError("say what the address must be: its source, a subnet it must be in (in), or both")
        return self


class NoWarningsGoal(DocumentModel):
    name: Name | None = None
    no_warnings: Annotated[list[Name], Field(min_length=1, max_length=MAX_GOAL_WARNINGS)]


def _goal_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((key for key in ("reach", "no_reach", "address", "no_warnings") if key in value), None)
    return {ReachGoal: "reach", NoReachGoal: "no_reach", AddressGoal: "address", NoWarningsGoal: "no_warnings"}.get(
        type(value)
    )


Goal = Annotated[
    Annotated[ReachGoal, Tag("reach")]
    | Annotated[NoReachGoal, Tag("no_reach")]
    | Annotated[AddressGoal, Tag("address")]
    | Annotated[NoWarningsGoal, Tag("no_warnings")],
    Discriminator(
        _goal_kind,
        custom_error_type="goal_kind",
        custom_error_message="a goal is one of {reach: [from, to]}, {no_reach: [from, to]}, "
        "{address: host/vm#n, source: …, in: …} or {no_warnings: [code, …]}",
    ),
]


class LabDocument(DocumentModel):
    vnetlab: Literal[1]
    name: Name
    description: Annotated[str, Field(max_length=2000), AfterValidator(_printable_lines)] | None = None
    clock: Clock | None = None
    lans: list[Lan] = []
    hosts: list[Host] = []
    goals: list[Goal] = []

    @model_validator(mode="after")
    def _document_rules(self) -> "LabDocument":
        from app.engine.rules import lab_rule_errors

        errors = lab_rule_errors(self)
        if errors:
            raise ValidationError.from_exception_data("LabDocument", errors)
        return self

    def to_data(self) -> dict[str, Any]:
        """The document as plain JSON-able data, without the fields left at their defaults."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True)
