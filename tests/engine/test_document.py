"""The lab document [DOC] and every validation rule: each error names its place, the value and what is allowed."""

import json

import pytest

from app.engine.document import LabDocument
from app.engine.loading import LabDocumentError, lab_from_data, lab_from_text, lab_to_json, lab_to_yaml
from app.engine.simulate import Simulation
from tests.engine.helpers import lab, office_lan, vm


def errors(data) -> dict[str, str]:
    with pytest.raises(LabDocumentError) as caught:
        lab_from_data(data)
    return {error.path: str(error) for error in caught.value.errors}


def only_error(data) -> tuple[str, str]:
    found = errors(data)
    assert len(found) == 1, found
    return next(iter(found.items()))


def vpc(*vms, **fields):
    return {"name": "host1", "product": "virtual_pc_2007", **fields, "vms": list(vms)}


def test_minimal_document_is_valid_and_defaults_apply():
    doc = lab_from_data({"vnetlab": 1, "name": "empty"})
    assert doc.lans == [] and doc.hosts == [] and doc.clock is None


def test_yaml_and_json_give_the_same_lab():
    data = lab(vpc(vm("xp1", "Local only"), lan="Office LAN"), lans=[office_lan()])
    assert lab_from_text(json.dumps(data)) == lab_from_text(lab_to_yaml(LabDocument.model_validate(data)))


def test_export_then_import_gives_an_equal_document():
    data = lab(
        vpc(vm("xp1", "Local only"), lan="Office LAN", nic_mac="00:1b:fc:91:5c:12"),
        {
            "name": "hv",
            "product": "hyper_v",
            "networks": [{"name": "In", "kind": "internal", "host_address": {"ip": "10.0.0.1/24"}}],
            "vms": [{"name": "a", "adapters": [{"network": "In", "vlan": 5, "mac": "00-15-5D-00-00-AA"}]}],
        },
        lans=[office_lan()],
    )
    first = LabDocument.model_validate(data)
    assert lab_from_text(lab_to_yaml(first)) == first
    assert lab_from_text(lab_to_json(first)) == first
    assert first.hosts[0].nic_mac == "00-1B-FC-91-5C-12"  # [MAC] any separator in, dashes out


def test_broken_yaml_names_line_and_column():
    with pytest.raises(LabDocumentError) as caught:
        lab_from_text("vnetlab: 1\nname: [unclosed\n")
    assert "line 3" in str(caught.value) or "line 2" in str(caught.value)


def test_a_document_must_be_a_mapping():
    with pytest.raises(LabDocumentError, match="mapping"):
        lab_from_text("- just\n- a list\n")


def test_version_is_required_and_only_1_exists():
    assert "vnetlab" in errors({"name": "x"})
    assert "vnetlab" in errors({"vnetlab": 2, "name": "x"})


def test_wrong_types_name_the_field_and_the_value():
    path, message = only_error(lab(vpc(vm("xp1", "Local only"), lan="Office LAN"), lans=[office_lan(subnet=42)]))
    assert path == "lans[0].subnet" and "42" in message


def test_unknown_fields_are_errors_not_ignored():
    path, _ = only_error(lab(vpc(vm("xp1", "Local only", colour="red"))))
    assert path == "hosts[0].vms[0].colour"


def test_bad_static_address_is_located_exactly():
    data = lab(vpc({"name": "xp1", "adapters": [{}, {"network": "Local only", "address": {"ip": "10.0.0.0/24"}}]}))
    path, message = only_error(data)
    assert path == "hosts[0].vms[0].adapters[1].address.ip"
    assert "network address" in message and "10.0.0.0/24" in message


@pytest.mark.parametrize(
    ("address", "field", "words"),
    [
        ({"ip": "10.0.0.255/24"}, "ip", "broadcast address"),
        ({"ip": "10.0.0.5/31"}, "ip", "prefix length must be"),
        ({"ip": "10.0.0.5"}, "ip", "prefix length"),
        ({"ip": "10.0.0.5/24", "gateway": "10.0.1.1"}, "gateway", "outside the subnet"),
        ({"ip": "10.0.0.5/24", "gateway": "10.0.0.5"}, "gateway", "the address itself"),
    ],
)
def test_static_address_rules(address, field, words):  # [ST]
    path, message = only_error(lab(vpc({"name": "xp1", "adapters": [{"network": "Local only", "address": address}]})))
    assert path == f"hosts[0].vms[0].adapters[0].address.{field}"
    assert words in message


def test_address_is_dhcp_or_static():
    path, message = only_error(lab(vpc({"name": "xp1", "adapters": [{"address": "auto"}]})))
    assert path == "hosts[0].vms[0].adapters[0].address" and "`dhcp` or a static address" in message


@pytest.mark.parametrize("mac", ["01-00-5E-00-00-01", "00-11-22-33-44", "zz-11-22-33-44-55"])
def test_bad_static_macs(mac):  # [MAC]
    data = lab({"name": "vs", "product": "virtual_server_2005_r2", "vms": [{"name": "a", "adapters": [{"mac": mac}]}]})
    path, message = only_error(data)
    assert path == "hosts[0].vms[0].adapters[0].mac" and mac in message


def test_names_unique_in_their_scope():  # [DOC]
    found = errors(
        lab(
            vpc(vm("xp1", None), vm("xp1", None)),
            vpc(),
            lans=[office_lan(), office_lan()],
        )
    )
    assert set(found) == {"lans[1].name", "hosts[1].name", "hosts[0].vms[1].name"}
    assert "already used by lans[0]" in found["lans[1].name"]


def test_same_vm_name_on_two_hosts_is_fine():
    lab_from_data(lab(vpc(vm("xp1", None)), {**vpc(vm("xp1", None)), "name": "host2"}))


@pytest.mark.parametrize("name", ["a/b", "a#b", "", "x" * 101, " padded"])
def test_endpoint_names_have_no_separators_and_a_sane_length(name):
    path, _ = only_error(lab(vpc(vm(name, None))))
    assert path == "hosts[0].vms[0].name"


def test_unknown_lan_is_named_with_the_choices():
    path, message = only_error(lab(vpc(lan="Nowhere"), lans=[office_lan()]))
    assert path == "hosts[0].lan" and "'Office LAN'" in message


def test_lan_rules():
    found = errors(
        lab(
            lans=[
                office_lan(gateway="10.0.0.1"),
                office_lan(name="B", dhcp={"range": ["192.168.11.1", "192.168.11.20"]}),
                office_lan(name="C", gateway=None, internet=True),
                office_lan(name="D", dhcp={"range": ["192.168.11.50", "192.168.12.5"]}),
            ]
        )
    )
    assert "outside the LAN subnet" in found["lans[0].gateway"]
    assert "includes the router's address" in found["lans[1].dhcp.range"]
    assert "needs a router" in found["lans[2].internet"]
    assert "outside the LAN subnet" in found["lans[3].dhcp.range.end"]


def test_lan_subnet_with_host_bits_is_an_error():
    path, _ = only_error(lab(lans=[office_lan(subnet="192.168.11.7/24")]))
    assert path == "lans[0].subnet"


@pytest.mark.parametrize(
    ("product", "kind", "offers"),
    [
        ("virtual_server_2005_r2", "nat", "Virtual Server 2005 R2 offers internal and external networks, not nat"),
        ("virtual_pc_2007", "private", "Virtual PC 2007 offers internal, nat and external networks, not private"),
        ("hyper_v", "nat", "Hyper-V offers internal, private and external networks, not nat"),
    ],
)
def test_network_kind_not_offered_by_product(product, kind, offers):  # [P-1]
    path, message = only_error(lab({"name": "h", "product": product, "networks": [{"name": "n", "kind": kind}]}))
    assert path == "hosts[0].networks[0].kind"
    assert offers in message


def test_second_internal_network_on_virtual_pc():  # [P-1]
    networks = [{"name": "Local only", "kind": "internal"}, {"name": "Local only 2", "kind": "internal"}]
    found = errors(lab({"name": "h", "product": "virtual_pc_2004", "networks": networks}))
    assert "Virtual PC 2004 allows one internal network per host [P-1]" in found["hosts[0].networks[1].kind"]


@pytest.mark.parametrize(("kind", "name"), [("internal", "Local only"), ("nat", "Shared networking (NAT)")])
def test_virtual_pc_fixed_networks_keep_their_names(kind, name):  # [P-1] the product names them
    path, message = only_error(lab(vpc(networks=[{"name": "Lab net", "kind": kind}])))
    assert path == "hosts[0].networks[0].name"
    assert f"Virtual PC 2007 calls its {kind} network '{name}'; it cannot be renamed" in message
    lab_from_data(lab(vpc(networks=[{"name": name, "kind": kind}])))  # the product's own name is fine


def test_vm_names_are_unique_per_host_ignoring_case():  # Windows computer names ignore case
    path, message = only_error(lab(vpc(vm("XP1", "Local only"), vm("xp1", "Local only"))))
    assert path == "hosts[0].vms[1].name" and "differ only in case" in message
    lab_from_data(lab(vpc(vm("xp1", "Local only")), {**vpc(vm("XP1", "Local only")), "name": "host2"}))


def test_lan_subnet_needs_its_prefix():
    path, message = only_error(lab(lans=[office_lan(subnet="192.168.11.0", dhcp=None)]))
    assert path == "lans[0].subnet" and "prefix" in message and "192.168.11.0/24" in message


def test_messages_list_at_most_ten_names():
    networks = [{"name": f"net{i}", "kind": "internal"} for i in range(300)]
    host = {"name": "vs", "product": "virtual_server_2005_r2", "networks": networks, "vms": [vm("a", "nowhere")]}
    path, message = only_error(lab(host))
    assert path == "hosts[0].vms[0].adapters[0].network"
    assert "'net0'" in message and "'net9'" in message and "'net10'" not in message and "(300 in all)" in message


def test_nat_only_on_first_adapter_of_virtual_pc_2004():  # [P-2]
    host = {"name": "h", "product": "virtual_pc_2004", "vms": [vm("a", "Local only", "Shared networking (NAT)")]}
    path, message = only_error(lab(host))
    assert path == "hosts[0].vms[0].adapters[1].network" and "adapter 1 only" in message
    lab_from_data(lab({**host, "product": "virtual_pc_2007"}))  # later products allow it


def test_static_mac_on_virtual_pc():  # [P-3]
    path, message = only_error(lab(vpc({"name": "a", "adapters": [{"mac": "00-03-FF-00-00-01"}]})))
    assert path == "hosts[0].vms[0].adapters[0].mac" and "Virtual PC assigns MAC addresses itself" in message


def test_adapter_on_another_hosts_network():  # [P-4]
    other = {"name": "h2", "product": "virtual_server_2005_r2", "networks": [{"name": "Lab", "kind": "internal"}]}
    path, message = only_error(lab(vpc(vm("a", "Lab")), other))
    assert path == "hosts[0].vms[0].adapters[0].network"
    assert "belongs to host h2" in message and "own VM's host (host1)" in message


def test_adapter_on_unknown_network_lists_the_hosts_networks():  # [P-4]
    _, message = only_error(lab(vpc(vm("a", "Nope"))))
    assert "'Local only'" in message and "'Shared networking (NAT)'" in message


def test_external_network_needs_a_lan():  # [P-5]
    host = {"name": "hv", "product": "hyper_v", "networks": [{"name": "Ext", "kind": "external"}]}
    path, message = only_error(lab(host))
    assert path == "hosts[0].networks[0].kind" and "no `lan`" in message


def test_virtual_pc_without_lan_gets_no_external_network():
    doc = lab_from_data(lab(vpc()))
    assert [n.kind for n in doc.hosts[0].effective_networks()] == ["internal", "nat"]


def test_management_os_and_vlan_only_on_hyper_v():  # [P-6]
    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "lan": "Office LAN",
        "networks": [{"name": "Ext", "kind": "external", "management_os": False}],
        "vms": [{"name": "a", "adapters": [{"network": "Ext", "vlan": 10}]}],
    }
    found = errors(lab(host, lans=[office_lan()]))
    assert set(found) == {"hosts[0].networks[0].management_os", "hosts[0].vms[0].adapters[0].vlan"}


def test_vlan_range():  # [P-6]
    host = {"name": "hv", "product": "hyper_v", "networks": [{"name": "P", "kind": "private"}]}
    path, _ = only_error(lab({**host, "vms": [{"name": "a", "adapters": [{"network": "P", "vlan": 4095}]}]}))
    assert path == "hosts[0].vms[0].adapters[0].vlan"


def test_too_many_adapters():
    path, message = only_error(lab(vpc(vm("a", *([None] * 5)))))
    assert path == "hosts[0].vms[0].adapters" and "at most 4" in message


def test_a_vm_needs_an_adapter():
    path, _ = only_error(lab(vpc({"name": "a", "adapters": []})))
    assert path == "hosts[0].vms[0].adapters"


def test_hyper_v_mac_pool_of_256():  # [MAC]
    host = {"name": "hv", "product": "hyper_v", "networks": [{"name": "P", "kind": "private"}]}
    vms = [vm(f"v{i}", "P", "P") for i in range(128)]
    lab_from_data(lab({**host, "vms": vms}))  # exactly 256 automatic MACs
    path, message = only_error(lab({**host, "vms": [*vms, vm("one-more", "P")]}))
    assert path == "hosts[0].vms[128].adapters[0].mac" and "exhausted" in message


def test_virtual_server_dhcp_rules():  # [VSD-3] [VSD-4]
    def vs_network(**dhcp):
        base = {
            "network": "10.237.0.0/16",
            "range": ["10.237.0.16", "10.237.0.100"],
            "server": "10.237.0.1",
            "lease_seconds": 3600,
        }
        return lab(
            {
                "name": "vs",
                "product": "virtual_server_2005_r2",
                "networks": [{"name": "n", "kind": "internal", "dhcp": {**base, **dhcp}}],
            }
        )

    lab_from_data(vs_network())
    where = "hosts[0].networks[0].dhcp"
    assert "[VSD-3]" in only_error(vs_network(range=["10.237.0.15", "10.237.0.20"]))[1]
    assert only_error(vs_network(range=["10.237.0.50", "10.237.0.20"]))[0] == f"{where}.range"
    assert only_error(vs_network(range=["10.237.0.50", "10.238.0.20"]))[0] == f"{where}.range.end"
    assert only_error(vs_network(lease_seconds=59))[0] == f"{where}.lease_seconds"
    path, message = only_error(vs_network(renewal_seconds=3000, rebinding_seconds=2000))
    assert path == f"{where}.renewal_seconds" and "renewal < rebinding < lease" in message
    assert only_error(vs_network(rebinding_seconds=3600))[0] == f"{where}.rebinding_seconds"
    assert only_error(vs_network(server="10.237.0.20"))[0] == f"{where}.server"


def test_virtual_server_dhcp_only_on_virtual_server_internal_networks():
    dhcp = {"network": "10.0.0.0/24", "range": ["10.0.0.20", "10.0.0.30"], "server": "10.0.0.1", "lease_seconds": 600}
    host = {"name": "hv", "product": "hyper_v", "networks": [{"name": "n", "kind": "internal", "dhcp": dhcp}]}
    path, message = only_error(lab(host))
    assert path == "hosts[0].networks[0].dhcp" and "Virtual Server 2005 R2" in message


def test_host_address_only_on_hyper_v_internal_networks():
    host = {
        "name": "vs",
        "product": "virtual_server_2005_r2",
        "networks": [{"name": "n", "kind": "internal", "host_address": "dhcp"}],
    }
    assert only_error(lab(host))[0] == "hosts[0].networks[0].host_address"


def test_host_static_address_needs_a_lan():
    path, _ = only_error(lab(vpc(address={"ip": "192.168.11.10/24"})))
    assert path == "hosts[0].address"


def test_dhcp_server_service_rules():  # [SVC]
    def server_vm(address, **service):
        return lab(
            vpc(
                {
                    "name": "dc",
                    "adapters": [{"network": "Local only", "address": address}],
                    "services": {"dhcp_server": {"adapter": 1, "range": ["10.0.0.100", "10.0.0.150"], **service}},
                }
            )
        )

    static = {"ip": "10.0.0.1/24"}
    lab_from_data(server_vm(static))
    path, message = only_error(server_vm("dhcp"))
    assert path == "hosts[0].vms[0].services.dhcp_server.adapter" and "static address" in message
    outside = errors(server_vm(static, range=["10.0.1.100", "10.0.1.150"]))
    assert set(outside) == {f"hosts[0].vms[0].services.dhcp_server.range.{bound}" for bound in ("start", "end")}
    assert only_error(server_vm(static, gateway="10.9.9.9"))[0].endswith("dhcp_server.gateway")
    assert only_error(server_vm(static, adapter=2))[0].endswith("dhcp_server.adapter")
    assert "own address" in only_error(server_vm({"ip": "10.0.0.120/24"}))[1]


def test_ics_rules():  # [SVC]
    def ics_vm(**ics):
        return lab(
            vpc(
                {
                    "name": "gw",
                    "adapters": [{"network": "Local only"}, {}],
                    "services": {"ics": {"public": 2, "private": 1, **ics}},
                }
            )
        )

    lab_from_data(ics_vm())
    assert only_error(ics_vm(public=1))[0] == "hosts[0].vms[0].services.ics.private"
    assert only_error(ics_vm(public=3))[0] == "hosts[0].vms[0].services.ics.public"


def test_clock_is_local_time_without_zone():
    path, message = only_error(lab(clock="2009-09-15T10:04:03+09:00"))
    assert path == "clock" and "without a time zone" in message


def test_every_error_is_reported_at_once():
    found = errors(lab(vpc(vm("a", "Nope"), vm("a", None), lan="Nowhere")))
    assert set(found) == {"hosts[0].lan", "hosts[0].vms[0].adapters[0].network", "hosts[0].vms[1].name"}


def test_hyper_v_host_vnics_alone_can_exhaust_the_mac_pool():  # [MAC] 256 automatic MACs per host
    networks = [{"name": f"In {i}", "kind": "internal"} for i in range(257)]
    path, message = only_error(lab({"name": "hv", "product": "hyper_v", "networks": networks}))
    assert path == "hosts[0].networks[256].kind" and "256 addresses" in message
    lab_from_data(lab({"name": "hv", "product": "hyper_v", "networks": networks[:256]}))


def test_names_and_descriptions_refuse_control_characters():
    path, message = only_error(lab(vpc(vm("a\x00b", "Local only"))))
    assert path == "hosts[0].vms[0].name" and "control characters" in message
    assert "description" in errors({"vnetlab": 1, "name": "x", "description": "bell\x07"})
    lab_from_data({"vnetlab": 1, "name": "x", "description": "two\nlines\tand a tab"})


def test_lease_times_and_the_clock_stay_where_dates_can_follow():  # leases are 32-bit in DHCP
    path, message = only_error(
        lab(lans=[office_lan(dhcp={"range": ["192.168.11.100", "192.168.11.199"], "lease_seconds": 10**12})])
    )
    assert path == "lans[0].dhcp.lease_seconds" and "4294967295" in message
    doc = lab_from_data(
        lab(
            lans=[office_lan(dhcp={"range": ["192.168.11.100", "192.168.11.199"], "lease_seconds": 0xFFFFFFFF})],
            clock="8999-12-31T23:59:59",
        )
    )
    assert doc.lans[0].dhcp.lease_seconds == 0xFFFFFFFF
    host = vpc(vm("a", "Ethernet"), lan="Office LAN")
    furthest = lab(
        host,
        lans=[office_lan(dhcp={"range": ["192.168.11.100", "192.168.11.199"], "lease_seconds": 0xFFFFFFFF})],
        clock="8999-12-31T23:59:59",
    )
    assert Simulation(lab_from_data(furthest)).result().adapters[0].lease_expires.startswith("9136-")
    assert "clock" in errors(lab(clock="9500-01-01T00:00:00"))
