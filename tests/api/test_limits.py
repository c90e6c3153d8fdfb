"""Bad and oversized input gets a 4xx with a reason, never a 500."""

API = "/api/v1"


def test_oversized_body_is_413(client):
    big = b'{"vnetlab": 1, "name": "x", "description": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    response = client.post(f"{API}/labs/import", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "bytes" in response.json()["detail"]


def test_oversized_strings_are_422(client):
    assert client.post(f"{API}/labs", json={"name": "n" * 101}).status_code == 422
    assert client.post(f"{API}/labs", json={"name": "n", "description": "d" * 2001}).status_code == 422
    lab = client.post(f"{API}/labs", json={"name": "n"}).json()
    response = client.post(f"{API}/labs/{lab['id']}/lans", json={"name": "l" * 101, "subnet": "10.0.0.0/8"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "name"]


def test_wrong_types_and_ids_out_of_range(client):
    assert client.post(f"{API}/labs", json={"name": 5}).status_code == 422
    assert (
        client.post(f"{API}/labs", content=b"not json", headers={"Content-Type": "application/json"}).status_code == 422
    )
    assert client.get(f"{API}/labs/99999999999999999999").status_code == 422
    assert client.get(f"{API}/labs/abc").status_code == 422
    assert client.get(f"{API}/labs/0").status_code == 422
    lab = client.post(f"{API}/labs", json={"name": "n"}).json()
    response = client.post(f"{API}/labs/{lab['id']}/hosts", json={"name": "h", "product": "vmware"})
    assert response.status_code == 422 and "virtual_pc_2004" in response.text


def test_bad_if_match_is_412_not_500(client):
    lab = client.post(f"{API}/labs", json={"name": "n"}).json()
    assert (
        client.patch(f"{API}/labs/{lab['id']}", json={"name": "m"}, headers={"If-Match": "garbage"}).status_code == 412
    )


def test_documents_need_a_document_content_type(client):  # [API] SPEC §9: anything else is 415
    text = '{"vnetlab": 1, "name": "x"}'
    for route in ("/labs/import", "/simulate"):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {"Content-Type": content_type} if content_type else {}
            response = client.post(f"{API}{route}", content=text, headers=headers)
            assert response.status_code == 415, (route, content_type)
            assert "application/json" in response.json()["detail"]
    lab = client.post(f"{API}/labs/import", content=text, headers={"Content-Type": "application/json"})
    assert lab.status_code == 201
    replaced = client.put(
        f"{API}/labs/{lab.json()['id']}/document", content=text, headers={"Content-Type": "text/plain"}
    )
    assert replaced.status_code == 415
    yaml_body = "vnetlab: 1\nname: y\n"
    for content_type in ("application/yaml", "application/x-yaml", "text/yaml"):
        assert (
            client.post(f"{API}/simulate", content=yaml_body, headers={"Content-Type": content_type}).status_code == 200
        )
    # JSON is read as JSON: YAML sent as JSON is refused
    assert (
        client.post(f"{API}/simulate", content=yaml_body, headers={"Content-Type": "application/json"}).status_code
        == 422
    )


def test_caps_answer_413_naming_cap_and_count(client):
    hosts = [{"name": f"h{i}", "product": "virtual_server_2005_r2"} for i in range(1001)]
    response = client.post(f"{API}/labs/import", json={"vnetlab": 1, "name": "big", "hosts": hosts})
    assert response.status_code == 413
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "hosts"]
    assert problem["msg"] == "1,001 hosts is over this server's cap of 1,000 (VNETLAB_MAX_HOSTS)"


def test_a_yaml_alias_bomb_is_refused_quickly_and_briefly(client):
    from tests.engine.test_loading import alias_bomb

    body = alias_bomb(200)
    response = client.post(f"{API}/labs/import", content=body, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 422 and len(response.content) < 1000
    assert "aliases" in response.json()["detail"][0]["msg"]


def test_errors_stay_small(client):
    """3,000 adapters pointing nowhere on a host with 300 networks: a short answer, not megabytes."""
    networks = [{"name": f"net{i}", "kind": "internal"} for i in range(300)]
    vms = [{"name": f"v{i}", "adapters": [{"network": f"nowhere{i}"}] * 4} for i in range(750)]
    host = {"name": "vs", "product": "virtual_server_2005_r2", "networks": networks, "vms": vms}
    response = client.post(f"{API}/labs/import", json={"vnetlab": 1, "name": "bad", "hosts": [host]})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 101 and detail[-1]["msg"] == "… and 2,900 more problems"
    assert len(response.content) < 60_000
    assert "(300 in all)" in detail[0]["msg"]
