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
