"""Request and response bodies of the REST API. Field types are the lab document's own, so a value
the document would refuse is refused here with the same message."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.engine.document import (
    AddressSetting,
    Clock,
    Coordinate,
    Count,
    Flag,
    Ip,
    IpList,
    LanDhcp,
    MacAddress,
    Name,
    NodeType,
    OperatingSystem,
    Services,
    Subnet,
    VirtualServerDhcp,
)
from app.engine.products import NetworkKind, Product

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Description = Annotated[str, Field(max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Labs


class LabCreate(Body):
    name: Name
    description: Description | None = None
    clock: Clock | None = Field(None, description="Simulated boot time (the hosts' local time, no zone).")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Classroom 3", "description": "Week 2 lab"}]},
    )


class LabUpdate(Body):
    name: Name | None = None
    description: Description | None = None
    clock: Clock | None = None


class LabPublic(BaseModel):
    id: int
    name: str
    description: str | None
    clock: Clock | None
    version: int
    created_at: datetime
    updated_at: datetime


class LabKeysPublic(BaseModel):
    edit: str = Field(description="Opens the lab to read and to change. Keep it: it is shown only now.")
    view: str = Field(description="Opens the lab to read only: for a projector, or to hand out.")


class LabCreated(LabPublic):
    """A new lab, with its keys (SPEC §12), answered only this once."""

    keys: LabKeysPublic


# LANs


class LanFields(Body):
    gateway: Ip | None = None
    internet: Flag | None = None
    dns_servers: IpList = []
    dns_suffix: Name | None = None
    dhcp: LanDhcp | None = None


class LanCreate(LanFields):
    name: Name
    subnet: Subnet

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Office LAN",
                    "subnet": "192.168.11.0/24",
                    "gateway": "192.168.11.1",
                    "dns_servers": ["192.168.11.4"],
                    "dhcp": {"range": ["192.168.11.100", "192.168.11.199"]},
                }
            ]
        },
    )


class LanUpdate(LanFields):
    name: Name | None = None
    subnet: Subnet | None = None
    dns_servers: IpList | None = None  # type: ignore[assignment]


class LanPublic(BaseModel):
    id: int
    lab_id: int
    name: str
    subnet: str
    gateway: str | None
    internet: bool | None
    dns_servers: list[str]
    dns_suffix: str | None
    dhcp: dict[str, Any] | None


# Hosts


class HostFields(Body):
    lan_id: Id | None = None
    nic: Name = "Ethernet"
    nic_mac: MacAddress | None = None
    address: AddressSetting = "dhcp"
    x: Coordinate | None = None  # the host's place on the canvas; null: the automatic layout
    y: Coordinate | None = None


class HostCreate(HostFields):
    name: Name
    product: Product

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "host1", "product": "virtual_pc_2007", "lan_id": 1, "nic_mac": "00-1B-FC-91-5C-12"}]
        },
    )


class HostUpdate(HostFields):
    name: Name | None = None
    product: Product | None = None
    nic: Name | None = None  # type: ignore[assignment]
    address: AddressSetting | None = None  # type: ignore[assignment]


class HostPublic(BaseModel):
    id: int
    lab_id: int
    name: str
    product: str
    lan_id: int | None
    nic: str
    nic_mac: str | None
    address: Any
    x: float | None
    y: float | None


# Networks


class NetworkFields(Body):
    dhcp: VirtualServerDhcp | None = None
    management_os: Flag | None = None
    host_address: AddressSetting | None = None


class NetworkCreate(NetworkFields):
    host_id: Id
    name: Name
    kind: NetworkKind

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"host_id": 1, "name": "Lab A", "kind": "internal"}]}
    )


class NetworkUpdate(NetworkFields):
    name: Name | None = None
    kind: NetworkKind | None = None


class NetworkPublic(BaseModel):
    id: int
    lab_id: int
    host_id: int
    name: str
    kind: str
    dhcp: dict[str, Any] | None
    management_os: bool | None
    host_address: Any


# Adapters


class AdapterFields(Body):
    network_id: Id | None = Field(None, description="The network to attach to; null: not connected.")
    mac: MacAddress | None = None
    address: AddressSetting = "dhcp"
    vlan: Count | None = Field(None, ge=1, le=4094)


class AdapterSpec(AdapterFields):
    """An adapter created together with its VM."""


class AdapterCreate(AdapterFields):
    vm_id: Id

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"vm_id": 1, "network_id": 2}]})


class AdapterUpdate(AdapterFields):
    address: AddressSetting | None = None  # type: ignore[assignment]

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"network_id": 2}, {"network_id": None}]})


class AdapterPublic(BaseModel):
    id: int
    lab_id: int
    vm_id: int
    index: int = Field(description="1 for the VM's first adapter (Local Area Connection), 2 for the next…")
    network_id: int | None
    mac: str | None
    address: Any
    vlan: int | None


# VMs


class VmFields(Body):
    hostname: Name | None = None
    os: OperatingSystem = OperatingSystem.OTHER
    node_type: NodeType = NodeType.HYBRID
    x: Coordinate | None = None  # the VM's place on the canvas; null: the automatic layout
    y: Coordinate | None = None
    services: Services = Services()


class VmCreate(VmFields):
    host_id: Id
    name: Name
    adapters: list[AdapterSpec] = Field(default_factory=lambda: [AdapterSpec()], min_length=1, max_length=8)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"host_id": 1, "name": "xp1", "os": "windows_xp", "adapters": [{}]}]},
    )


class VmUpdate(VmFields):
    name: Name | None = None
    os: OperatingSystem | None = None  # type: ignore[assignment]
    node_type: NodeType | None = None  # type: ignore[assignment]
    services: Services | None = None  # type: ignore[assignment]


class VmPublic(BaseModel):
    id: int
    lab_id: int
    host_id: int
    name: str
    hostname: str | None
    os: str
    node_type: str
    x: float | None
    y: float | None
    services: dict[str, Any]
    adapter_ids: list[int]


# Problems


class Problem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ProblemList(BaseModel):
    detail: list[Problem] | str


# History


class VersionPublic(BaseModel):
    version: int
    created_at: datetime
    via: str
    summary: str
    checkpoint: str | None


class RevertBody(Body):
    version: Id

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 3}]})


class CheckpointBody(Body):
    name: Name

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "before week 3"}]})


class DocumentChangePublic(BaseModel):
    path: str = Field(description="JSON Pointer over names, e.g. /hosts/host1/vms/xp-off/adapters/1/network")
    op: str = Field(description="added, removed or changed (a renamed part: its `…/name` changed)")
    before: Any
    after: Any


class AdapterState(BaseModel):
    network: str | None
    ip: str | None
    source: str


class AdapterChangePublic(BaseModel):
    adapter: str = Field(description="host/vm#n")
    before: AdapterState | None
    after: AdapterState | None


class ReachabilityChange(BaseModel):
    gained: list[tuple[str, str]]
    lost: list[tuple[str, str]]
    listed: bool = Field(description="false when a version has over 300 endpoints: pairs are then not compared")


class DiffPublic(BaseModel):
    summary: str
    document: list[DocumentChangePublic]
    adapters: list[AdapterChangePublic]
    reachability: ReachabilityChange


# Goals


class CheckPublic(BaseModel):
    goal: dict[str, Any]  # as the lab document writes it
    name: str | None
    passed: bool
    detail: str  # what the engine found: the way, the reason, the address, the warnings


# Assignments (SPEC §12)


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text.strip()


Title = Annotated[Name, AfterValidator(_not_blank)]
StudentName = Annotated[Name, AfterValidator(_not_blank)]


class AssignmentCreate(Body):
    title: Title


class AssignmentPublic(BaseModel):
    id: int
    lab_id: int
    title: str
    created_at: datetime
    join_token: str | None = Field(description="None if the admin token changed since the assignment was made")
    student_link: str | None = Field(description="Students open it, give their name and get their own copy")
    results_link: str = Field(description="The results page (the lab's edit key)")


class JoinBody(Body):
    student: StudentName = Field(description="The student's name as the results show it")


class Joined(LabCreated):
    """The student's own copy, with its keys."""

    assignment_id: int
    student: str


class StudentResultPublic(BaseModel):
    student: str
    lab_id: int
    version: int
    updated_at: datetime
    goals_passed: int
    goals_total: int
    checks: list[CheckPublic]
