"""A lab followed live (SPEC §12): the event stream of `GET /labs/{id}/events` brings each new version (the parts
of the page that changed) within a second of the change, whichever instance made it — on PostgreSQL through
LISTEN/NOTIFY, on SQLite by asking."""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from app.main import create_app
from tests.api.conftest import EXAMPLES, settings_for
from tests.keys import bearer
from tests.live import serve

SEED = (EXAMPLES / "01-seed-virtual-pc.yaml").read_bytes()


class Stream:
    """Reads an event stream in a thread, keeping each event as (event, id, data, seconds since the start)."""

    def __init__(self, url: str, headers: dict[str, str]):
        self.events: list[tuple[str, str, str, float]] = []
        self.started = time.monotonic()
        self.opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=30))
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self.opened.set()
                event, number, data = "message", "", []
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("id: "):
                        number = line[4:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line == "" and data:
                        self.events.append((event, number, "\n".join(data), time.monotonic() - self.started))
                        event, number, data = "message", "", []
        except httpx.HTTPError:
            self.opened.set()

    def wait_for(self, event: str, number: str, within: float) -> tuple[float, str]:
        """When the event `event` with id `number` came, and its data."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for seen, seen_number, data, at in self.events:
                if (seen, seen_number) == (event, number):
                    return at, data
            time.sleep(0.01)
        raise AssertionError(f"no {event} {number} within {within} s; got {[e[:2] for e in self.events]}")

    def close(self) -> None:
        self._client.close()


@pytest.fixture
def two_instances(engine) -> Iterator[tuple[str, str]]:
    """Two servers of one database, each with its own engine, caches and feed — as two machines would be."""
    from app.db.session import make_engine

    other_engine = make_engine(settings_for(str(engine.url.render_as_string(hide_password=False))))
    with (
        serve(create_app(settings_for(str(engine.url)), engine)) as first,
        serve(create_app(settings_for(str(engine.url)), other_engine)) as second,
    ):
        yield first, second
    other_engine.dispose()


def test_a_change_made_through_another_instance_reaches_the_stream_within_a_second(two_instances):  # [AC]
    watched_at, changed_at = two_instances
    lab = httpx.post(f"{changed_at}/api/v1/labs/import", content=SEED, headers={"Content-Type": "application/yaml"})
    lab = lab.json()
    edit, view = bearer(lab["keys"]["edit"]), bearer(lab["keys"]["view"])
    stream = Stream(f"{watched_at}/labs/{lab['id']}/events?since={lab['version']}", view)
    try:
        assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
        time.sleep(0.3)  # the stream is being watched
        for version in (2, 3):
            started = time.monotonic() - stream.started
            renamed = httpx.patch(f"{changed_at}/api/v1/labs/{lab['id']}", json={"name": f"v{version}"}, headers=edit)
            assert renamed.status_code == 200
            heard, patch = stream.wait_for("patch", str(version), within=5)
            assert heard - started < 1.0, f"version {version} was heard {heard - started:.2f} s after the change"
            # The parts that differ from what the page shows: here the header, with the new name.
            assert patch.startswith(f'<div data-patch data-version="{version}"') and f"v{version}" in patch
            assert 'data-mode="view"' not in patch and "Make my own copy" in patch  # drawn for a viewer
        httpx.delete(f"{changed_at}/api/v1/labs/{lab['id']}", headers=edit)
        stream.wait_for("gone", "", within=5)
    finally:
        stream.close()


def test_the_stream_takes_either_key_and_nothing_else(live_url):  # [AC]
    lab = httpx.post(f"{live_url}/api/v1/labs", json={"name": "projected"}).json()
    assert httpx.get(f"{live_url}/labs/{lab['id']}/events").status_code == 401
    assert httpx.get(f"{live_url}/labs/{lab['id']}/events", headers=bearer("guess")).status_code == 404
    stream = Stream(f"{live_url}/labs/{lab['id']}/events?since=0", bearer(lab["keys"]["view"]))
    try:
        stream.wait_for("patch", "1", within=5)  # behind already: brought up to date at once
    finally:
        stream.close()


def test_a_strangers_notify_on_the_channel_does_not_stop_the_feed(engine, live_url):
    if engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    lab = httpx.post(f"{live_url}/api/v1/labs", json={"name": "projected"}).json()
    stream = Stream(f"{live_url}/labs/{lab['id']}/events?since=1", bearer(lab["keys"]["view"]))
    try:
        time.sleep(0.3)
        with engine.begin() as connection:
            connection.execute(text("NOTIFY vnetlab_labs, 'not-a-version'"))
        httpx.patch(f"{live_url}/api/v1/labs/{lab['id']}", json={"name": "after"}, headers=bearer(lab["keys"]["edit"]))
        stream.wait_for("patch", "2", within=5)
    finally:
        stream.close()


def test_live_pages_are_bounded(engine):  # every computation's cost bounded: each stream holds a connection
    settings = settings_for(str(engine.url)).model_copy(update={"max_live_views": 1})
    with serve(create_app(settings, engine)) as url:
        lab = httpx.post(f"{url}/api/v1/labs", json={"name": "projected"}).json()
        view = bearer(lab["keys"]["view"])
        stream = Stream(f"{url}/labs/{lab['id']}/events?since=1", view)
        try:
            time.sleep(0.3)  # the first stream is being watched
            refused = httpx.get(f"{url}/labs/{lab['id']}/events", headers=view)
            assert refused.status_code == 503 and refused.headers["retry-after"] == "10"
            assert "VNETLAB_MAX_LIVE_VIEWS" in refused.json()["detail"]
        finally:
            stream.close()
