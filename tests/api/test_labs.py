"""Labs and whole documents over REST [API]: import, export, replace, versions and ETags."""

import json

import yaml

from app.engine.loading import lab_from_data, lab_from_text
from tests.api.conftest import EXAMPLES, import_example

API = "/api/v1"


def test_create_list_read_rename_delete(client):
    created = client.post(f"{API}/labs", json={"name": "Classroom 3", "description": "week 2"})
    assert created.status_code == 201
    lab = created.json()
    assert created.headers["Location"] == f"{API}/labs/{lab['id']}" and created.headers["ETag"] == '"1"'
    assert lab["version"] == 1 and lab["name"] == "Classroom 3"
    assert [item["id"] for item in client.get(f"{API}/labs").json()] == [lab["id"]]
    renamed = client.patch(f"{API}/labs/{lab['id']}", json={"name": "Classroom 4"})
    assert renamed.status_code == 200 and renamed.json()["version"] == 2 and renamed.headers["ETag"] == '"2"'
    assert client.delete(f"{API}/labs/{lab['id']}").status_code == 204
    assert client.get(f"{API}/labs/{lab['id']}").status_code == 404


def test_import_yaml_and_json_then_export_gives_an_equal_lab(client):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        original = lab_from_text(text)
        lab = client.post(f"{API}/labs/import", content=text, headers={"Content-Type": "application/yaml"}).json()
        exported = client.get(f"{API}/labs/{lab['id']}/document")
        assert exported.status_code == 200 and exported.headers["ETag"] == '"1"'
        again = lab_from_data(exported.json())
        # Virtual PC's fixed networks come back explicitly; everything else is as written.
        assert again.model_dump(exclude={"hosts": {"__all__": {"networks"}}}) == original.model_dump(
            exclude={"hosts": {"__all__": {"networks"}}}
        )
        assert [h.effective_networks() for h in again.hosts] == [h.effective_networks() for h in original.hosts]
        reimported = client.post(f"{API}/labs/import", json=exported.json()).json()
        assert client.get(f"{API}/labs/{reimported['id']}/document").json() == exported.json()


def test_export_as_yaml(client):
    lab = import_example(client, "01")
    exported = client.get(f"{API}/labs/{lab['id']}/document", params={"format": "yaml"})
    assert exported.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(exported.text)["name"] == "Seed classroom"


def test_invalid_import_stores_nothing_and_says_where(client):
    bad = {
        "vnetlab": 1,
        "name": "broken",
        "hosts": [{"name": "vs", "product": "virtual_server_2005_r2", "networks": [{"name": "n", "kind": "nat"}]}],
    }
    response = client.post(f"{API}/labs/import", json=bad)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "hosts", 0, "networks", 0, "kind"]
    assert "Virtual Server 2005 R2 offers internal and external networks, not nat" in detail[0]["msg"]
    assert client.get(f"{API}/labs").json() == []


def test_import_refuses_broken_yaml_and_non_documents(client):
    broken = client.post(f"{API}/labs/import", content="name: [", headers={"Content-Type": "application/yaml"})
    assert broken.status_code == 422 and "YAML" in json.dumps(broken.json())
    assert client.post(f"{API}/labs/import", json=[1, 2]).status_code == 422
    assert (
        client.post(f"{API}/labs/import", content=b"\xff\xfe", headers={"Content-Type": "application/json"}).status_code
        == 422
    )


def test_replace_document_is_atomic(client):
    lab = import_example(client, "01")
    lab_id = lab["id"]
    before = client.get(f"{API}/labs/{lab_id}/document").json()
    replacement = lab_from_text((EXAMPLES / "04-dhcp-server-vm.yaml").read_text()).to_data()
    replaced = client.put(f"{API}/labs/{lab_id}/document", json=replacement)
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert client.get(f"{API}/labs/{lab_id}/document").json()["name"] == "DHCP server on Local only"
    broken = dict(replacement, hosts=[{"name": "x", "product": "nope"}])
    assert client.put(f"{API}/labs/{lab_id}/document", json=broken).status_code == 422
    after = client.get(f"{API}/labs/{lab_id}/document").json()
    assert after["name"] == "DHCP server on Local only" and after != before
    assert client.get(f"{API}/labs/{lab_id}").json()["version"] == 2


def test_stale_if_match_gets_412_and_changes_nothing(client):
    lab = import_example(client, "01")
    url = f"{API}/labs/{lab['id']}"
    assert client.patch(url, json={"name": "v2"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = client.patch(url, json={"name": "v3"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and "changed elsewhere" in stale.json()["detail"]
    current = client.get(url)
    assert current.json()["name"] == "v2" and current.headers["ETag"] == '"2"'
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert (
        client.put(
            f"{url}/document", json=client.get(f"{url}/document").json(), headers={"If-Match": '"7"'}
        ).status_code
        == 412
    )
    assert client.patch(url, json={"name": "v3"}, headers={"If-Match": 'W/"2"'}).status_code == 200


def test_unknown_labs_are_404(client):
    for method, path in [
        ("GET", "/labs/999"),
        ("PATCH", "/labs/999"),
        ("DELETE", "/labs/999"),
        ("GET", "/labs/999/document"),
        ("GET", "/labs/999/simulation"),
        ("GET", "/labs/999/vms"),
        ("POST", "/labs/999/lans"),
    ]:
        body = (
            {"name": "x", "subnet": "10.0.0.0/24"} if method == "POST" else {"name": "x"} if method == "PATCH" else None
        )
        response = client.request(method, f"{API}{path}", json=body)
        assert response.status_code == 404, (method, path, response.text)


def test_lab_fields_are_validated(client):
    assert client.post(f"{API}/labs", json={"name": ""}).status_code == 422
    assert client.post(f"{API}/labs", json={"name": "x" * 101}).status_code == 422
    response = client.post(f"{API}/labs", json={"name": "x", "clock": "2009-09-15T10:04:03+09:00"})
    assert response.status_code == 422 and "without a time zone" in response.text
    lab = client.post(f"{API}/labs", json={"name": "x"}).json()
    nulled = client.patch(f"{API}/labs/{lab['id']}", json={"name": None})
    assert nulled.status_code == 422 and nulled.json()["detail"][0]["loc"] == ["body", "name"]


def test_a_copy_is_a_new_lab_with_the_document_as_it_now_is_and_a_history_of_its_own(client):  # [AC] copy
    lab = import_example(client, "01-seed-virtual-pc")
    adapter = client.get(f"{API}/labs/{lab['id']}/adapters").json()[3]
    assert (
        client.patch(f"{API}/labs/{lab['id']}/adapters/{adapter['id']}", json={"network_id": None}).status_code == 200
    )
    copied = client.post(f"{API}/labs/{lab['id']}/copy")
    assert copied.status_code == 201
    copy = copied.json()
    assert copy["id"] != lab["id"] and copy["version"] == 1 and copy["name"] == lab["name"]
    assert copied.headers["Location"] == f"{API}/labs/{copy['id']}" and copied.headers["ETag"] == '"1"'
    original = client.get(f"{API}/labs/{lab['id']}/document").json()
    assert client.get(f"{API}/labs/{copy['id']}/document").json() == original  # version 2 of the original
    history = client.get(f"{API}/labs/{copy['id']}/versions").json()
    assert [(v["version"], v["via"]) for v in history] == [(1, "copy")]
    assert history[0]["summary"] == f"copied lab {lab['id']} ('Seed classroom'), version 2"
    client.patch(f"{API}/labs/{copy['id']}", json={"name": "mine"})  # the copy changes alone
    assert client.get(f"{API}/labs/{lab['id']}").json()["name"] == "Seed classroom"
    assert client.post(f"{API}/labs/999999/copy").status_code == 404
