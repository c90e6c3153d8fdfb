"""The designer's editing forms: flat HTML fields to and from API bodies, errors back next to their field.

Forms offer only what the part's product allows (a MAC only where static MACs exist, a VLAN only on Hyper-V,
DHCP settings only on Virtual Server internal networks…); what they submit is checked by the API's own
schemas and the lab document's rules.
"""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Form

from app.db.models import MAX_ID
from app.engine.document import UNION_TAGS, NodeType
from app.engine.guests import OS_GROUPS, OS_NAMES
from app.engine.products import PRODUCTS, NetworkKind, Product


@dataclass
class FormField:
    name: str
    label: str
    value: str = ""
    kind: str = "text"  # text | select | number
    options: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""
    error: str = ""
    # A select whose options read better in named groups; `options` then lists them all, in order.
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    @classmethod
    def grouped(cls, name: str, label: str, value: str, groups: list[tuple[str, list[tuple[str, str]]]]) -> "FormField":
        options = [option for _, members in groups for option in members]
        return cls(name, label, value, "select", options, groups=groups)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _list(value: Any) -> str:
    return ", ".join(value or [])


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _optional(form: dict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


MAX_NUMBER = 2**31 - 1  # what the databases store in an integer column; also ~68 years of seconds
MAX_FIELD_LENGTH = 500
# The version of the lab the page showed when the form was sent: a change based on an older one is refused.
Version = Annotated[int, Form(ge=1, le=MAX_ID)]
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,10}")  # ASCII digits only: "²".isdigit() and "١".isdigit() are true
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def parse_int(text: str) -> int | None:
    """A whole number written in the digits 0–9, within ±MAX_NUMBER; None for anything else."""
    text = text.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if abs(value) <= MAX_NUMBER else None


def parse_id(text: str) -> int | None:
    """A part's id as a form or a drop sends it; None unless it is one."""
    value = parse_int(text)
    return value if value is not None and value >= 1 else None


def text_problem(value: str) -> str | None:
    """What is wrong with a typed text whatever field it is in, if anything."""
    if len(value) > MAX_FIELD_LENGTH:
        return f"at most {MAX_FIELD_LENGTH} characters"
    if _CONTROL.search(value):
        return "control characters (such as a tab or a line break) are not allowed here"
    return None


def _number(form: dict[str, str], name: str) -> int | str | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    number = parse_int(value)
    return value if number is None else number  # a non-number is refused by the schema


def _address_fields(prefix: str, label: str, address: Any) -> list[FormField]:
    static = address if isinstance(address, dict) else {}
    return [
        FormField(
            f"{prefix}_mode", label, "static" if static else "dhcp", "select", [("dhcp", "DHCP"), ("static", "static")]
        ),
        FormField(f"{prefix}_ip", "IP address/prefix", _text(static.get("ip")), hint="e.g. 10.0.0.5/24"),
        FormField(f"{prefix}_gateway", "Default gateway", _text(static.get("gateway"))),
        FormField(f"{prefix}_dns", "DNS servers", _list(static.get("dns_servers")), hint="comma-separated"),
    ]


def _address_body(form: dict[str, str], prefix: str) -> Any:
    if form.get(f"{prefix}_mode", "dhcp") != "static":
        return "dhcp"
    body: dict[str, Any] = {"ip": form.get(f"{prefix}_ip", "").strip()}
    if _optional(form, f"{prefix}_gateway"):
        body["gateway"] = _optional(form, f"{prefix}_gateway")
    body["dns_servers"] = _split(form.get(f"{prefix}_dns", ""))
    return body


# Where a body field's problems are shown: the first form field whose name it starts with.
_ERROR_FIELDS = {
    "dhcp.range.start": "dhcp_start",
    "dhcp.range.end": "dhcp_end",
    "dhcp.range": "dhcp_start",
    "dhcp.lease_seconds": "dhcp_lease_seconds",
    "dhcp.renewal_seconds": "dhcp_renewal_seconds",
    "dhcp.rebinding_seconds": "dhcp_rebinding_seconds",
    "dhcp.network": "dhcp_network",
    "dhcp.server": "dhcp_server",
    "dhcp.gateway": "dhcp_gateway",
    "dhcp.dns_servers": "dhcp_dns",
    "dhcp": "dhcp_start",
    "address.ip": "address_ip",
    "address.gateway": "address_gateway",
    "address.dns_servers": "address_dns",
    "address": "address_mode",
    "host_address.ip": "host_address_ip",
    "host_address.gateway": "host_address_gateway",
    "host_address": "host_address_mode",
    "services.dhcp_server.adapter": "dhcp_server_adapter",
    "services.dhcp_server.range.start": "dhcp_server_start",
    "services.dhcp_server.range.end": "dhcp_server_end",
    "services.dhcp_server.range": "dhcp_server_start",
    "services.dhcp_server.gateway": "dhcp_server_gateway",
    "services.dhcp_server.dns_servers": "dhcp_server_dns",
    "services.dhcp_server.lease_seconds": "dhcp_server_lease_seconds",
    "services.dhcp_server": "dhcp_server_adapter",
    "services.ics.public": "ics_public",
    "services.ics.private": "ics_private",
    "services.ics": "ics_public",
    "dns_servers": "dns_servers",
}


def error_field(loc: list[Any]) -> str:
    """The form field a problem at `loc` (["body", …]) belongs to."""
    path = ".".join(str(part) for part in loc[1:] if not isinstance(part, int) and part not in UNION_TAGS)
    for prefix, name in _ERROR_FIELDS.items():
        if path == prefix or path.startswith(prefix + "."):
            return name
    return path.split(".")[0] if path else ""


@dataclass
class PartForm:
    kind: str
    title: str
    fields: list[FormField]
    part_id: int | None = None
    parent_id: int | None = None
    general_errors: list[str] = field(default_factory=list)
    delete_question: str = ""  # what deleting the part takes with it, asked before it goes

    def check(self) -> bool:
        """Refuses next to its field what no schema should have to read: overlong or control characters,
        a number not written in digits or out of range, a choice that was not offered. Values are those
        submitted (set on the fields before this is called)."""
        for item in self.fields:
            value = item.value
            problem = text_problem(value)
            if problem is None and item.kind == "number" and value.strip():
                number = parse_int(value)
                if number is None or number < 0:
                    problem = f"a whole number from 0 to {MAX_NUMBER}, in the digits 0–9"
            if problem is None and item.kind == "select" and value not in {v for v, _ in item.options}:
                problem = "choose one of the listed values"
            if problem is not None:
                item.error = problem
        return not any(item.error for item in self.fields)

    def show_errors(self, problems: list[tuple[list[Any], str]]) -> None:
        by_name = {f.name: f for f in self.fields}
        for loc, message in problems:
            target = by_name.get(error_field(loc)) if loc and loc[0] == "body" else None
            if target is not None and not target.error:
                target.error = message
            else:
                where = ".".join(str(p) for p in loc[1:]) if loc else ""
                self.general_errors.append(f"{where}: {message}" if where else message)


def lan_form(lan: Any | None) -> PartForm:
    dhcp = (lan.dhcp if lan else None) or {}
    internet = "" if lan is None or lan.internet is None else ("yes" if lan.internet else "no")
    return PartForm(
        "lan",
        f"LAN {lan.name}" if lan else "New LAN",
        [
            FormField("name", "Name", _text(lan.name if lan else "")),
            FormField("subnet", "Subnet", _text(lan.subnet if lan else ""), hint="e.g. 192.168.11.0/24"),
            FormField("gateway", "Router (gateway)", _text(lan.gateway if lan else "")),
            FormField(
                "internet",
                "Internet",
                internet,
                "select",
                [("", "when there is a router"), ("yes", "yes"), ("no", "no")],
            ),
            FormField("dns_servers", "DNS servers", _list(lan.dns_servers if lan else []), hint="comma-separated"),
            FormField("dns_suffix", "DNS suffix", _text(lan.dns_suffix if lan else "")),
            FormField(
                "dhcp_start",
                "DHCP range start",
                _text((dhcp.get("range") or ["", ""])[0]),
                hint="empty: no DHCP server",
            ),
            FormField("dhcp_end", "DHCP range end", _text((dhcp.get("range") or ["", ""])[1])),
            FormField("dhcp_lease_seconds", "Lease (seconds)", _text(dhcp.get("lease_seconds")), "number"),
        ],
        part_id=lan.id if lan else None,
    )


def lan_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "subnet": form.get("subnet", "").strip(),
        "gateway": _optional(form, "gateway"),
        "internet": {"yes": True, "no": False}.get(form.get("internet", "")),
        "dns_servers": _split(form.get("dns_servers", "")),
        "dns_suffix": _optional(form, "dns_suffix"),
        "dhcp": None,
    }
    if _optional(form, "dhcp_start") or _optional(form, "dhcp_end"):
        body["dhcp"] = {"range": [form.get("dhcp_start", "").strip(), form.get("dhcp_end", "").strip()]}
        if _number(form, "dhcp_lease_seconds") is not None:
            body["dhcp"]["lease_seconds"] = _number(form, "dhcp_lease_seconds")
    return body


def host_form(host: Any | None, lans: list[Any]) -> PartForm:
    products = [(str(p), PRODUCTS[p].label) for p in Product]
    lan_options = [("", "none")] + [(str(lan.id), lan.name) for lan in lans]
    return PartForm(
        "host",
        f"Host {host.name}" if host else "New host",
        [
            FormField("name", "Name", _text(host.name if host else "")),
            FormField("product", "Product", _text(host.product if host else "virtual_pc_2007"), "select", products),
            FormField("lan_id", "LAN", _text(host.lan_id if host else ""), "select", lan_options),
            FormField("nic", "Physical NIC", _text(host.nic if host else "Ethernet")),
            FormField("nic_mac", "NIC MAC", _text(host.nic_mac if host else ""), hint="optional; seeds VM MACs"),
            *_address_fields("address", "Host OS address on the LAN", host.address if host else None),
        ],
        part_id=host.id if host else None,
    )


def host_body(form: dict[str, str]) -> dict[str, Any]:
    return {
        "name": form.get("name", "").strip(),
        "product": form.get("product", ""),
        "lan_id": _number(form, "lan_id"),
        "nic": form.get("nic", "").strip() or "Ethernet",
        "nic_mac": _optional(form, "nic_mac"),
        "address": _address_body(form, "address"),
    }


def network_form(network: Any | None, host: Any) -> PartForm:
    rules = PRODUCTS[Product(host.product)]
    kinds = [(str(kind), str(kind)) for kind in rules.network_limits]
    fields = [
        FormField("name", "Name", _text(network.name if network else "")),
        FormField("kind", "Kind", _text(network.kind if network else kinds[0][0]), "select", kinds),
    ]
    kind = network.kind if network else None
    if rules.vs_dhcp_allowed and kind in (None, NetworkKind.INTERNAL):
        dhcp = (network.dhcp if network else None) or {}
        rng = dhcp.get("range") or ["", ""]
        fields += [
            FormField("dhcp_network", "DHCP network", _text(dhcp.get("network")), hint="empty: no DHCP server"),
            FormField("dhcp_start", "Range start", _text(rng[0]), hint="at least the network's 17th address"),
            FormField("dhcp_end", "Range end", _text(rng[1])),
            FormField("dhcp_server", "Server address", _text(dhcp.get("server"))),
            FormField("dhcp_gateway", "Gateway given out", _text(dhcp.get("gateway"))),
            FormField("dhcp_dns", "DNS servers given out", _list(dhcp.get("dns_servers"))),
            FormField("dhcp_lease_seconds", "Lease (seconds)", _text(dhcp.get("lease_seconds")), "number"),
            FormField("dhcp_renewal_seconds", "Renewal (seconds)", _text(dhcp.get("renewal_seconds")), "number"),
            FormField("dhcp_rebinding_seconds", "Rebinding (seconds)", _text(dhcp.get("rebinding_seconds")), "number"),
        ]
    if Product(host.product) == Product.HYPER_V and kind in (None, NetworkKind.EXTERNAL):
        shared = "" if network is None or network.management_os is None else ("yes" if network.management_os else "no")
        fields.append(
            FormField(
                "management_os",
                "Share the NIC with the host OS",
                shared,
                "select",
                [("", "yes (default)"), ("yes", "yes"), ("no", "no")],
                hint="external only",
            )
        )
    if Product(host.product) == Product.HYPER_V and kind in (None, NetworkKind.INTERNAL):
        fields += _address_fields("host_address", "Host vEthernet address", network.host_address if network else None)
    return PartForm(
        "network",
        f"Network {network.name}" if network else f"New network on {host.name}",
        fields,
        part_id=network.id if network else None,
        parent_id=host.id,
    )


def network_body(form: dict[str, str], host: Any) -> dict[str, Any]:
    kind = form.get("kind", "")
    body: dict[str, Any] = {"name": form.get("name", "").strip(), "kind": kind}
    product = Product(host.product)
    if PRODUCTS[product].vs_dhcp_allowed and kind == NetworkKind.INTERNAL:
        body["dhcp"] = None
        if _optional(form, "dhcp_network"):
            dhcp: dict[str, Any] = {
                "network": form.get("dhcp_network", "").strip(),
                "range": [form.get("dhcp_start", "").strip(), form.get("dhcp_end", "").strip()],
                "server": form.get("dhcp_server", "").strip(),
                "dns_servers": _split(form.get("dhcp_dns", "")),
                "lease_seconds": _number(form, "dhcp_lease_seconds"),
            }
            for name in ("gateway",):
                if _optional(form, f"dhcp_{name}"):
                    dhcp[name] = _optional(form, f"dhcp_{name}")
            for name in ("renewal_seconds", "rebinding_seconds"):
                if _number(form, f"dhcp_{name}") is not None:
                    dhcp[name] = _number(form, f"dhcp_{name}")
            body["dhcp"] = dhcp
    if product == Product.HYPER_V and kind == NetworkKind.EXTERNAL:
        body["management_os"] = {"yes": True, "no": False}.get(form.get("management_os", ""))
    if product == Product.HYPER_V and kind == NetworkKind.INTERNAL:
        address = _address_body(form, "host_address")
        body["host_address"] = None if address == "dhcp" else address
    return body


def vm_form(vm: Any | None, host: Any) -> PartForm:
    services = (vm.services if vm else None) or {}
    dhcp = services.get("dhcp_server") or {}
    rng = dhcp.get("range") or ["", ""]
    ics = services.get("ics") or {}
    systems = [(group, [(str(os), OS_NAMES[os]) for os in members]) for group, members in OS_GROUPS]
    node_types = [(str(NodeType.HYBRID), "Hybrid (default)"), (str(NodeType.BROADCAST), "Broadcast")]
    return PartForm(
        "vm",
        f"VM {vm.name}" if vm else f"New VM on {host.name}",
        [
            FormField("name", "Name", _text(vm.name if vm else "")),
            FormField("hostname", "Computer name", _text(vm.hostname if vm else ""), hint="empty: the VM's name"),
            FormField.grouped("os", "Operating system", _text(vm.os if vm else "windows_xp"), systems),
            FormField(
                "node_type",
                "NetBIOS node type",
                _text(vm.node_type if vm else NodeType.HYBRID),
                "select",
                node_types,
                hint="ipconfig's Node Type",
            ),
            FormField(
                "dhcp_server_adapter",
                "DHCP server on adapter",
                _text(dhcp.get("adapter")),
                "number",
                hint="empty: no DHCP server; the adapter needs a static address",
            ),
            FormField("dhcp_server_start", "… range start", _text(rng[0])),
            FormField("dhcp_server_end", "… range end", _text(rng[1])),
            FormField("dhcp_server_gateway", "… gateway given out", _text(dhcp.get("gateway"))),
            FormField("dhcp_server_dns", "… DNS servers given out", _list(dhcp.get("dns_servers"))),
            FormField("dhcp_server_lease_seconds", "… lease (seconds)", _text(dhcp.get("lease_seconds")), "number"),
            FormField("ics_public", "ICS public adapter", _text(ics.get("public")), "number", hint="empty: no ICS"),
            FormField("ics_private", "ICS private adapter", _text(ics.get("private")), "number"),
        ],
        part_id=vm.id if vm else None,
        parent_id=host.id,
    )


def vm_body(form: dict[str, str]) -> dict[str, Any]:
    services: dict[str, Any] = {}
    if _optional(form, "dhcp_server_adapter"):
        dhcp: dict[str, Any] = {
            "adapter": _number(form, "dhcp_server_adapter"),
            "range": [form.get("dhcp_server_start", "").strip(), form.get("dhcp_server_end", "").strip()],
            "dns_servers": _split(form.get("dhcp_server_dns", "")),
        }
        if _optional(form, "dhcp_server_gateway"):
            dhcp["gateway"] = _optional(form, "dhcp_server_gateway")
        if _number(form, "dhcp_server_lease_seconds") is not None:
            dhcp["lease_seconds"] = _number(form, "dhcp_server_lease_seconds")
        services["dhcp_server"] = dhcp
    if _optional(form, "ics_public") or _optional(form, "ics_private"):
        services["ics"] = {"public": _number(form, "ics_public"), "private": _number(form, "ics_private")}
    return {
        "name": form.get("name", "").strip(),
        "hostname": _optional(form, "hostname"),
        "os": form.get("os", "other"),
        "node_type": form.get("node_type", str(NodeType.HYBRID)),
        "services": services,
    }


def adapter_form(adapter: Any, host: Any, networks: list[Any], index: int, vm_name: str = "") -> PartForm:
    rules = PRODUCTS[Product(host.product)]
    options = [("", "not connected")] + [(str(n.id), n.name) for n in networks if n.host_id == host.id]
    fields = [FormField("network_id", "Network", _text(adapter.network_id), "select", options)]
    fields += _address_fields("address", "Address", adapter.address)
    if rules.static_mac_allowed:
        fields.append(FormField("mac", "Static MAC", _text(adapter.mac), hint="empty: automatic"))
    if rules.vlan_allowed:
        fields.append(FormField("vlan", "VLAN id", _text(adapter.vlan), "number", hint="1–4094; empty: untagged"))
    title = f"Adapter {index} of {vm_name}" if vm_name else f"Adapter {index}"
    return PartForm("adapter", title, fields, part_id=adapter.id)


def adapter_body(form: dict[str, str], host: Any) -> dict[str, Any]:
    rules = PRODUCTS[Product(host.product)]
    body: dict[str, Any] = {"network_id": _number(form, "network_id"), "address": _address_body(form, "address")}
    if rules.static_mac_allowed:
        body["mac"] = _optional(form, "mac")
    if rules.vlan_allowed:
        body["vlan"] = _number(form, "vlan")
    return body


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_NAMED])
    return shown if len(items) <= MAX_NAMED else f"{shown} and {len(items) - MAX_NAMED} more"


MAX_NAMED = 5


def delete_question(rows: Any, kind: str, part_id: int) -> str:
    """ "Delete network Lab? 2 adapters will be disconnected: xp-nat, xp-nat2." — what goes, or changes, with it."""
    vms = {vm.id: vm for vm in rows.vms}

    def chip(adapter: Any) -> str:
        siblings = [a.id for a in rows.adapters if a.vm_id == adapter.vm_id]
        index = siblings.index(adapter.id) + 1
        name = vms[adapter.vm_id].name
        return name if index == 1 else f"{name}#{index}"

    def count(number: int, noun: str) -> str:
        return f"{number} {noun}{'s' if number != 1 else ''}"

    if kind == "network":
        network = next(n for n in rows.networks if n.id == part_id)
        attached = [chip(a) for a in rows.adapters if a.network_id == part_id]
        consequence = (
            f" {count(len(attached), 'adapter')} will be disconnected: {_names(attached)}." if attached else ""
        )
        return f"Delete network {network.name}?{consequence}"
    if kind == "host":
        host = next(h for h in rows.hosts if h.id == part_id)
        machines = [vm.name for vm in rows.vms if vm.host_id == part_id]
        networks = sum(1 for n in rows.networks if n.host_id == part_id)
        goes = [count(len(machines), "VM"), count(networks, "network")]
        named = f": {_names(machines)}" if machines else ""
        return f"Delete host {host.name}? Its {' and '.join(goes)} go with it{named}."
    if kind == "vm":
        vm = vms[part_id]
        adapters = sum(1 for a in rows.adapters if a.vm_id == part_id)
        return f"Delete VM {vm.name}? Its {count(adapters, 'adapter')} {'goes' if adapters == 1 else 'go'} with it."
    if kind == "lan":
        lan = next(item for item in rows.lans if item.id == part_id)
        on_it = [h.name for h in rows.hosts if h.lan_id == part_id]
        consequence = f" {count(len(on_it), 'host')} will be on no LAN: {_names(on_it)}." if on_it else ""
        return f"Delete LAN {lan.name}?{consequence}"
    adapter = next(a for a in rows.adapters if a.id == part_id)
    return f"Delete adapter {chip(adapter)}?"
