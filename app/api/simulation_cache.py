"""Simulation results kept per lab version, so that the read which follows a change is already under way.

A change validates the lab as a document anyway. Once its response is sent, that document is simulated
under the lab's new version (a background task, so the change's own answer is not slowed down), and the
designer's next request — "show me what this drag did" — waits for that instead of loading, validating
and simulating again. Results of labs without a `clock` depend on the time of asking and are not kept.

Each lab's latest pair rows are kept too, so that simulating a new version recomputes only the pairs whose
endpoints changed (see `Simulation.result_json_after`); pair rows do not depend on the clock.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime

from app.db.models import LabRow
from app.engine.simulate import PairRows

Key = tuple[int, int, datetime]
LabKey = tuple[int, datetime]
Compute = Callable[[PairRows | None], tuple[str, PairRows | None]]
PREPARED_WAIT_SECONDS = 30  # a reserved result that never comes (a lost task) is then computed by the reader


class SimulationCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_labs: int = 32, depends_on_clock: bool = True):
        self.max_bytes = max_bytes
        self.depends_on_clock = depends_on_clock
        self.max_labs = max_labs
        self._entries: OrderedDict[Key, Future[str]] = OrderedDict()
        self._bases: OrderedDict[LabKey, PairRows] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, lab: LabRow) -> Key | None:
        """A lab version names its content; the creation time tells a new lab from a deleted one with its id."""
        if lab.id is None or (self.depends_on_clock and lab.clock is None):
            return None
        return (lab.id, lab.version, lab.created_at)

    @staticmethod
    def lab_key(lab: LabRow) -> LabKey:
        return (lab.id, lab.created_at)  # type: ignore[return-value]

    def compute(self, lab: LabRow, compute: Compute) -> str:
        """Computes a result from this lab's latest pair rows, and keeps the new rows for the next version."""
        lab_key = self.lab_key(lab)
        with self._lock:
            base = self._bases.get(lab_key)
        text, rows = compute(base)
        if rows is not None:
            with self._lock:
                self._bases[lab_key] = rows
                self._bases.move_to_end(lab_key)
                while len(self._bases) > self.max_labs:
                    self._bases.popitem(last=False)
        return text

    def result(self, lab: LabRow, compute: Compute) -> str:
        """The result for the lab's version: kept (or being prepared), else computed — from the lab's latest
        rows — and kept."""
        key = self.key(lab)
        text = self.lookup(key)
        if text is None:
            text = self.compute(lab, compute)
            self.store(key, text)
        return text

    def lookup(self, key: Key | None) -> str | None:
        """The kept result for `key`, waiting for it when it is being prepared; None when there is none."""
        if key is None:
            return None
        with self._lock:
            future = self._entries.get(key)
            if future is not None:
                self._entries.move_to_end(key)
        if future is None:
            return None
        try:
            return future.result(timeout=PREPARED_WAIT_SECONDS)
        except (FutureTimeout, Exception):
            self._forget(key, future)
            return None

    def store(self, key: Key | None, text: str) -> None:
        if key is None:
            return
        future: Future[str] = Future()
        future.set_result(text)
        with self._lock:
            self._entries[key] = future
        self._trim()

    def prepare(self, lab: LabRow, compute: Compute) -> Callable[[], None] | None:
        """Reserves the result for the lab's version now and returns the job that computes it, to run after
        the response."""
        key = self.key(lab)
        if key is None:
            return None
        with self._lock:
            if key in self._entries:
                return None
            future: Future[str] = Future()
            self._entries[key] = future

        def job() -> None:
            try:
                future.set_result(self.compute(lab, compute))
            except BaseException as error:
                self._forget(key, future)
                future.set_exception(error)
                return
            self._trim()

        return job

    def _forget(self, key: Key, future: "Future[str]") -> None:
        with self._lock:
            if self._entries.get(key) is future:
                del self._entries[key]

    def _trim(self) -> None:
        with self._lock:
            sizes = {key: len(f.result()) for key, f in self._entries.items() if f.done() and f.exception() is None}
            total = sum(sizes.values())
            for key in list(self._entries):
                if total <= self.max_bytes:
                    break
                if key in sizes:  # results still being prepared are never dropped
                    del self._entries[key]
                    total -= sizes[key]
