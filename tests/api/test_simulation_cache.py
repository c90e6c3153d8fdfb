"""Results kept per lab version: never stale, never lost, bounded."""

from datetime import UTC, datetime

from app.api.simulation_cache import CacheBudget, SimulationCache, pair_rows_bytes, text_bytes
from app.config import Settings
from app.db.models import LabRow
from app.engine.simulate import PairRows
from app.main import create_app
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


def rows_of(size: int) -> PairRows:
    """Pair rows of about `size` bytes."""
    return PairRows({"a": ()}, {"a": frozenset()}, {"a": ["x" * size]})


def test_the_latest_rows_of_a_lab_are_handed_to_its_next_version():
    first_rows = pair_rows_bytes(rows_of(1000))
    cache = SimulationCache(max_bytes=first_rows + 500)  # room for one lab's rows
    seen = []

    def compute(previous):
        seen.append(previous and len(previous.rows["a"][0]))
        return "text", rows_of(1000 + len(seen))

    cache.compute(lab_row(version=1), compute)
    cache.compute(lab_row(version=2), compute)
    cache.compute(lab_row(lab_id=2), compute)  # another lab's rows push the first one's out
    cache.compute(lab_row(version=3), compute)
    assert seen == [None, 1001, None, None]


def test_kept_results_are_bounded_by_size():
    cache = SimulationCache(max_bytes=3 * text_bytes("123456"))
    for version in range(1, 5):
        cache.store(cache.key(lab_row(version=version)), "123456")
    assert cache.lookup(cache.key(lab_row(version=4))) == "123456"
    assert cache.lookup(cache.key(lab_row(version=1))) is None
    assert cache.lookup(cache.key(lab_row(version=2))) == "123456"


def test_every_cache_together_stays_within_one_budget():
    """Results, pair rows and the designer's matrices share the budget; the least recently used go first."""
    budget = CacheBudget(max_bytes=20_000)
    api, designer = SimulationCache(budget), SimulationCache(budget, depends_on_clock=False)
    for lab_id in range(1, 30):
        for version in range(1, 4):
            lab = lab_row(lab_id, version)
            api.result(lab, lambda _previous, n=lab_id: ("r" * (300 + n), rows_of(1200)))
            designer.result(lab, lambda _previous, n=lab_id: ("m" * (500 + n), rows_of(900)))
            assert budget.total <= budget.max_bytes
    assert 0 < budget.total <= 20_000
    assert budget.total == sum(entry.size for entry in budget._entries.values())
    latest = lab_row(29, 3)
    assert api.lookup(api.key(latest)) == "r" * 329 and designer.lookup(designer.key(latest)) == "m" * 529
    assert api.lookup(api.key(lab_row(1, 1))) is None and designer.lookup(designer.key(lab_row(1, 1))) is None
    # Reading an old entry makes it recent: it outlives entries stored before it was read.
    budget.put("other", "o" * 1000, 1049)
    oldest = next(key for key in budget._entries if key != "other")
    assert budget.get(oldest) is not None  # now the most recently used
    for n in range(100):
        if "other" not in budget:
            break
        budget.put(("filler", n), "f" * 1000, 1049)
        assert budget.total <= budget.max_bytes
    assert "other" not in budget and oldest in budget


def test_results_being_prepared_are_never_dropped_and_count_once_done():
    budget = CacheBudget(max_bytes=2000)
    cache = SimulationCache(budget)
    job = cache.prepare(lab_row(version=7), lambda _previous: ("p" * 900, None))
    assert job is not None
    for n in range(10):
        budget.put(("filler", n), "f", 500)
    assert budget.total <= 2000 and len(budget) == 1 + 4  # the reservation and the latest fillers
    job()
    assert cache.lookup(cache.key(lab_row(version=7))) == "p" * 900
    assert budget.total <= 2000


def test_a_value_larger_than_the_budget_is_not_kept():
    cache = SimulationCache(max_bytes=100)
    cache.store(cache.key(lab_row()), "x" * 1000)
    assert cache.lookup(cache.key(lab_row())) is None and cache.budget.total == 0


def test_the_setting_sizes_the_app_budget(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/budget.db", cache_bytes=12345)
    app = create_app(settings)
    assert app.state.simulation_cache.budget is app.state.matrix_cache.budget
    assert app.state.simulation_cache.budget.max_bytes == 12345


def test_unknown_key_is_none():
    assert SimulationCache().lookup(SimulationCache().key(lab_row())) is None
