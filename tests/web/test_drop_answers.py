"""A drop is answered from what the change left behind (the previous version's rows with the dropped adapter's
row replaced, the document the change validated, the matrix built on the last one's cells) instead of reading
the lab again: the answer must be exactly what a fresh server renders for the same version."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from bench.labs import lab_data

VERSION = re.compile(r'<div id="workspace"[^>]*data-version="(\d+)"')


@pytest.fixture
def clients(tmp_path) -> Iterator[tuple[TestClient, Settings, object]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/drops.db", offline=True)
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with TestClient(create_app(settings, engine)) as client:
        yield client, settings, engine
    engine.dispose()


def fresh_workspace(settings: Settings, engine, lab_id: int, length: int) -> str:
    """The workspace as a server that has kept nothing renders it."""
    with TestClient(create_app(settings, engine)) as fresh:
        page = fresh.get(f"/labs/{lab_id}").text
    start = page.index('<div id="workspace"')
    return page[start : start + length]


def test_every_drop_answers_what_a_fresh_read_shows(clients):
    client, settings, engine = clients
    lab = client.post("/api/v1/labs/import", json=lab_data(60)).json()  # three hosts: NAT, DHCP, VLANs
    api = f"/api/v1/labs/{lab['id']}"
    networks = client.get(f"{api}/networks").json()
    adapters = client.get(f"{api}/adapters").json()
    vms = {vm["id"]: vm for vm in client.get(f"{api}/vms").json()}
    by_host: dict[int, list[int | None]] = {}
    for network in networks:
        if network["kind"] != "external":
            by_host.setdefault(network["host_id"], []).append(network["id"])
    client.get(f"/labs/{lab['id']}")  # the editor, opened: its rows and matrix are kept
    version = lab["version"]
    for step, adapter in enumerate(adapters[::9]):
        choices = [*by_host[vms[adapter["vm_id"]]["host_id"]], None]
        target = choices[step % len(choices)]
        if step == 3:  # a change made elsewhere: the kept rows are a version behind
            renamed = client.patch(f"{api}/vms/{adapter['vm_id']}", json={"name": "renamed"})
            assert renamed.status_code == 200
            version += 1
        form = {"adapter_id": adapter["id"], "version": version, "network_id": "" if target is None else target}
        answer = client.post(f"/labs/{lab['id']}/attach", data=form).text.strip()
        assert 'class="flash' not in answer
        version = int(VERSION.search(answer).group(1))
        assert answer == fresh_workspace(settings, engine, lab["id"], len(answer)), f"step {step}"
    stale = client.post(f"/labs/{lab['id']}/attach", data={**form, "version": version - 1}).text
    assert 'class="flash warning"' in stale and f'data-version="{version}"' in stale
