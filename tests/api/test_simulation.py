"""Simulation over REST: the §7 result, one pair, ipconfig, stateless simulate, and the query budget."""

from app.engine.document import LabDocument
from app.engine.simulate import Simulation
from bench.labs import lab_data
from tests.api.conftest import EXAMPLES, QueryCounter, import_example

API = "/api/v1"


def test_stored_lab_simulates_exactly_like_its_document(client):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        lab = client.post(f"{API}/labs/import", content=path.read_bytes(), headers={"Content-Type": "application/yaml"})
        response = client.get(f"{API}/labs/{lab.json()['id']}/simulation")
        assert response.status_code == 200 and response.headers["ETag"] == '"1"'
        exported = client.get(f"{API}/labs/{lab.json()['id']}/document").json()
        expected = Simulation(LabDocument.model_validate(exported)).result().to_json(indent=None)
        assert response.text == expected


def test_simulation_loads_a_200_vm_lab_in_at_most_10_queries(client, engine):  # [API]
    lab = client.post(f"{API}/labs/import", json=lab_data(200)).json()
    with QueryCounter(engine) as counter:
        response = client.get(f"{API}/labs/{lab['id']}/simulation")
    assert response.status_code == 200 and len(response.json()["adapters"]) > 300
    assert len(counter.queries) <= 10, counter.queries


def test_one_pair(client):
    lab = import_example(client, "01")
    url = f"{API}/labs/{lab['id']}/reachability"
    out = client.get(url, params={"from": "vm:host1/xp-nat", "to": "internet"})
    assert out.status_code == 200 and out.headers["ETag"] == '"1"'
    assert out.json()["reachable"] is True and out.json()["via"] == "nat" and out.json()["from"] == "vm:host1/xp-nat"
    blocked = client.get(url, params={"from": "internet", "to": "vm:host1/xp-nat"}).json()
    assert blocked["reason"]["code"] == "nat_inbound_blocked"
    unknown = client.get(url, params={"from": "vm:host1/ghost", "to": "internet"})
    assert unknown.status_code == 404 and "vm:host1/xp-nat" in unknown.json()["detail"]
    same = client.get(url, params={"from": "internet", "to": "internet"})
    assert same.status_code == 422 and same.json()["detail"][0]["loc"] == ["query", "to"]
    assert client.get(url, params={"from": "internet"}).status_code == 422


def test_ipconfig_text(client):
    lab = import_example(client, "01")
    vm = next(v for v in client.get(f"{API}/labs/{lab['id']}/vms").json() if v["name"] == "xp-nat")
    text = client.get(f"{API}/labs/{lab['id']}/vms/{vm['id']}/ipconfig", params={"locale": "ja", "layout": "seed"})
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert "        IP Address. . . . . . . . . . . : 192.168.131.64" in text.text
    assert "2026年9月20日 4:52:34" in text.text
    assert client.get(f"{API}/labs/{lab['id']}/vms/{vm['id']}/ipconfig", params={"locale": "fr"}).status_code == 422
    assert client.get(f"{API}/labs/{lab['id']}/vms/999999/ipconfig").status_code == 404


def test_stateless_simulate_stores_nothing(client):
    text = (EXAMPLES / "06-lan-pool-exhausted.yaml").read_bytes()
    response = client.post(f"{API}/simulate", content=text, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200
    assert [a["source"] for a in response.json()["adapters"]] == ["dhcp", "dhcp", "apipa"]
    assert client.get(f"{API}/labs").json() == []
    bad = client.post(f"{API}/simulate", json={"vnetlab": 1})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "name"]


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_ipconfig_of_a_windows_7_guest_ignores_layout_and_locale(client):  # [W7R-12]
    lab = import_example(client, "05")
    vm = next(v for v in client.get(f"{API}/labs/{lab['id']}/vms").json() if v["name"] == "student2")
    url = f"{API}/labs/{lab['id']}/vms/{vm['id']}/ipconfig"
    texts = {
        client.get(url, params={"locale": locale, "layout": layout}).text
        for locale in ("en", "ja")
        for layout in ("xp", "seed")
    }
    (text,) = texts
    assert "   IPv4 Address. . . . . . . . . . . : 192.168.0.3(Preferred)\n" in text
    assert "Tunnel adapter Teredo Tunneling Pseudo-Interface:" in text
    assert client.get(url, params={"layout": "vista"}).status_code == 422


def test_node_type_and_the_new_os_through_the_parts_api(client):  # [§14.1]
    lab = client.post(f"{API}/labs", json={"name": "node types", "clock": "2009-11-02T08:05:09"}).json()
    host = client.post(f"{API}/labs/{lab['id']}/hosts", json={"name": "hv", "product": "hyper_v"}).json()
    body = {"host_id": host["id"], "name": "srv", "os": "windows_server_2008_r2", "node_type": "broadcast"}
    vm = client.post(f"{API}/labs/{lab['id']}/vms", json=body)
    assert vm.status_code == 201, vm.text
    assert vm.json()["node_type"] == "broadcast" and vm.json()["os"] == "windows_server_2008_r2"
    text = client.get(f"{API}/labs/{lab['id']}/vms/{vm.json()['id']}/ipconfig").text
    assert "   Node Type . . . . . . . . . . . . : Broadcast\n" in text
    assert "Tunnel adapter Teredo" not in text  # 2008 R2 shows no Teredo adapter [W7R-9]
    document = client.get(f"{API}/labs/{lab['id']}/document").json()
    assert document["hosts"][0]["vms"][0]["node_type"] == "broadcast"
    url = f"{API}/labs/{lab['id']}/vms/{vm.json()['id']}"
    etag = client.get(url).headers["ETag"]
    changed = client.patch(url, json={"node_type": "hybrid"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json()["node_type"] == "hybrid"
    bad = client.patch(url, json={"node_type": "mixed"}, headers={"If-Match": changed.headers["ETag"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "node_type"]
    null = client.patch(url, json={"node_type": None}, headers={"If-Match": changed.headers["ETag"]})
    assert null.status_code == 422
