"""The simulation result (SPEC §7). Field names and enum values are the contract."""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

AdapterState = Literal["connected", "not_connected", "conflict"]
AddressSource = Literal["dhcp", "apipa", "static", "none"]
Via = Literal["direct", "gateway", "nat"]


class ResultModel(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class Warning(ResultModel):
    code: str
    message: str


class AdapterResult(ResultModel):
    host: str
    vm: str
    index: int
    network: str | None
    network_kind: str | None
    state: AdapterState
    mac: str
    source: AddressSource
    ip: str | None
    prefix: int | None
    mask: str | None
    gateway: str | None
    dhcp_server: str | None
    dns_servers: list[str]
    dns_suffix: str | None
    lease_obtained: str | None
    lease_expires: str | None
    segment: str | None
    warnings: list[Warning]


class HostAddress(ResultModel):
    network: str
    source: AddressSource
    ip: str | None
    prefix: int | None
    gateway: str | None
    dns_servers: list[str]
    dns_suffix: str | None


class HostResult(ResultModel):
    host: str
    addresses: list[HostAddress]


# Pair rows are plain dataclasses: a result lists up to 89,700 of them, and building that many pydantic
# models took longer than working the pairs out. Pydantic still validates, serializes and documents them.
@dataclass(slots=True)
class Reason:
    code: str
    message: str


@dataclass(slots=True)
class Reachability:
    from_: Annotated[str, Field(validation_alias="from", serialization_alias="from")]
    to: str
    reachable: bool
    via: Via | None
    reason: Reason | None
    path: tuple[str, ...]  # a JSON array; a tuple so that rows can share it


class SimulationResult(ResultModel):
    lab: str
    clock: str
    adapters: list[AdapterResult]
    hosts: list[HostResult]
    endpoints: list[str]
    reachability: list[Reachability] | None
    reachability_truncated: bool = False
    warnings: list[Warning]

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(by_alias=True, indent=indent)
