"""Tables. Every part carries `lab_id`, so a whole lab loads in one query per table; `position` keeps
document order, which decides who gets which DHCP lease."""

from datetime import datetime
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json(nullable: bool = True) -> Any:
    # none_as_null: an absent value is SQL NULL, not the JSON text 'null' that every load would parse.
    return Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=nullable))


MAX_ID = 2**31 - 1  # ids beyond what the databases store (PostgreSQL's INTEGER) are simply unknown


class PartRow(SQLModel):
    """What every part of a lab has: its id, its lab, and its place in document order."""

    id: int | None = Field(default=None, primary_key=True)
    lab_id: int = Field(foreign_key="labs.id", ondelete="CASCADE", index=True)
    position: int


class LabRow(SQLModel, table=True):
    __tablename__ = "labs"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    clock: NaiveDatetime | None = None  # the hosts' local time, as in the document
    version: int = 1
    created_at: datetime
    updated_at: datetime
    goals: list | None = _json()  # the document's goals (SPEC §3, §12), as it writes them


class LanRow(PartRow, table=True):
    __tablename__ = "lans"
    __table_args__ = (UniqueConstraint("lab_id", "name"),)

    name: str = Field(max_length=100)
    subnet: str
    gateway: str | None = None
    internet: bool | None = None
    dns_servers: list[str] | None = _json()
    dns_suffix: str | None = None
    dhcp: dict | None = _json()


class HostRow(PartRow, table=True):
    __tablename__ = "hosts"
    __table_args__ = (UniqueConstraint("lab_id", "name"),)

    name: str = Field(max_length=100)
    product: str
    lan_id: int | None = Field(default=None, foreign_key="lans.id", ondelete="SET NULL", index=True)
    nic: str = "Ethernet"
    nic_mac: str | None = None
    address: Any = _json()  # "dhcp" or a static address
    x: float | None = None  # the host's place on the canvas; None: the automatic layout
    y: float | None = None


class NetworkRow(PartRow, table=True):
    __tablename__ = "networks"
    __table_args__ = (UniqueConstraint("host_id", "name"),)

    host_id: int = Field(foreign_key="hosts.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    kind: str
    dhcp: dict | None = _json()
    management_os: bool | None = None
    host_address: Any = _json()


class VmRow(PartRow, table=True):
    __tablename__ = "vms"
    __table_args__ = (UniqueConstraint("host_id", "name"),)

    host_id: int = Field(foreign_key="hosts.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    hostname: str | None = None
    os: str = "other"
    node_type: str = "hybrid"
    x: float | None = None  # the VM's place on the canvas; None: the automatic layout
    y: float | None = None
    services: dict | None = _json()


class AdapterRow(PartRow, table=True):
    __tablename__ = "adapters"

    vm_id: int = Field(foreign_key="vms.id", ondelete="CASCADE", index=True)
    network_id: int | None = Field(default=None, foreign_key="networks.id", ondelete="SET NULL", index=True)
    mac: str | None = None
    address: Any = _json()
    vlan: int | None = None


class LabVersionRow(SQLModel, table=True):
    """One version of a lab [H]: the whole document it was, and when, how and what changed to make it.
    Pruning (VNETLAB_KEEP_VERSIONS) empties `document` of old versions but keeps the row, so the history
    and the undo stack it spells stay whole."""

    __tablename__ = "lab_versions"
    __table_args__ = (UniqueConstraint("lab_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    lab_id: int = Field(foreign_key="labs.id", ondelete="CASCADE", index=True)
    version: int
    created_at: datetime
    via: str = Field(max_length=20)
    summary: str = Field(max_length=500)
    checkpoint: str | None = Field(default=None, max_length=100)
    document: dict | None = _json()


class LabKeyRow(SQLModel, table=True):
    """A lab's keys (SPEC §12) as app/access/keys.py makes them: the nonce they are made from, and their hashes.
    A table of their own: adding columns to `labs` would make SQLite rebuild it, and dropping the old table
    cascades to every part."""

    __tablename__ = "lab_keys"

    lab_id: int = Field(foreign_key="labs.id", ondelete="CASCADE", primary_key=True)
    nonce: str = Field(max_length=50)
    edit_hash: str = Field(max_length=64, unique=True)
    view_hash: str = Field(max_length=64, unique=True)


class InstanceRow(SQLModel, table=True):
    """The instance's own settings: its admin token, when VNETLAB_ADMIN_TOKEN does not give one."""

    __tablename__ = "instance"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
    shown_at: datetime | None = None  # when `vnetlab serve` printed it (once)


class AssignmentRow(SQLModel, table=True):
    """An assignment (SPEC §12): students join it by its join token and get their own copy of the lab."""

    __tablename__ = "assignments"

    id: int | None = Field(default=None, primary_key=True)
    lab_id: int = Field(foreign_key="labs.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    token_nonce: str = Field(max_length=50)  # the join token is made from it like a key, and stored hashed
    join_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    # The lab's goals when the assignment was made: what every copy is checked against, whatever its student
    # does to the copy's own goals.
    goals: list = Field(sa_column=Column(JSON(none_as_null=True), nullable=False))


class StudentCopyRow(SQLModel, table=True):
    """A student's copy of an assignment's lab."""

    __tablename__ = "student_copies"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignments.id", ondelete="CASCADE", index=True)
    lab_id: int = Field(foreign_key="labs.id", ondelete="CASCADE", unique=True)
    student: str = Field(max_length=100)
    joined_at: datetime
