"""Results kept per lab version: never stale, never lost, bounded."""

from datetime import UTC, datetime

from app.api.simulation_cache import SimulationCache
from app.db.models import LabRow
from tests.api.conftest import import_example

API = "/api/v1"


def lab_row(lab_id: int = 1, version: int = 1, clock: datetime | None = datetime(2009, 9, 15)) -> LabRow:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return LabRow(id=lab_id, name="x", version=version, clock=clock, created_at=now, updated_at=now)


def test_every_change_is_seen_by_the_next_read(client):
    lab = import_example(client, "01")
    url = f"{API}/labs/{lab['id']}"
    assert client.get(f"{url}/simulation").json()["lab"] == "Seed classroom"
    vms = client.get(f"{url}/vms").json()
    client.patch(f"{url}/vms/{vms[0]['id']}", json={"name": "renamed"})
    assert client.get(f"{url}/simulation").json()["adapters"][0]["vm"] == "renamed"
    client.patch(url, json={"name": "New name"})
    assert client.get(f"{url}/simulation").json()["lab"] == "New name"


def test_a_deleted_lab_never_answers_for_a_new_one(client):
    first = import_example(client, "01")
    assert client.get(f"{API}/labs/{first['id']}/simulation").status_code == 200
    client.delete(f"{API}/labs/{first['id']}")
    second = import_example(client, "04")
    assert client.get(f"{API}/labs/{second['id']}/simulation").json()["lab"] == "DHCP server on Local only"


def test_labs_without_a_clock_are_not_kept():
    cache = SimulationCache()
    assert cache.key(lab_row(clock=None)) is None
    cache.store(None, "x")
    assert cache.lookup(None) is None and cache.prepare(lab_row(clock=None), lambda _: ("x", None)) is None


def test_prepared_result_is_awaited_and_a_failed_one_is_dropped():
    cache = SimulationCache()
    lab = lab_row(version=2)
    job = cache.prepare(lab, lambda _: ('{"ok": true}', None))
    assert job is not None and cache.prepare(lab, lambda _: ("again", None)) is None  # reserved once
    job()
    assert cache.lookup(cache.key(lab)) == '{"ok": true}'

    def broken(_previous):
        raise RuntimeError("boom")

    failing = lab_row(version=3)
    cache.prepare(failing, broken)()  # type: ignore[misc]
    assert cache.lookup(cache.key(failing)) is None  # the reader computes it in the open


def test_the_latest_rows_of_a_lab_are_handed_to_its_next_version():
    cache = SimulationCache(max_labs=1)
    seen = []

    def compute(previous):
        seen.append(previous)
        return "text", f"rows after {previous}"

    cache.compute(lab_row(version=1), compute)
    cache.compute(lab_row(version=2), compute)
    cache.compute(lab_row(lab_id=2), compute)  # another lab pushes the first one's rows out (max_labs=1)
    cache.compute(lab_row(version=3), compute)
    assert seen == [None, "rows after None", None, None]


def test_kept_results_are_bounded_by_size():
    cache = SimulationCache(max_bytes=10)
    for version in range(1, 5):
        cache.store(cache.key(lab_row(version=version)), "123456")
    assert cache.lookup(cache.key(lab_row(version=4))) == "123456"
    assert cache.lookup(cache.key(lab_row(version=1))) is None


def test_unknown_key_is_none():
    assert SimulationCache().lookup(SimulationCache().key(lab_row())) is None
