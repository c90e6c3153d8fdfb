"""A drop is answered from what the change left behind (the previous version's rows with the dropped adapter's
row replaced, the document the change validated, the matrix built on the last one's answers) instead of reading
the lab again, and only with the parts of the page that changed: the answer must be exactly the patch that a
server which kept nothing would compute between the same two versions."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.api.simulation_cache import CacheBudget, SimulationCache
from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web.editor import BASE_HEADER, editor_parts
from app.web.patches import PageParts, keep, patch
from app.web.views import editor_workspace
from bench.labs import lab_data

VERSION = re.compile(r'<div data-patch data-version="(\d+)"')


@pytest.fixture
def clients(tmp_path) -> Iterator[tuple[TestClient, object]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/drops.db", offline=True)
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with TestClient(create_app(settings, engine)) as client:
        yield client, engine
    engine.dispose()


def fresh_parts(engine, lab_id: int) -> PageParts:
    """The page's parts as a server that has kept nothing renders them."""
    return editor_parts(editor_workspace(SimulationCache(depends_on_clock=False), engine, lab_id), None)[0]


def expected_patch(before: PageParts, after: PageParts) -> str:
    budget = CacheBudget()
    keep(budget, before)
    return str(patch(budget, after, before.version))


def test_every_drop_answers_only_what_changed_as_a_fresh_render_shows(clients):
    client, engine = clients
    lab = client.post("/api/v1/labs/import", json=lab_data(60)).json()  # three hosts: NAT, DHCP, VLANs
    api = f"/api/v1/labs/{lab['id']}"
    networks = client.get(f"{api}/networks").json()
    adapters = client.get(f"{api}/adapters").json()
    vms = {vm["id"]: vm for vm in client.get(f"{api}/vms").json()}
    by_host: dict[int, list[int | None]] = {}
    for network in networks:
        if network["kind"] != "external":
            by_host.setdefault(network["host_id"], []).append(network["id"])
    client.get(f"/labs/{lab['id']}")  # the editor, opened: its rows, matrix and parts are kept
    version = lab["version"]
    before = fresh_parts(engine, lab["id"])
    sizes = []
    for step, adapter in enumerate(adapters[::9]):
        choices = [*by_host[vms[adapter["vm_id"]]["host_id"]], None]
        target = choices[step % len(choices)]
        if step == 3:  # a change made elsewhere: the kept rows are a version behind, the page too
            renamed = client.patch(f"{api}/vms/{adapter['vm_id']}", json={"name": "renamed"})
            assert renamed.status_code == 200
            version += 1
        form = {"adapter_id": adapter["id"], "version": version, "network_id": "" if target is None else target}
        answer = client.post(f"/labs/{lab['id']}/attach", data=form, headers={BASE_HEADER: str(before.version)})
        assert 'class="flash' not in answer.text
        version = int(VERSION.search(answer.text).group(1))
        after = fresh_parts(engine, lab["id"])
        assert answer.text == expected_patch(before, after), f"step {step}"
        sizes.append(len(answer.content))
        before = after
    whole = len(client.get(f"/labs/{lab['id']}").content)
    assert max(sizes) < whole / 4, (sizes, whole)  # a drop answers a small part of the page
    stale = client.post(f"/labs/{lab['id']}/attach", data={**form, "version": version - 1}).text
    assert 'class="flash warning"' in stale and f'data-version="{version}"' in stale
    assert 'data-full="true"' in stale  # no version to build on was named: every part


def test_an_unknown_base_gets_every_part(clients):
    client, _ = clients
    lab = client.post("/api/v1/labs/import", json=lab_data(20)).json()
    page = client.get(f"/labs/{lab['id']}/panel/lab", headers={BASE_HEADER: "999"}).text
    assert 'data-full="true"' in page and 'id="vm-' in page and 'id="panel"' in page
    again = client.get(f"/labs/{lab['id']}/panel/lab", headers={BASE_HEADER: str(lab["version"])}).text
    assert 'data-full="false"' in again and 'id="vm-' not in again and 'id="panel"' in again  # nothing changed
