"""A drop is answered from what the change left behind (the previous version's rows with the dropped adapter's
row replaced, the document the change validated) instead of reading the lab again, and only with the parts of
the page that changed, the matrix after, built on the last one's answers: each answer must be exactly the
patch that a server which kept nothing would compute between the same two versions."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.api.simulation_cache import CacheBudget, SimulationCache
from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web.editor import BASE_HEADER, MATRIX_HEADER, editor_parts, matrix_parts
from app.web.patches import PageParts, keep, matrix_patch, patch
from app.web.views import editor_workspace
from bench.labs import lab_data
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN

VERSION = re.compile(r'<div data-patch data-version="(\d+)"')


@pytest.fixture
def clients(tmp_path) -> Iterator[tuple[TestClient, object]]:
    settings = Settings(admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path}/drops.db", offline=True)
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with TestClient(create_app(settings, engine), headers=ADMIN_HEADERS) as client:
        yield client, engine
    engine.dispose()


def fresh_parts(engine, lab_id: int, matrix: bool = True) -> PageParts:
    """The page's parts as a server that has kept nothing renders them."""
    workspace = editor_workspace(SimulationCache(depends_on_clock=False), engine, lab_id, None, matrix)
    return editor_parts(workspace, None)[0]


def expected_answers(engine, before: PageParts) -> tuple[str, str]:
    """What a drop answers (without the matrix) and what the matrix's follow-up answers, from `before`."""
    budget = CacheBudget()
    keep(budget, before)
    after = fresh_parts(engine, before.lab_id, matrix=False)
    drop = str(patch(budget, after, before.version, before.version, "", f"/labs/{before.lab_id}/matrix-parts"))
    workspace = editor_workspace(SimulationCache(depends_on_clock=False), engine, before.lab_id)
    matrix = matrix_parts(workspace)
    follow = matrix_patch(budget, before.lab_id, before.created_at, before.version, matrix, after.version)
    return drop, str(follow)


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
        shown = {BASE_HEADER: str(before.version), MATRIX_HEADER: str(before.version)}
        answer = client.post(f"/labs/{lab['id']}/attach", data=form, headers=shown)
        assert 'class="flash' not in answer.text
        version = int(VERSION.search(answer.text).group(1))
        drop, follow = expected_answers(engine, before)
        assert answer.text == drop, f"step {step}"
        assert f'data-follow="/labs/{lab["id"]}/matrix-parts"' in answer.text
        matrix = client.get(f"/labs/{lab['id']}/matrix-parts", headers={**shown, BASE_HEADER: str(version)})
        assert matrix.text == follow, f"step {step}"
        sizes.append(len(answer.content) + len(matrix.content))
        before = fresh_parts(engine, lab["id"])
    whole = len(client.get(f"/labs/{lab['id']}").content)
    assert max(sizes) < whole / 4, (sizes, whole)  # a drop answers a small part of the page
    stale = client.post(f"/labs/{lab['id']}/attach", data={**form, "version": version - 1}).text
    assert 'class="flash warning"' in stale and f'data-version="{version}"' in stale
    assert 'data-full="true"' in stale  # no version to build on was named: every part


def test_a_small_labs_matrix_comes_with_the_answer(clients):
    client, _ = clients
    lab = client.post("/api/v1/labs/import", json=lab_data(20)).json()  # 26 endpoints
    client.get(f"/labs/{lab['id']}")
    version = str(lab["version"])
    adapter = client.get(f"/api/v1/labs/{lab['id']}/adapters").json()[0]
    form = {"adapter_id": adapter["id"], "version": version, "network_id": ""}
    answer = client.post(f"/labs/{lab['id']}/attach", data=form, headers={BASE_HEADER: version, MATRIX_HEADER: version})
    assert "data-follow" not in answer.text and f'data-matrix-version="{lab["version"] + 1}"' in answer.text
    assert "<table data-cells>" in answer.text  # the cells that changed, not the whole matrix
    assert 'id="matrix-section"' not in answer.text


def test_an_unknown_base_gets_every_part_and_the_matrix_after(clients):
    client, _ = clients
    lab = client.post("/api/v1/labs/import", json=lab_data(60)).json()  # over 60 endpoints: the matrix after
    panel = f"/labs/{lab['id']}/panel/lab"
    unknown = client.get(panel, headers={BASE_HEADER: "999", MATRIX_HEADER: "999"}).text
    assert 'data-full="true"' in unknown and 'id="vm-' in unknown and 'id="panel"' in unknown
    assert f'data-follow="/labs/{lab["id"]}/matrix-parts"' in unknown  # its matrix is not this version's
    matrix = client.get(f"/labs/{lab['id']}/matrix-parts", headers={MATRIX_HEADER: "999"}).text
    assert 'id="matrix-section"' in matrix and f'data-matrix-version="{lab["version"]}"' in matrix  # all of it
    version = str(lab["version"])
    again = client.get(panel, headers={BASE_HEADER: version, MATRIX_HEADER: version}).text
    assert 'data-full="false"' in again and 'id="vm-' not in again and 'id="panel"' in again  # nothing changed
    assert "data-follow" not in again
    same = client.get(f"/labs/{lab['id']}/matrix-parts", headers={MATRIX_HEADER: version}).text
    assert "<td" not in same and "matrix-section" not in same  # nothing to send
