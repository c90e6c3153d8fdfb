"""The automatic layout (SPEC §13, app/web/canvas.py): deterministic, never overlapping nodes or labels, and
steady — a drop changes labels and links, never where a node is."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.api.simulation_cache import SimulationCache
from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web.canvas import LABEL_HEIGHT, NODE_HEIGHT, Diagram, layout, text_width
from app.web.views import editor_workspace
from bench.labs import lab_data
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
API = "/api/v1"


@pytest.fixture(scope="module")
def app_and_engine(tmp_path_factory) -> Iterator[tuple[TestClient, object]]:
    settings = Settings(
        admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path_factory.mktemp('layout')}/l.db", offline=True
    )
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with TestClient(create_app(settings, engine), headers=ADMIN_HEADERS) as client:
        yield client, engine
    engine.dispose()


def diagram_of(client: TestClient, engine, data: dict) -> tuple[int, Diagram]:
    lab = client.post(f"{API}/labs/import", json=data)
    assert lab.status_code == 201, lab.text
    return lab.json()["id"], diagram_for(engine, lab.json()["id"])


def diagram_for(engine, lab_id: int) -> Diagram:
    return layout(editor_workspace(SimulationCache(depends_on_clock=False), engine, lab_id))


def boxes(diagram: Diagram) -> list[tuple[float, float, float, float, str]]:
    """What must not overlap: VM nodes, address labels, bus and host titles (x, y, width, height, what)."""
    found = [(n.x, n.y, n.width, NODE_HEIGHT, f"node {n.hook}") for n in diagram.nodes]
    found += [(k.label.x, k.label.y, k.label.width, LABEL_HEIGHT, f"label {k.hook}") for k in diagram.links]
    for bus in diagram.buses:
        width = bus.detail_x - bus.x1 + text_width(bus.detail, 11)
        found.append((bus.x1, bus.y - 21, width, 14, f"bus title {bus.hook}"))
    for host in diagram.hosts:
        width = max(text_width(host.title, 13), text_width(host.detail, 11))
        found.append((host.x + 16, host.y + 10, width, 36, f"host title {host.name}"))
    return found


def overlaps(diagram: Diagram) -> list[str]:
    found = sorted(boxes(diagram))
    problems = []
    for i, (x, y, w, h, what) in enumerate(found):
        for x2, y2, _width, h2, other in found[i + 1 :]:
            if x2 >= x + w:
                break  # sorted by x: nothing further right can touch this one
            if y < y2 + h2 and y2 < y + h:
                problems.append(f"{what} overlaps {other}")
    return problems


def example_data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def long_names_lab() -> dict:
    """Long names, eight adapters on one VM, VLANs: what stretches columns and label stacks."""
    vms = [
        {"name": "a-rather-long-virtual-machine-name-of-42-ch", "adapters": [{"network": "Public"}] * 8},
        {"name": "b", "adapters": [{"network": "Private", "vlan": 4094}, {"network": None}]},
        {"name": "c", "adapters": [{"network": "Internal", "address": {"ip": "10.0.0.5/24"}}]},
    ]
    host = {
        "name": "hyper-v host with a long name",
        "product": "hyper_v",
        "lan": "LAN",
        "networks": [
            {"name": "Public", "kind": "external"},
            {"name": "Internal", "kind": "internal"},
            {"name": "Private", "kind": "private"},
        ],
        "vms": vms,
    }
    lan = {"name": "LAN", "subnet": "10.1.0.0/16", "gateway": "10.1.0.1", "dhcp": {"range": ["10.1.1.1", "10.1.9.9"]}}
    return {"vnetlab": 1, "name": "stretch", "lans": [lan], "hosts": [host, {**host, "name": "second"}]}


@pytest.mark.parametrize(
    "data",
    [*(example_data(path) for path in EXAMPLES), lab_data(20), lab_data(200), long_names_lab()],
    ids=[*(path.name[:2] for path in EXAMPLES), "bench-20", "bench-200", "long-names"],
)
def test_nodes_and_labels_never_overlap(app_and_engine, data):
    client, engine = app_and_engine
    _, diagram = diagram_of(client, engine, data)
    assert diagram.nodes, "a lab with VMs"
    assert overlaps(diagram) == []


def test_the_layout_is_deterministic_and_a_drop_moves_no_node(app_and_engine):
    client, engine = app_and_engine
    lab_id, before = diagram_of(client, engine, example_data(EXAMPLES[0]))
    assert diagram_for(engine, lab_id) == before
    adapters = client.get(f"{API}/labs/{lab_id}/adapters").json()
    nat = next(n for n in client.get(f"{API}/labs/{lab_id}/networks").json() if n["kind"] == "nat")
    for adapter in adapters:
        client.patch(f"{API}/labs/{lab_id}/adapters/{adapter['id']}", json={"network_id": nat["id"]})
    after = diagram_for(engine, lab_id)
    assert [(n.x, n.y) for n in after.nodes] == [(n.x, n.y) for n in before.nodes]
    assert [(h.x, h.y, h.width, h.height) for h in after.hosts] == [(h.x, h.y, h.width, h.height) for h in before.hosts]
    assert [link.network_hook for link in after.links] == ["host1/Shared networking (NAT)"] * len(adapters)


def test_a_placed_node_keeps_its_place_and_tidy_up_returns_it(app_and_engine):
    client, engine = app_and_engine
    lab_id, before = diagram_of(client, engine, example_data(EXAMPLES[0]))
    vm = client.get(f"{API}/labs/{lab_id}/vms").json()[0]
    host = client.get(f"{API}/labs/{lab_id}/hosts").json()[0]
    client.patch(f"{API}/labs/{lab_id}/vms/{vm['id']}", json={"x": 900, "y": 500})
    client.patch(f"{API}/labs/{lab_id}/hosts/{host['id']}", json={"x": 100, "y": 400})
    placed = diagram_for(engine, lab_id)
    node = next(n for n in placed.nodes if n.id == vm["id"])
    assert (node.x, node.y) == (1000, 900)  # a VM's place is in its host's frame, which moved to (100, 400)
    assert node.placed and placed.hosts[0].placed
    frame = placed.hosts[0]
    assert frame.x <= node.x and node.x + node.width <= frame.x + frame.width  # the frame takes it in
    version = client.get(f"{API}/labs/{lab_id}").json()["version"]
    tidy = client.post(f"/labs/{lab_id}/tidy", data={"version": version})
    assert tidy.status_code == 200 and "flash" not in tidy.text
    assert diagram_for(engine, lab_id) == before
    history = client.get(f"{API}/labs/{lab_id}/versions").json()
    assert history[0]["summary"] == "tidied up: every node back to the automatic layout"
    assert history[1]["summary"] == "moved host1"


def test_the_overlap_check_sees_a_node_put_on_another(app_and_engine):
    """People may put a node anywhere (the layout is only automatic where they did not): the check above sees it."""
    client, engine = app_and_engine
    lab_id, before = diagram_of(client, engine, example_data(EXAMPLES[0]))
    first, second = client.get(f"{API}/labs/{lab_id}/vms").json()[:2]
    origin = next(n.origin for n in before.nodes if n.id == second["id"])
    client.patch(f"{API}/labs/{lab_id}/vms/{first['id']}", json={"x": origin[0] + 10, "y": origin[1]})
    found = overlaps(diagram_for(engine, lab_id))
    assert {"node host1/xp-local overlaps node host1/xp-nat", "node host1/xp-nat overlaps node host1/xp-local"} & set(
        found
    )
    assert not [problem for problem in found if "xp-bridged" in problem]  # the others stayed in their columns
