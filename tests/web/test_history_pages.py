"""The designer's history, in-process [H]: what a deletion says it will take, names given to versions, and
refusals shown where they belong."""

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.test_security import import_lab, make_client

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:
    with make_client(tmp_path, offline=True) as test_client:
        yield test_client


def delete_question(client: TestClient, lab_id: int, kind: str, part_id: int) -> str:
    form = client.get(f"/labs/{lab_id}/forms/{kind}/{part_id}").text
    return html.unescape(re.search(r'data-delete-question="([^"]*)"', form).group(1))  # type: ignore[union-attr]


def test_delete_questions_say_what_goes_with_the_part(client):  # [H]
    lab_id = import_lab(client, (ROOT / "examples/02-virtual-server-internal-networks.yaml").read_bytes())
    parts = {kind: client.get(f"/api/v1/labs/{lab_id}/{kind}s").json() for kind in ("lan", "host", "network", "vm")}
    host = parts["host"][0]
    assert delete_question(client, lab_id, "host", host["id"]) == (
        "Delete host vs1? Its 4 VMs and 2 networks go with it: web1, db1, test1, static1."
    )
    lab_a = next(n for n in parts["network"] if n["name"] == "Lab A")
    assert delete_question(client, lab_id, "network", lab_a["id"]) == (
        "Delete network Lab A? 2 adapters will be disconnected: web1, db1."
    )
    vm = next(v for v in parts["vm"] if v["name"] == "web1")
    assert delete_question(client, lab_id, "vm", vm["id"]) == "Delete VM web1? Its 1 adapter goes with it."
    seed = import_lab(client, (ROOT / "examples/01-seed-virtual-pc.yaml").read_bytes())
    lan = client.get(f"/api/v1/labs/{seed}/lans").json()[0]
    assert delete_question(client, seed, "lan", lan["id"]) == "Delete LAN Office LAN? 1 host will be on no LAN: host1."


def test_naming_a_version_refuses_an_empty_or_hostile_name(client):  # [H]
    lab_id = import_lab(client, (ROOT / "examples/06-lan-pool-exhausted.yaml").read_bytes())
    empty = client.post(f"/labs/{lab_id}/checkpoint", data={"name": "  "})
    assert empty.status_code == 200 and "give the version a name" in empty.text
    named = client.post(f"/labs/{lab_id}/checkpoint", data={"name": "<b>week 1</b>"})
    assert "★ &lt;b&gt;week 1&lt;/b&gt;" in named.text
    assert client.get(f"/api/v1/labs/{lab_id}/versions").json()[0]["checkpoint"] == "<b>week 1</b>"


def test_undo_with_nothing_to_undo_says_so(client):  # [H]
    lab_id = import_lab(client, (ROOT / "examples/06-lan-pool-exhausted.yaml").read_bytes())
    answer = client.post(f"/labs/{lab_id}/undo", data={"version": "1"})
    assert answer.status_code == 200 and "nothing to undo" in answer.text
    stale = client.post(f"/labs/{lab_id}/redo", data={"version": "9"})
    assert "changed elsewhere" in stale.text or "nothing to redo" in stale.text
