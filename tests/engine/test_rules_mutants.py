"""The cross-document rules [DOC] [P] [VSD] [SVC] [ST], one broken rule at a time: each error says where it is
(the document path), what was given (the value shown as "(got …)") and what is wrong, and the edge of every
limit is where SPEC or docs/decisions.md puts it.

Written against the survivors of a mutation run (bench/mutation.py). Messages are checked by how they begin
(what is wrong, naming the value) and the rule id they cite, so that a rewording keeps them passing as long
as they still say the same thing first.
"""

from typing import Any

import pytest
from pydantic import ValidationError

from app.engine.document import LabDocument
from app.engine.loading import DocumentError, LabDocumentError, errors_from_validation, lab_from_data
from tests.engine.helpers import lab, office_lan, vm


def problems(data: dict) -> list[DocumentError]:
    with pytest.raises(LabDocumentError) as caught:
        lab_from_data(data)
    return caught.value.errors


def only_problem(data: dict) -> DocumentError:
    found = problems(data)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def check(data: dict, path: str, value: Any, starts: str, *contains: str, alone: bool = True) -> None:
    """The document's only problem (or, with `alone=False`, its only problem at `path`) is this one."""
    if alone:
        problem = only_problem(data)
    else:
        at_path = [p for p in problems(data) if p.path == path]
        assert len(at_path) == 1, [str(p) for p in problems(data)]
        problem = at_path[0]
    assert problem.path == path, str(problem)
    assert problem.has_value and problem.value == value, str(problem)
    assert problem.message.startswith(starts), problem.message
    for text in contains:
        assert text in problem.message, problem.message


def valid(data: dict) -> None:
    lab_from_data(data)


def vpc(*vms, **fields):
    return {"name": "host1", "product": "virtual_pc_2007", **fields, "vms": list(vms)}


def virtual_server(*vms, networks=(), **fields):
    return {"name": "vs", "product": "virtual_server_2005_r2", "networks": list(networks), **fields, "vms": list(vms)}


def hyper_v(*vms, networks=(), **fields):
    return {"name": "hv", "product": "hyper_v", "networks": list(networks), **fields, "vms": list(vms)}


# --- LANs ------------------------------------------------------------------------------------------------------


def test_lan_gateway_outside_or_not_a_host_address():  # docs/decisions.md: a gateway is a host address of the LAN
    check(
        lab(lans=[office_lan(gateway="10.0.0.1", dhcp=None)]),
        "lans[0].gateway",
        "10.0.0.1",
        "gateway 10.0.0.1 is outside the LAN subnet 192.168.11.0/24",
    )
    for address in ("192.168.11.0", "192.168.11.255"):
        check(
            lab(lans=[office_lan(gateway=address, dhcp=None)]),
            "lans[0].gateway",
            address,
            f"gateway {address} is not a host address of 192.168.11.0/24",
        )


def test_internet_needs_a_router():  # docs/decisions.md
    lan = {"name": "L", "subnet": "10.0.0.0/24", "internet": True}
    check(lab(lans=[lan]), "lans[0].internet", True, "internet access needs a router", "`gateway`")
    valid(lab(lans=[{**lan, "internet": False}]))


def test_lan_dhcp_range_must_not_hold_the_router():  # docs/decisions.md
    for pool in (["192.168.11.200", "192.168.11.210"], ["192.168.11.190", "192.168.11.200"]):
        check(
            lab(lans=[office_lan(gateway="192.168.11.200", dhcp={"range": pool})]),
            "lans[0].dhcp.range",
            pool,
            "the DHCP range includes the router's address 192.168.11.200",
        )
    valid(lab(lans=[office_lan(gateway="192.168.11.200", dhcp={"range": ["192.168.11.100", "192.168.11.199"]})]))


def test_lan_dhcp_range_bounds():  # [ADDR 4.2]: the pool lies inside the LAN's subnet, on host addresses
    check(
        lab(lans=[office_lan(dhcp={"range": ["192.168.11.100", "192.168.12.5"]})]),
        "lans[0].dhcp.range.end",
        "192.168.12.5",
        "range end 192.168.12.5 is outside the LAN subnet 192.168.11.0/24",
    )
    check(
        lab(lans=[office_lan(gateway="192.168.11.254", dhcp={"range": ["192.168.11.0", "192.168.11.9"]})]),
        "lans[0].dhcp.range.start",
        "192.168.11.0",
        "range start 192.168.11.0 is not a host address of 192.168.11.0/24",
    )
    check(
        lab(lans=[office_lan(dhcp={"range": ["192.168.11.150", "192.168.11.120"]})]),
        "lans[0].dhcp.range",
        ["192.168.11.150", "192.168.11.120"],
        "range start 192.168.11.150 is above its end 192.168.11.120",
    )
    valid(lab(lans=[office_lan(dhcp={"range": ["192.168.11.150", "192.168.11.150"]})]))  # a pool of one


def test_a_point_to_point_lan_may_hand_out_both_addresses():  # RFC 3021: a /31 has no network or broadcast
    lan = {"name": "p2p", "subnet": "10.0.0.0/31", "internet": False, "dhcp": {"range": ["10.0.0.0", "10.0.0.1"]}}
    valid(lab(lans=[lan]))


# --- names -----------------------------------------------------------------------------------------------------


def test_names_are_unique_and_the_message_says_where_the_first_one_is():  # [DOC]
    check(
        lab(lans=[office_lan(), office_lan()]),
        "lans[1].name",
        "Office LAN",
        "LAN name 'Office LAN' is already used by lans[0]; names must be unique",
    )
    check(
        lab(vpc(), vpc()),
        "hosts[1].name",
        "host1",
        "host name 'host1' is already used by hosts[0]; names must be unique",
    )
    check(
        lab(virtual_server(networks=[{"name": "A", "kind": "internal"}, {"name": "A", "kind": "internal"}])),
        "hosts[0].networks[1].name",
        "A",
        "network name 'A' is already used by hosts[0].networks[0]; names must be unique",
    )


def test_vm_names_differ_in_more_than_case():  # docs: Windows computer names ignore case
    check(
        lab(vpc(vm("xp1", None), vm("XP1", None))),
        "hosts[0].vms[1].name",
        "XP1",
        "VM name 'XP1' is already used by hosts[0].vms[0] (the names differ only in case, which Windows ignores); "
        "names must be unique",
    )
    check(
        lab(vpc(vm("xp1", None), vm("xp1", None))),
        "hosts[0].vms[1].name",
        "xp1",
        "VM name 'xp1' is already used by hosts[0].vms[0]; names must be unique",
    )


# --- hosts -----------------------------------------------------------------------------------------------------


def test_unknown_lan_lists_the_lans():  # [DOC] references by name
    check(
        lab(vpc(lan="Nowhere"), lans=[office_lan()]),
        "hosts[0].lan",
        "Nowhere",
        "no LAN named 'Nowhere' (LANs: 'Office LAN')",
    )
    check(lab(vpc(lan="Nowhere")), "hosts[0].lan", "Nowhere", "no LAN named 'Nowhere' (LANs: none)")


def test_host_static_address():  # docs/decisions.md: a host address needs a LAN, and must be a host address of it
    check(
        lab(vpc(address={"ip": "192.168.11.10/24"})),
        "hosts[0].address",
        "192.168.11.10/24",
        "host host1 is on no LAN",
    )
    for ip in ("192.168.11.0/16", "192.168.11.255/16"):  # host addresses of their /16, not of the LAN's /24
        check(
            lab(vpc(lan="Office LAN", address={"ip": ip}), lans=[office_lan()]),
            "hosts[0].address.ip",
            ip,
            "not a host address of the LAN subnet 192.168.11.0/24",
        )
    valid(lab(vpc(lan="Office LAN", address={"ip": "192.168.11.10/24"}), lans=[office_lan()]))


# --- networks [P-1] [P-5] [P-6] [VSD] --------------------------------------------------------------------------


def test_network_counts_per_product():  # [P-1]
    check(
        lab(vpc(networks=[{"name": "Local only", "kind": "internal"}, {"name": "Local only 2", "kind": "internal"}])),
        "hosts[0].networks[1].kind",
        "internal",
        "Virtual PC 2007 allows one internal network per host [P-1]",
        alone=False,  # the second one is also not called Local only
    )
    two_external = [{"name": "E1", "kind": "external"}, {"name": "E2", "kind": "external"}]
    check(
        lab(virtual_server(networks=two_external, lan="Office LAN"), lans=[office_lan()]),
        "hosts[0].networks[1].kind",
        "external",
        "Virtual Server 2005 R2 allows one external network per host [P-1]",
    )


def test_kind_not_offered_names_what_the_product_offers():  # [P-1]
    check(
        lab(virtual_server(networks=[{"name": "n", "kind": "nat"}])),
        "hosts[0].networks[0].kind",
        "nat",
        "Virtual Server 2005 R2 offers internal and external networks, not nat [P-1]",
    )


def test_virtual_pc_networks_keep_their_names():  # [P-1] the product names them
    check(
        lab(vpc(networks=[{"name": "Private", "kind": "internal"}])),
        "hosts[0].networks[0].name",
        "Private",
        "Virtual PC 2007 calls its internal network 'Local only'; it cannot be renamed",
    )


def test_external_network_needs_a_lan():  # [P-5]
    check(
        lab(virtual_server(networks=[{"name": "Up", "kind": "external"}])),
        "hosts[0].networks[0].kind",
        "external",
        "an external network bridges the host's NIC to its LAN, but host vs has no `lan` [P-5]",
    )


def test_built_in_dhcp_only_on_virtual_server_internal_networks():  # [VSD] [§2]
    dhcp = {"network": "10.0.0.0/24", "range": ["10.0.0.20", "10.0.0.30"], "server": "10.0.0.1", "lease_seconds": 600}
    check(
        lab(hyper_v(networks=[{"name": "n", "kind": "internal", "dhcp": dhcp}])),
        "hosts[0].networks[0].dhcp",
        "dhcp",
        "a built-in DHCP server exists only on Virtual Server 2005 R2 internal networks (this network is internal, "
        "on Hyper-V)",
    )


def test_management_os_and_host_address_only_where_hyper_v_has_them():  # [P-6] [§3]
    external = {"name": "Up", "kind": "external", "management_os": False}
    check(
        lab(virtual_server(networks=[external], lan="Office LAN"), lans=[office_lan()]),
        "hosts[0].networks[0].management_os",
        False,
        "management_os applies only to Hyper-V external networks [P-6]",
    )
    for address, shown in (("dhcp", "dhcp"), ({"ip": "10.0.0.1/24"}, "static")):
        check(
            lab(virtual_server(networks=[{"name": "n", "kind": "internal", "host_address": address}])),
            "hosts[0].networks[0].host_address",
            shown,
            "host_address applies only to Hyper-V internal networks",
        )


def vs_dhcp(**dhcp) -> dict:
    base = {"network": "10.237.0.0/16", "range": ["10.237.0.16", "10.237.0.100"], "server": "10.237.0.1"}
    network = {"name": "n", "kind": "internal", "dhcp": {**base, "lease_seconds": 3600, **dhcp}}
    return lab(virtual_server(networks=[network]))


WHERE = "hosts[0].networks[0].dhcp"


def test_virtual_server_dhcp_reserves_the_first_16_addresses():  # [VSD-3]
    check(
        vs_dhcp(range=["10.237.0.15", "10.237.0.20"]),
        f"{WHERE}.range.start",
        "10.237.0.15",
        "Virtual Server reserves the first 16 addresses of 10.237.0.0/16: start at 10.237.0.16 or above [VSD-3]",
    )
    valid(vs_dhcp(range=["10.237.0.16", "10.237.0.20"]))


def test_virtual_server_dhcp_addresses_inside_its_network():  # [VSD]
    check(
        vs_dhcp(range=["10.237.0.50", "10.238.0.20"]),
        f"{WHERE}.range.end",
        "10.238.0.20",
        "range end 10.238.0.20 is outside the DHCP network 10.237.0.0/16",
    )
    check(vs_dhcp(server="10.9.0.1"), f"{WHERE}.server", "10.9.0.1", "server 10.9.0.1 is outside the DHCP network")
    check(vs_dhcp(gateway="10.9.0.1"), f"{WHERE}.gateway", "10.9.0.1", "gateway 10.9.0.1 is outside the DHCP network")


def test_virtual_server_dhcp_server_outside_its_range():  # docs/decisions.md
    for server in ("10.237.0.16", "10.237.0.100"):
        check(
            vs_dhcp(server=server),
            f"{WHERE}.server",
            server,
            "the server's own address must lie outside the range it hands out",
        )


def test_virtual_server_dhcp_lease_and_timers():  # [VSD-4]
    check(vs_dhcp(lease_seconds=59), f"{WHERE}.lease_seconds", 59, "a lease must last at least 60 seconds [VSD-4]")
    valid(vs_dhcp(lease_seconds=60))
    check(
        vs_dhcp(renewal_seconds=3000, rebinding_seconds=2000),
        f"{WHERE}.renewal_seconds",
        3000,
        "renewal_seconds (3000) must be less than rebinding_seconds (2000): renewal < rebinding < lease [VSD-4]",
    )
    check(
        vs_dhcp(rebinding_seconds=3600),
        f"{WHERE}.rebinding_seconds",
        3600,
        "rebinding_seconds (3600) must be less than lease_seconds (3600)",
    )
    valid(vs_dhcp(renewal_seconds=1800, rebinding_seconds=3150))


# --- VMs and adapters [P-2] [P-3] [P-4] [P-6] [MAC] ------------------------------------------------------------


def test_adapters_per_vm():  # [§2] 4 adapters on Virtual PC and Virtual Server
    too_many = lab(vpc(vm("a", *[None] * 5)))
    problem = only_problem(too_many)  # refused by the size caps before validation, with the product's limit
    assert problem.path == "hosts[0].vms[0].adapters"
    assert problem.message == "Virtual PC 2007 gives a VM at most 4 network adapters, not 5"
    with pytest.raises(ValidationError) as caught:  # the document model's own rule says the same
        LabDocument.model_validate(too_many)
    (rule,) = errors_from_validation(caught.value)
    assert (rule.path, rule.value, rule.message) == (problem.path, 5, problem.message)
    valid(lab(vpc(vm("a", *[None] * 4))))
    LabDocument.model_validate(lab(vpc(vm("a", *[None] * 4))))


def test_unknown_network_lists_the_hosts_networks():  # [P-4]
    other = virtual_server(networks=[{"name": "Lab", "kind": "internal"}])
    check(
        lab(vpc(vm("a", "Nope")), other),
        "hosts[0].vms[0].adapters[0].network",
        "Nope",
        "host host1 has no network 'Nope' (its networks: 'Local only', 'Shared networking (NAT)') [P-4]",
    )
    check(
        lab(vpc(vm("a", "Lab")), other),
        "hosts[0].vms[0].adapters[0].network",
        "Lab",
        "network 'Lab' belongs to host vs; an adapter attaches only to networks of its own VM's host (host1) [P-4]",
    )
    check(
        lab(virtual_server(vm("a", "Nope"))),
        "hosts[0].vms[0].adapters[0].network",
        "Nope",
        "host vs has no network 'Nope' (its networks: none) [P-4]",
    )


def test_network_lists_stop_at_ten_names():  # issue 9: no message lists more than ~10 names
    def networks(count):
        return [{"name": f"n{i}", "kind": "internal"} for i in range(count)]

    ten = only_problem(lab(virtual_server(vm("a", "Nope"), networks=networks(10)))).message
    assert "'n9') [P-4]" in ten and "in all" not in ten
    eleven = only_problem(lab(virtual_server(vm("a", "Nope"), networks=networks(11)))).message
    assert "'n9', … (11 in all)) [P-4]" in eleven and "'n10'" not in eleven


def test_nat_on_a_later_adapter_of_virtual_pc_2004():  # [P-2]
    host = {"name": "old", "product": "virtual_pc_2004", "vms": [vm("a", None, "Shared networking (NAT)")]}
    check(
        lab(host),
        "hosts[0].vms[0].adapters[1].network",
        "Shared networking (NAT)",
        "Virtual PC 2004 offers shared networking (NAT) on adapter 1 only; this is adapter 2 [P-2]",
    )


def test_static_mac_on_virtual_pc():  # [P-3]
    machine = {"name": "a", "adapters": [{"network": None, "mac": "00-03-FF-11-22-33"}]}
    check(
        lab(vpc(machine)),
        "hosts[0].vms[0].adapters[0].mac",
        "00-03-FF-11-22-33",
        "Virtual PC assigns MAC addresses itself; remove `mac` [P-3]",
    )


def test_vlan_only_on_hyper_v():  # [P-6]
    machine = {"name": "a", "adapters": [{"network": None, "vlan": 10}]}
    check(
        lab(virtual_server(machine)),
        "hosts[0].vms[0].adapters[0].vlan",
        10,
        "VLAN ids exist only on Hyper-V, not Virtual Server 2005 R2 [P-6]",
    )


def test_the_hyper_v_mac_pool_counts_the_hosts_vethernet_adapters():  # [MAC] docs/decisions.md: 256 in all
    machines = [vm(f"v{i}", None) for i in range(255)]
    one_internal = [{"name": "In", "kind": "internal"}]
    valid(lab(hyper_v(*machines, networks=one_internal)))  # 1 vEthernet + 255 adapters = 256
    over = only_problem(lab(hyper_v(*machines, vm("last", None), networks=one_internal)))
    assert over.path == "hosts[0].vms[255].adapters[0].mac"
    assert over.message.endswith("is exhausted here; give this adapter a static `mac`"), over.message
    with_static = {"name": "last", "adapters": [{"network": None, "mac": "00-15-5D-00-00-FF"}]}
    valid(lab(hyper_v(*machines, with_static, networks=one_internal)))  # a static MAC takes nothing from the pool
    many = [{"name": f"In{i}", "kind": "internal"} for i in range(257)]  # 257 vEthernet adapters: one too many
    check(
        lab(hyper_v(networks=many)),
        "hosts[0].networks[256].kind",
        "internal",
        "each internal network gives the host a vEthernet adapter with a MAC from the dynamic pool of host hv",
    )


# --- services [SVC] --------------------------------------------------------------------------------------------


def dhcp_server_vm(adapters, **service) -> dict:
    server = {"adapter": 1, "range": ["10.0.0.100", "10.0.0.150"], **service}
    return lab(vpc({"name": "dc", "adapters": adapters, "services": {"dhcp_server": server}}))


STATIC = {"network": "Local only", "address": {"ip": "10.0.0.1/24"}}
SERVICE = "hosts[0].vms[0].services"


def test_a_dhcp_server_vm_needs_a_static_address_on_the_adapter_it_serves():  # [SVC]
    check(
        dhcp_server_vm([{"network": "Local only"}]),
        f"{SERVICE}.dhcp_server.adapter",
        1,
        "a DHCP server needs a static address on the adapter it serves; adapter 1 uses dhcp [SVC]",
    )
    valid(dhcp_server_vm([{"network": None}, STATIC], adapter=2))  # the second adapter is the static one
    check(
        dhcp_server_vm([STATIC], adapter=2),
        f"{SERVICE}.dhcp_server.adapter",
        2,
        "the VM has 1 adapter(s); there is no adapter 2",
    )


def test_a_dhcp_server_vm_range_gateway_and_own_address():  # [SVC]
    check(
        dhcp_server_vm([STATIC], range=["10.0.1.100", "10.0.1.150"]),
        f"{SERVICE}.dhcp_server.range.start",
        "10.0.1.100",
        "range start 10.0.1.100 is outside the served adapter's subnet 10.0.0.0/24",
        alone=False,  # the end is outside too
    )
    check(
        dhcp_server_vm([STATIC], gateway="10.9.9.9"),
        f"{SERVICE}.dhcp_server.gateway",
        "10.9.9.9",
        "gateway 10.9.9.9 is outside the served subnet 10.0.0.0/24",
    )
    for pool in (["10.0.0.1", "10.0.0.50"], ["10.0.0.1", "10.0.0.1"]):  # the server's address at the start, at the end
        problem = [p for p in problems(dhcp_server_vm([STATIC], range=pool)) if p.path.endswith("dhcp_server.range")]
        assert len(problem) == 1 and problem[0].value == pool
        assert problem[0].message == "the range includes the server's own address 10.0.0.1"


def test_ics_needs_two_adapters_of_its_own():  # [SVC]
    def ics_vm(adapters, **ics) -> dict:
        return lab(vpc({"name": "gw", "adapters": adapters, "services": {"ics": ics}}))

    two = [{"network": None}, {"network": "Local only"}]
    check(ics_vm(two, public=1, private=1), f"{SERVICE}.ics.private", 1, "ICS needs two different adapters")
    check(
        ics_vm(two, public=1, private=3), f"{SERVICE}.ics.private", 3, "the VM has 2 adapter(s); there is no adapter 3"
    )
    check(
        ics_vm(two, public=3, private=1), f"{SERVICE}.ics.public", 3, "the VM has 2 adapter(s); there is no adapter 3"
    )
    valid(ics_vm(two, public=1, private=2))


def test_ics_and_a_dhcp_server_cannot_share_the_private_adapter():  # [SVC] ICS serves DHCP there itself
    adapters = [{"network": None}, STATIC]
    services = {
        "ics": {"public": 1, "private": 2},
        "dhcp_server": {"adapter": 2, "range": ["10.0.0.100", "10.0.0.150"]},
    }
    check(
        lab(vpc({"name": "gw", "adapters": adapters, "services": services})),
        f"{SERVICE}.dhcp_server.adapter",
        2,
        "ICS already serves DHCP on its private adapter",
    )
