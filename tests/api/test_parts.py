"""LANs, hosts, networks, VMs and adapters over REST: CRUD, cascades, the lab's rules, versions."""

from sqlalchemy import func
from sqlmodel import Session, select

from app.db.models import AdapterRow, HostRow, LanRow, NetworkRow, VmRow
from tests.api.conftest import import_example

API = "/api/v1"


def new_lab(client) -> int:
    return client.post(f"{API}/labs", json={"name": "built by hand", "clock": "2009-09-15T10:04:03"}).json()["id"]


def post(client, lab_id, plural, body, **headers):
    return client.post(f"{API}/labs/{lab_id}/{plural}", json=body, headers=headers)


def build_seed(client) -> dict:
    """The seed's Virtual PC host, built one part at a time as the designer does."""
    lab_id = new_lab(client)
    lan = post(
        client,
        lab_id,
        "lans",
        {
            "name": "Office LAN",
            "subnet": "192.168.11.0/24",
            "gateway": "192.168.11.1",
            "dns_servers": ["192.168.11.4"],
            "dhcp": {"range": ["192.168.11.100", "192.168.11.199"]},
        },
    )
    assert lan.status_code == 201, lan.text
    host = post(client, lab_id, "hosts", {"name": "host1", "product": "virtual_pc_2007", "lan_id": lan.json()["id"]})
    assert host.status_code == 201, host.text
    networks = {n["name"]: n for n in client.get(f"{API}/labs/{lab_id}/networks").json()}
    vm = post(client, lab_id, "vms", {"host_id": host.json()["id"], "name": "xp1"})
    assert vm.status_code == 201, vm.text
    return {"lab": lab_id, "lan": lan.json(), "host": host.json(), "networks": networks, "vm": vm.json()}


def adapter_of(client, seed) -> dict:
    return client.get(f"{API}/labs/{seed['lab']}/adapters/{seed['vm']['adapter_ids'][0]}").json()


def test_build_a_lab_part_by_part_and_drag_an_adapter(client):
    seed = build_seed(client)
    assert set(seed["networks"]) == {"Local only", "Shared networking (NAT)", "Ethernet"}  # Virtual PC's fixed set
    adapter = adapter_of(client, seed)
    assert adapter["index"] == 1 and adapter["network_id"] is None and adapter["address"] == "dhcp"
    lab_url = f"{API}/labs/{seed['lab']}"
    version = client.get(lab_url).json()["version"]
    dragged = client.patch(
        f"{lab_url}/adapters/{adapter['id']}",
        json={"network_id": seed["networks"]["Shared networking (NAT)"]["id"]},
        headers={"If-Match": f'"{version}"'},
    )
    assert dragged.status_code == 200, dragged.text
    assert dragged.headers["ETag"] == f'"{version + 1}"'
    simulation = client.get(f"{lab_url}/simulation").json()
    assert simulation["adapters"][0]["ip"] == "192.168.131.64"
    client.patch(f"{lab_url}/adapters/{adapter['id']}", json={"network_id": seed["networks"]["Local only"]["id"]})
    assert client.get(f"{lab_url}/simulation").json()["adapters"][0]["source"] == "apipa"
    client.patch(f"{lab_url}/adapters/{adapter['id']}", json={"network_id": None})
    assert client.get(f"{lab_url}/simulation").json()["adapters"][0]["state"] == "not_connected"


def test_every_change_bumps_the_version(client):
    seed = build_seed(client)
    lab_url = f"{API}/labs/{seed['lab']}"
    before = client.get(lab_url).json()["version"]
    client.patch(f"{lab_url}/vms/{seed['vm']['id']}", json={"x": 120, "y": 40})
    client.patch(f"{lab_url}/lans/{seed['lan']['id']}", json={"dns_suffix": "example.com"})
    assert client.get(lab_url).json()["version"] == before + 2


def test_product_rule_violation_is_422_at_the_field(client):  # [P-2] [P-1] [P-3]
    lab_id = new_lab(client)
    host = post(client, lab_id, "hosts", {"name": "old", "product": "virtual_pc_2004"}).json()
    nat = next(n for n in client.get(f"{API}/labs/{lab_id}/networks").json() if n["kind"] == "nat")
    vm = post(client, lab_id, "vms", {"host_id": host["id"], "name": "a", "adapters": [{}, {}]}).json()
    version = client.get(f"{API}/labs/{lab_id}").json()["version"]
    refused = client.patch(f"{API}/labs/{lab_id}/adapters/{vm['adapter_ids'][1]}", json={"network_id": nat["id"]})
    assert refused.status_code == 422
    problem = refused.json()["detail"][0]
    assert problem["loc"] == ["body", "network_id"] and "adapter 1 only" in problem["msg"]
    assert client.get(f"{API}/labs/{lab_id}").json()["version"] == version  # nothing changed
    vs = post(client, lab_id, "hosts", {"name": "vs", "product": "virtual_server_2005_r2"}).json()
    bad_kind = post(client, lab_id, "networks", {"host_id": vs["id"], "name": "n", "kind": "nat"})
    assert bad_kind.status_code == 422 and bad_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    static_mac = client.patch(f"{API}/labs/{lab_id}/adapters/{vm['adapter_ids'][0]}", json={"mac": "00-11-22-33-44-55"})
    assert static_mac.status_code == 422 and "Virtual PC assigns MAC addresses itself" in static_mac.text


def test_adapter_on_another_hosts_network_is_refused(client):  # [P-4]
    seed = build_seed(client)
    other = post(client, seed["lab"], "hosts", {"name": "host2", "product": "virtual_pc_2007"}).json()
    foreign = next(n for n in client.get(f"{API}/labs/{seed['lab']}/networks").json() if n["host_id"] == other["id"])
    refused = client.patch(
        f"{API}/labs/{seed['lab']}/adapters/{seed['vm']['adapter_ids'][0]}", json={"network_id": foreign["id"]}
    )
    assert refused.status_code == 422 and "[P-4]" in refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "network_id"]


def test_references_must_exist_in_the_lab(client):
    seed = build_seed(client)
    other_lab = build_seed(client)
    for body in ({"network_id": 99999}, {"network_id": other_lab["networks"]["Local only"]["id"]}):
        refused = client.patch(f"{API}/labs/{seed['lab']}/adapters/{seed['vm']['adapter_ids'][0]}", json=body)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "network_id"]
    assert post(client, seed["lab"], "vms", {"host_id": 99999, "name": "z"}).status_code == 422


def test_bad_values_are_422_with_field_paths(client):
    seed = build_seed(client)
    lab = seed["lab"]
    adapter_url = f"{API}/labs/{lab}/adapters/{seed['vm']['adapter_ids'][0]}"
    cases = [
        (adapter_url, {"address": {"ip": "10.0.0.0/24"}}, ["body", "address", "ip"]),
        (adapter_url, {"address": {"ip": "10.0.0.5/24", "gateway": "10.9.9.9"}}, ["body", "address", "gateway"]),
        (adapter_url, {"mac": "zz"}, ["body", "mac"]),
        (adapter_url, {"vlan": 5000}, ["body", "vlan"]),
        (f"{API}/labs/{lab}/lans/{seed['lan']['id']}", {"subnet": "10.0.0.1/24"}, ["body", "subnet"]),
        (f"{API}/labs/{lab}/lans/{seed['lan']['id']}", {"gateway": "10.0.0.1"}, ["body", "gateway"]),
        (f"{API}/labs/{lab}/vms/{seed['vm']['id']}", {"name": "a/b"}, ["body", "name"]),
        (f"{API}/labs/{lab}/vms/{seed['vm']['id']}", {"colour": "red"}, ["body", "colour"]),
    ]
    for url, body, loc in cases:
        response = client.patch(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"][0]["loc"] == loc, (body, response.json())
        assert response.json()["detail"][0]["msg"]


def test_name_clash_is_409(client):
    seed = build_seed(client)
    clash = post(client, seed["lab"], "vms", {"host_id": seed["host"]["id"], "name": "xp1"})
    assert clash.status_code == 409 and "already used" in clash.json()["detail"]
    second = post(client, seed["lab"], "vms", {"host_id": seed["host"]["id"], "name": "xp2"}).json()
    rename = client.patch(f"{API}/labs/{seed['lab']}/vms/{second['id']}", json={"name": "xp1"})
    assert rename.status_code == 409
    assert post(client, seed["lab"], "lans", {"name": "Office LAN", "subnet": "10.0.0.0/8"}).status_code == 409


def count(engine, table, lab_id) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table).where(table.lab_id == lab_id)).one()


def test_deleting_a_network_leaves_its_adapters_not_connected(client, engine):
    lab_id = new_lab(client)
    lab_url = f"{API}/labs/{lab_id}"
    host = post(client, lab_id, "hosts", {"name": "vs", "product": "virtual_server_2005_r2"}).json()
    network = post(client, lab_id, "networks", {"host_id": host["id"], "name": "Lab", "kind": "internal"}).json()
    vm = post(client, lab_id, "vms", {"host_id": host["id"], "name": "a", "adapters": [{"network_id": network["id"]}]})
    adapter_id = vm.json()["adapter_ids"][0]
    assert client.delete(f"{lab_url}/networks/{network['id']}").status_code == 204
    assert client.get(f"{lab_url}/adapters/{adapter_id}").json()["network_id"] is None
    assert count(engine, AdapterRow, lab_id) == 1


def test_virtual_pc_networks_cannot_be_deleted_or_renamed(client):  # [P-1]
    seed = build_seed(client)
    lab_url = f"{API}/labs/{seed['lab']}"
    for name in ("Local only", "Shared networking (NAT)"):
        network = seed["networks"][name]
        deleted = client.delete(f"{lab_url}/networks/{network['id']}")
        assert deleted.status_code == 409
        assert deleted.json()["detail"] == f"'{name}' is one of Virtual PC 2007's own networks: it cannot be deleted"
        renamed = client.patch(f"{lab_url}/networks/{network['id']}", json={"name": "Mine"})
        assert renamed.status_code == 409 and "cannot be renamed" in renamed.json()["detail"]
    names = {n["name"] for n in client.get(f"{lab_url}/networks").json()}
    assert {"Local only", "Shared networking (NAT)"} <= names


def test_vm_names_clash_ignoring_case_and_say_so_by_name(client):
    seed = build_seed(client)
    clash = post(client, seed["lab"], "vms", {"host_id": seed["host"]["id"], "name": "XP1"})
    assert clash.status_code == 409
    assert clash.json()["detail"] == (
        "vm name 'XP1' is already used on host host1 by 'xp1' (the names differ only in case, which Windows ignores)"
    )


def test_deleting_a_host_removes_its_networks_and_vms(client, engine):
    seed = build_seed(client)
    assert client.delete(f"{API}/labs/{seed['lab']}/hosts/{seed['host']['id']}").status_code == 204
    for table in (HostRow, NetworkRow, VmRow, AdapterRow):
        assert count(engine, table, seed["lab"]) == 0
    assert count(engine, LanRow, seed["lab"]) == 1


def test_deleting_a_lab_removes_everything_in_it(client, engine):
    lab = import_example(client, "05")
    assert count(engine, AdapterRow, lab["id"]) > 0
    assert client.delete(f"{API}/labs/{lab['id']}").status_code == 204
    for table in (LanRow, HostRow, NetworkRow, VmRow, AdapterRow):
        assert count(engine, table, lab["id"]) == 0


def test_deleting_what_others_depend_on_is_409(client):
    lab = import_example(client, "04")  # dc1 serves DHCP from its adapter 1
    dc1 = next(v for v in client.get(f"{API}/labs/{lab['id']}/vms").json() if v["name"] == "dc1")
    refused = client.delete(f"{API}/labs/{lab['id']}/adapters/{dc1['adapter_ids'][0]}")
    assert refused.status_code == 409 and refused.json()["detail"][0]["loc"][0] == "lab"
    lan_lab = import_example(client, "05")
    lan = client.get(f"{API}/labs/{lan_lab['id']}/lans").json()[0]
    assert client.delete(f"{API}/labs/{lan_lab['id']}/lans/{lan['id']}").status_code == 409  # [P-5]


def test_parts_of_another_lab_are_404(client):
    first, second = build_seed(client), build_seed(client)
    assert client.get(f"{API}/labs/{first['lab']}/vms/{second['vm']['id']}").status_code == 404
    assert client.delete(f"{API}/labs/{first['lab']}/hosts/{second['host']['id']}").status_code == 404
    assert client.get(f"{API}/labs/{first['lab']}/adapters/2147483647").status_code == 404


def test_lists_are_arrays_in_document_order(client):
    lab = import_example(client, "01")
    vms = client.get(f"{API}/labs/{lab['id']}/vms")
    assert [v["name"] for v in vms.json()] == ["xp-local", "xp-nat", "xp-bridged", "xp-off"]
    assert vms.headers["ETag"] == '"1"'
    adapters = client.get(f"{API}/labs/{lab['id']}/adapters").json()
    assert [a["vm_id"] for a in adapters] == [v["id"] for v in vms.json()]


def test_stale_if_match_on_a_part_is_412(client):
    seed = build_seed(client)
    url = f"{API}/labs/{seed['lab']}/vms/{seed['vm']['id']}"
    stale = client.patch(url, json={"x": 5, "y": 5}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.get(url).json()["x"] is None


def test_a_node_is_placed_with_both_coordinates_or_left_to_the_layout(client):  # SPEC §3
    seed = build_seed(client)
    lab_url = f"{API}/labs/{seed['lab']}"
    vm_url = f"{lab_url}/vms/{seed['vm']['id']}"
    host_url = f"{lab_url}/hosts/{seed['vm']['host_id']}"
    assert client.get(vm_url).json()["x"] is None  # a new VM: the automatic layout
    half = client.patch(vm_url, json={"x": 120})
    assert half.status_code == 422
    assert "give both x and y" in half.text
    assert client.patch(vm_url, json={"x": 120, "y": 40.5}).status_code == 200
    assert client.patch(host_url, json={"x": -300, "y": 10}).status_code == 200
    document = client.get(f"{lab_url}/document").json()
    host = document["hosts"][0]
    assert (host["x"], host["y"], host["vms"][0]["x"], host["vms"][0]["y"]) == (-300, 10, 120, 40.5)
    assert client.patch(vm_url, json={"x": None, "y": None}).status_code == 200
    assert "x" not in client.get(f"{lab_url}/document").json()["hosts"][0]["vms"][0]
    assert client.patch(vm_url, json={"x": 2e6, "y": 0}).status_code == 422  # beyond any canvas
