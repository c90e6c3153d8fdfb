"""History over REST [H]: every change records one version with a summary for people; undo, redo, revert
and checkpoints; the diff; pruning. On SQLite and PostgreSQL."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import get_settings
from app.engine.document import LabDocument
from app.engine.simulate import Simulation
from tests.api.conftest import import_example

API = "/api/v1"
NAT = "Shared networking (NAT)"


def versions(client, lab_id: int) -> list[dict]:
    return client.get(f"{API}/labs/{lab_id}/versions").json()


def latest(client, lab_id: int) -> dict:
    return versions(client, lab_id)[0]


def document(client, lab_id: int) -> dict:
    return client.get(f"{API}/labs/{lab_id}/document").json()


def part(client, lab_id: int, plural: str, name: str) -> dict:
    return next(p for p in client.get(f"{API}/labs/{lab_id}/{plural}").json() if p.get("name") == name)


def network(client, lab_id: int, name: str) -> dict:
    return part(client, lab_id, "networks", name)


def adapter_of(client, lab_id: int, vm_name: str, index: int = 1) -> dict:
    vm = part(client, lab_id, "vms", vm_name)
    return client.get(f"{API}/labs/{lab_id}/adapters/{vm['adapter_ids'][index - 1]}").json()


def simulation_without_ids(client, lab_id: int) -> dict:
    result = client.get(f"{API}/labs/{lab_id}/simulation").json()
    return {key: result[key] for key in ("adapters", "hosts", "endpoints", "reachability", "warnings")}


def test_every_kind_of_change_records_one_version_with_a_summary(client):  # [H]
    lab = client.post(f"{API}/labs", json={"name": "by hand", "clock": "2009-09-15T10:04:03"}).json()
    lab_id = lab["id"]
    assert [(v["version"], v["via"], v["summary"]) for v in versions(client, lab_id)] == [
        (1, "api", "created lab 'by hand'")
    ]
    steps = [
        (lambda: client.post(f"{API}/labs/{lab_id}/lans", json={"name": "LAN", "subnet": "10.0.0.0/24"}),
         "added LAN LAN"),
        (lambda: client.post(f"{API}/labs/{lab_id}/hosts", json={"name": "vs", "product": "virtual_server_2005_r2"}),
         "added host vs"),
        (lambda: client.post(f"{API}/labs/{lab_id}/networks",
                             json={"host_id": part(client, lab_id, "hosts", "vs")["id"], "name": "Lab",
                                   "kind": "internal"}),
         "added network Lab on vs"),
        (lambda: client.post(f"{API}/labs/{lab_id}/vms",
                             json={"host_id": part(client, lab_id, "hosts", "vs")["id"], "name": "web1"}),
         "added VM web1 on vs"),
        (lambda: client.patch(f"{API}/labs/{lab_id}/adapters/{adapter_of(client, lab_id, 'web1')['id']}",
                              json={"network_id": network(client, lab_id, "Lab")["id"]}),
         "web1: not connected → Lab"),
        (lambda: client.post(f"{API}/labs/{lab_id}/adapters",
                             json={"vm_id": part(client, lab_id, "vms", "web1")["id"]}),
         "added adapter web1#2"),
        (lambda: client.patch(f"{API}/labs/{lab_id}/vms/{part(client, lab_id, 'vms', 'web1')['id']}",
                              json={"os": "windows_7"}),
         "web1: os set to windows_7"),
        (lambda: client.patch(f"{API}/labs/{lab_id}/vms/{part(client, lab_id, 'vms', 'web1')['id']}",
                              json={"name": "web2"}),
         "renamed VM web1 → web2"),
        (lambda: client.patch(f"{API}/labs/{lab_id}", json={"name": "renamed"}), "name by hand → renamed"),
        (lambda: client.delete(f"{API}/labs/{lab_id}/networks/{network(client, lab_id, 'Lab')['id']}"),
         "deleted network Lab from vs; web2: Lab → not connected"),
        (lambda: client.delete(f"{API}/labs/{lab_id}/hosts/{part(client, lab_id, 'hosts', 'vs')['id']}"),
         "deleted host vs (1 VM)"),
        (lambda: client.post(f"{API}/labs/{lab_id}/undo"), "undo: deleted host vs (1 VM)"),
        (lambda: client.post(f"{API}/labs/{lab_id}/redo"), "redo: deleted host vs (1 VM)"),
        (lambda: client.post(f"{API}/labs/{lab_id}/revert", json={"version": 2}), "revert to version 2"),
        (lambda: client.put(f"{API}/labs/{lab_id}/document", json={"vnetlab": 1, "name": "whole"}),
         "name by hand → whole; clock cleared (was 2009-09-15T10:04:03); and 1 more change"),
    ]  # fmt: skip
    for number, (step, summary) in enumerate(steps, start=2):
        response = step()
        assert response.status_code < 300, response.text
        entries = versions(client, lab_id)
        assert len(entries) == number, summary  # one version per change, never two
        assert entries[0]["version"] == number and entries[0]["summary"] == summary


def test_the_os_change_summary_names_both_values(client):  # [H]
    lab = import_example(client, "05")
    vm = part(client, lab["id"], "vms", "student1")
    client.patch(f"{API}/labs/{lab['id']}/vms/{vm['id']}", json={"os": "windows_7"})
    assert latest(client, lab["id"])["summary"] == "student1: os windows_xp → windows_7"


def test_undo_after_deleting_a_network_restores_it_exactly(client):  # [H]
    lab_id = import_example(client, "01")["id"]
    before, result_before = document(client, lab_id), simulation_without_ids(client, lab_id)
    bridged = network(client, lab_id, "Marvell Yukon 88E8055 PCI-E Gigabit Ethernet Controller")
    assert client.delete(f"{API}/labs/{lab_id}/networks/{bridged['id']}").status_code == 204
    assert latest(client, lab_id)["summary"].startswith("deleted network Marvell")
    undone = client.post(f"{API}/labs/{lab_id}/undo")
    assert undone.status_code == 200 and undone.headers["ETag"] == '"3"' and undone.json()["version"] == 3
    assert document(client, lab_id) == before
    assert simulation_without_ids(client, lab_id) == result_before  # same names, attachments and addresses


def test_nothing_to_undo_or_redo_is_409_and_if_match_is_honoured(client):  # [H]
    lab_id = import_example(client, "06")["id"]
    nothing = client.post(f"{API}/labs/{lab_id}/undo")
    assert nothing.status_code == 409 and "nothing to undo" in nothing.json()["detail"]
    assert client.post(f"{API}/labs/{lab_id}/redo").status_code == 409
    client.patch(f"{API}/labs/{lab_id}", json={"description": "week 1"})
    stale = client.post(f"{API}/labs/{lab_id}/undo", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.post(f"{API}/labs/{lab_id}/undo", headers={"If-Match": '"2"'}).status_code == 200
    assert client.post(f"{API}/labs/{lab_id}/undo").status_code == 409  # the import itself is not undone
    assert client.get(f"{API}/labs/404/versions").status_code == 404


def test_any_other_change_empties_redo(client):  # [H]
    lab_id = import_example(client, "06")["id"]
    client.patch(f"{API}/labs/{lab_id}", json={"description": "one"})
    client.post(f"{API}/labs/{lab_id}/undo")
    client.patch(f"{API}/labs/{lab_id}", json={"description": "two"})
    assert client.post(f"{API}/labs/{lab_id}/redo").status_code == 409
    assert client.post(f"{API}/labs/{lab_id}/undo").status_code == 200
    assert client.get(f"{API}/labs/{lab_id}").json()["description"] is None


def test_undo_twice_then_redo_twice(client):  # [H] undo is a stack
    lab_id = import_example(client, "06")["id"]
    for text in ("one", "two"):
        client.patch(f"{API}/labs/{lab_id}", json={"description": text})
    described = lambda: client.get(f"{API}/labs/{lab_id}").json()["description"]  # noqa: E731
    client.post(f"{API}/labs/{lab_id}/undo")
    assert described() == "one"
    client.post(f"{API}/labs/{lab_id}/undo")
    assert described() is None
    client.post(f"{API}/labs/{lab_id}/redo")
    assert described() == "one"
    client.post(f"{API}/labs/{lab_id}/undo")  # an undo after a redo takes the redone change back again
    assert described() is None
    client.post(f"{API}/labs/{lab_id}/redo")
    client.post(f"{API}/labs/{lab_id}/redo")
    assert described() == "two"
    assert [v["via"] for v in versions(client, lab_id)][:3] == ["redo", "redo", "undo"]


def test_versions_page_and_version_documents(client):  # [H]
    lab_id = import_example(client, "06")["id"]
    for text in ("a", "b", "c"):
        client.patch(f"{API}/labs/{lab_id}", json={"description": text})
    page = client.get(f"{API}/labs/{lab_id}/versions", params={"limit": 2}).json()
    assert [v["version"] for v in page] == [4, 3]
    older = client.get(f"{API}/labs/{lab_id}/versions", params={"before": 3}).json()
    assert [v["version"] for v in older] == [2, 1]
    second = client.get(f"{API}/labs/{lab_id}/versions/2/document").json()
    assert second["description"] == "a" and second["name"] == "Exhausted LAN pool"
    yaml = client.get(f"{API}/labs/{lab_id}/versions/2/document", params={"format": "yaml"})
    assert yaml.headers["content-type"].startswith("application/yaml") and "description: a" in yaml.text
    assert client.get(f"{API}/labs/{lab_id}/versions/99/document").status_code == 404
    assert client.get(f"{API}/labs/{lab_id}/versions", params={"limit": 0}).status_code == 422


def test_diff_speaks_the_users_language(client):  # [H]
    lab_id = import_example(client, "01")["id"]
    off = adapter_of(client, lab_id, "xp-off")
    nat = network(client, lab_id, "Shared networking (NAT)")
    client.patch(f"{API}/labs/{lab_id}/adapters/{off['id']}", json={"network_id": nat["id"]})
    diff = client.get(f"{API}/labs/{lab_id}/diff", params={"from": 1, "to": 2}).json()
    assert diff["summary"] == "xp-off: not connected → Shared networking (NAT); 1 address changed; 4 pairs gained"
    assert diff["document"] == [
        {
            "path": "/hosts/host1/vms/xp-off/adapters/1/network",
            "op": "added",
            "before": None,
            "after": "Shared networking (NAT)",
        }
    ]
    assert diff["adapters"] == [
        {
            "adapter": "host1/xp-off#1",
            "before": {"network": None, "ip": None, "source": "none"},
            "after": {"network": "Shared networking (NAT)", "ip": "192.168.131.65", "source": "dhcp"},
        }
    ]
    assert ["vm:host1/xp-off", "internet"] in diff["reachability"]["gained"] and diff["reachability"]["lost"] == []
    back = client.get(f"{API}/labs/{lab_id}/diff", params={"from": 2, "to": 1}).json()
    assert back["reachability"]["lost"] == diff["reachability"]["gained"] and back["reachability"]["gained"] == []
    assert client.get(f"{API}/labs/{lab_id}/diff", params={"from": 1, "to": 9}).status_code == 404
    assert client.get(f"{API}/labs/{lab_id}/diff", params={"from": 1}).status_code == 422


def test_checkpoints_name_versions_and_revert_goes_back(client):  # [H]
    lab_id = import_example(client, "06")["id"]
    named = client.post(f"{API}/labs/{lab_id}/checkpoints", json={"name": "as handed out"})
    assert named.status_code == 201 and named.json()["checkpoint"] == "as handed out"
    client.patch(f"{API}/labs/{lab_id}", json={"description": "students were here"})
    assert versions(client, lab_id)[1]["checkpoint"] == "as handed out"
    reverted = client.post(f"{API}/labs/{lab_id}/revert", json={"version": 1})
    assert reverted.status_code == 200 and reverted.json()["description"] is None
    assert client.post(f"{API}/labs/{lab_id}/revert", json={"version": 3}).status_code == 409  # already there
    assert client.post(f"{API}/labs/{lab_id}/revert", json={"version": 0}).status_code == 422
    assert client.post(f"{API}/labs/{lab_id}/checkpoints", json={"name": ""}).status_code == 422


@pytest.fixture
def keep_two(monkeypatch):
    monkeypatch.setenv("VNETLAB_KEEP_VERSIONS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_pruning_keeps_the_newest_and_the_checkpoints(client, keep_two):  # [H] VNETLAB_KEEP_VERSIONS
    lab_id = import_example(client, "06")["id"]
    client.post(f"{API}/labs/{lab_id}/checkpoints", json={"name": "start"})
    for text in ("a", "b", "c", "d"):
        client.patch(f"{API}/labs/{lab_id}", json={"description": text})
    assert len(versions(client, lab_id)) == 5  # every version keeps its line in the history
    assert client.get(f"{API}/labs/{lab_id}/versions/1/document").status_code == 200  # a checkpoint
    gone = client.get(f"{API}/labs/{lab_id}/versions/2/document")
    assert gone.status_code == 409 and "no longer kept" in gone.json()["detail"]
    assert client.get(f"{API}/labs/{lab_id}/versions/4/document").status_code == 200
    assert client.post(f"{API}/labs/{lab_id}/undo").status_code == 200  # back to version 4: kept
    assert client.post(f"{API}/labs/{lab_id}/revert", json={"version": 1}).status_code == 200


# Random change sequences: undo restores the previous document exactly, and redo undoes the undo.

OPERATIONS = ["attach", "detach", "add_vm", "delete_vm", "rename_vm", "os", "add_adapter", "describe"]


def apply(client, lab_id: int, operation: str, choice: int) -> None:
    vms = client.get(f"{API}/labs/{lab_id}/vms").json()
    networks = client.get(f"{API}/labs/{lab_id}/networks").json()
    host = client.get(f"{API}/labs/{lab_id}/hosts").json()[0]
    vm = vms[choice % len(vms)] if vms else None
    if operation in ("attach", "detach") and vm is not None:
        adapter_id = vm["adapter_ids"][choice % len(vm["adapter_ids"])]
        target = networks[choice % len(networks)]["id"] if operation == "attach" else None
        client.patch(f"{API}/labs/{lab_id}/adapters/{adapter_id}", json={"network_id": target})
    elif operation == "add_vm" or vm is None:
        client.post(f"{API}/labs/{lab_id}/vms", json={"host_id": host["id"], "name": f"vm{choice}x{len(vms)}"})
    elif operation == "delete_vm":
        client.delete(f"{API}/labs/{lab_id}/vms/{vm['id']}")
    elif operation == "rename_vm":
        client.patch(f"{API}/labs/{lab_id}/vms/{vm['id']}", json={"name": f"r{choice}"})
    elif operation == "os":
        client.patch(f"{API}/labs/{lab_id}/vms/{vm['id']}", json={"os": ["windows_7", "windows_xp"][choice % 2]})
    elif operation == "add_adapter":
        client.post(f"{API}/labs/{lab_id}/adapters", json={"vm_id": vm["id"]})
    else:
        client.patch(f"{API}/labs/{lab_id}", json={"description": f"d{choice}"})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 50)), min_size=1, max_size=6))
def test_undo_restores_the_previous_document_and_redo_the_next(client, steps):  # [H]
    lab_id = import_example(client, "01")["id"]
    for operation, choice in steps:
        before = document(client, lab_id)
        version = client.get(f"{API}/labs/{lab_id}").json()["version"]
        apply(client, lab_id, operation, choice)
        if client.get(f"{API}/labs/{lab_id}").json()["version"] == version:
            continue  # refused (a name clash, a fifth adapter…): nothing to undo
        after = document(client, lab_id)
        assert client.post(f"{API}/labs/{lab_id}/undo").status_code == 200
        assert document(client, lab_id) == before
        assert client.post(f"{API}/labs/{lab_id}/redo").status_code == 200
        assert document(client, lab_id) == after


def test_the_simulation_after_undo_redo_and_revert_is_the_restored_documents(client):  # [H] [RES]
    lab_id = import_example(client, "01")["id"]
    client.get(f"{API}/labs/{lab_id}/simulation")  # kept: an undo back to it may answer with it
    off = adapter_of(client, lab_id, "xp-off")
    client.patch(f"{API}/labs/{lab_id}/adapters/{off['id']}", json={"network_id": network(client, lab_id, NAT)["id"]})
    client.get(f"{API}/labs/{lab_id}/simulation")
    for step in ("undo", "redo", "undo"):
        assert client.post(f"{API}/labs/{lab_id}/{step}").status_code == 200
        served = client.get(f"{API}/labs/{lab_id}/simulation").text
        fresh = Simulation(LabDocument.model_validate(document(client, lab_id))).result().to_json(indent=None)
        assert served == fresh, step
    client.post(f"{API}/labs/{lab_id}/revert", json={"version": 2})
    fresh = Simulation(LabDocument.model_validate(document(client, lab_id))).result().to_json(indent=None)
    assert client.get(f"{API}/labs/{lab_id}/simulation").text == fresh
