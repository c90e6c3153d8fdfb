"""Lab versions as they change, for the pages that follow a lab live (app/web/live.py).

Whoever changes a lab — this process, another worker, another instance — the feed hears of it: on PostgreSQL
every change sends `NOTIFY vnetlab_labs '<lab id>:<version>'` with its commit (app/labs/changes.py) and the
feed LISTENs on a connection of its own; on SQLite (one machine) it asks for the watched labs' versions every
`POLL_SECONDS`, one query however many pages watch. A page waits on an asyncio.Event of its lab's: 300 viewers
of one lab cost one Event, not 300 queries."""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from app.db.models import LabRow
from app.db.session import read_session

LOG = logging.getLogger("vnetlab.feed")
CHANNEL = "vnetlab_labs"
POLL_SECONDS = 0.2
GONE = -1  # the lab was deleted


@dataclass
class _Watch:
    version: int | None = None  # None: not known yet
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    watchers: int = 0


def versions_of(engine: Engine, lab_ids: Iterable[int]) -> dict[int, int]:
    """Each lab's version now (GONE for a lab that is not there)."""
    wanted = list(lab_ids)
    with read_session(engine) as session:
        found = dict(session.exec(select(LabRow.id, LabRow.version).where(LabRow.id.in_(wanted))).all())  # type: ignore[arg-type, union-attr, call-overload]
    return {lab_id: found.get(lab_id, GONE) for lab_id in wanted}


def _report_end(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        LOG.error(
            "the live feed stopped; it starts again with the next page that follows a lab", exc_info=task.exception()
        )


class LabFeed:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.listens = engine.dialect.name == "postgresql"
        self._watches: dict[int, _Watch] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self._resync = asyncio.Event()

    # What the pages use

    async def wait(self, lab_id: int, after: int, timeout: float) -> int | None:
        """The lab's version once it is past `after` (GONE if deleted); None if `timeout` passes first."""
        watch = self._watches[lab_id]
        deadline = asyncio.get_running_loop().time() + timeout
        while watch.version is None or (watch.version != GONE and watch.version <= after):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or self._stop.is_set():
                return None
            changed = watch.changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return None
        return watch.version

    def watch(self, lab_id: int) -> None:
        self._start()
        watch = self._watches.setdefault(lab_id, _Watch())
        watch.watchers += 1
        if watch.version is None:
            self._resync.set()  # learn its version now rather than at the next notification

    def unwatch(self, lab_id: int) -> None:
        watch = self._watches.get(lab_id)
        if watch is not None:
            watch.watchers -= 1
            if watch.watchers <= 0:
                del self._watches[lab_id]

    @property
    def watching(self) -> int:
        """How many pages follow a lab now."""
        return sum(watch.watchers for watch in self._watches.values())

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        for watch in self._watches.values():
            watch.changed.set()

    # Hearing of changes

    def publish(self, lab_id: int, version: int) -> None:
        """In the event loop: lab `lab_id` is at `version` now."""
        watch = self._watches.get(lab_id)
        if watch is None or (
            watch.version is not None and watch.version != GONE and version != GONE and version <= watch.version
        ):
            return
        watch.version = version
        watch.changed.set()
        watch.changed = asyncio.Event()  # the next change wakes whoever waits after this one

    def _start(self) -> None:
        """Starts hearing of changes — again, if the task ended or the app now runs in another event loop."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        if self._loop is not loop:  # asyncio's Events belong to the loop they were made in
            self._resync = asyncio.Event()
            self._watches = {lab_id: _Watch(w.version, watchers=w.watchers) for lab_id, w in self._watches.items()}
        self._loop = loop
        self._task = loop.create_task(self._run())
        self._task.add_done_callback(_report_end)
        if self.listens and (self._listener is None or not self._listener.is_alive()):
            self._listener = threading.Thread(target=self._listen, name="vnetlab-listen", daemon=True)
            self._listener.start()

    async def _run(self) -> None:
        """Polls (SQLite), or catches up after (re)connecting and on new watches (PostgreSQL)."""
        while not self._stop.is_set():
            if self.listens:
                await self._resync.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._resync.wait(), POLL_SECONDS)
            self._resync.clear()
            watched = list(self._watches)
            if not watched:
                continue
            try:
                found = await asyncio.to_thread(versions_of, self.engine, watched)
            except Exception:  # the database is away for a moment: ask again next time
                await asyncio.sleep(POLL_SECONDS)
                continue
            for lab_id, version in found.items():
                self.publish(lab_id, version)

    def _listen(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._call(self._resync.set)  # changes made while not listening
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            lab_id, _, version = notice.payload.partition(":")
                            try:
                                self._call(self.publish, int(lab_id), int(version))
                            except ValueError:  # not one of ours: anyone connected may NOTIFY this channel
                                continue
            except (psycopg.Error, OSError):
                self._stop.wait(1.0)

    def _call(self, function, *args) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(function, *args)
