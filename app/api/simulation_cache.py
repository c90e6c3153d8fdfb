"""Simulation results kept per lab version, so that the read which follows a change is already under way.

A change validates the lab as a document anyway. Once its response is sent, that document is simulated
under the lab's new version (a background task, so the change's own answer is not slowed down), and the
designer's next request — "show me what this drag did" — waits for that instead of loading, validating
and simulating again. Results of labs without a `clock` depend on the time of asking and are not kept.

Each lab's latest pair rows are kept too, so that simulating a new version recomputes only the pairs whose
endpoints changed (see `Simulation.result_json_after`); pair rows do not depend on the clock.

Everything the app's caches keep counts against one byte budget (`CacheBudget`, the `cache_bytes` setting):
the API's results and pair rows, the designer's matrices and their cells, and whatever else is given the
same budget. When the total would pass it, the least recently used entries go first, whichever cache holds
them. Sizes are estimates of the memory the kept strings and rows take (`sys.getsizeof` of each string).

What is kept is named by a lab version (or is checked against what it depends on before it is reused, as
pair rows are), so several worker processes, each with its own caches, never answer from a stale entry.
"""

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.models import LabRow
from app.engine.simulate import PairRows

Key = tuple[int, int, datetime]
LabKey = tuple[int, datetime]
Compute = Callable[[PairRows | None], tuple[str, PairRows | None]]
PREPARED_WAIT_SECONDS = 30  # a reserved result that never comes (a lost task) is then computed by the reader
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


@dataclass
class _Entry:
    value: Any
    size: int
    pinned: bool  # a result still being prepared: not counted yet, never dropped


class CacheBudget:
    """One byte budget shared by several caches: their entries together never take more than `max_bytes`
    (entries still being prepared are counted once they are done). Least recently used entries go first."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        self.max_bytes = max_bytes
        self.total = 0
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable) -> Any:
        """The kept value (marked as just used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry.value

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keeps `value`, taking `size` bytes; a value larger than the whole budget is not kept."""
        with self._lock:
            self._drop(key)
            if size > self.max_bytes:
                return
            self._entries[key] = _Entry(value, size, pinned=False)
            self.total += size
            self._trim()

    def reserve(self, key: Hashable, value: Any) -> bool:
        """Keeps `value` (a result being prepared) unless `key` is taken; counted once `settle` gives its size."""
        with self._lock:
            if key in self._entries:
                return False
            self._entries[key] = _Entry(value, 0, pinned=True)
            return True

    def settle(self, key: Hashable, value: Any, size: int) -> None:
        """The reserved `value` is ready and takes `size` bytes (ignored if it was dropped meanwhile)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.value is not value or not entry.pinned:
                return
            if size > self.max_bytes:
                del self._entries[key]
                return
            entry.pinned, entry.size = False, size
            self.total += size
            self._entries.move_to_end(key)
            self._trim()

    def discard(self, key: Hashable, value: Any = None) -> None:
        """Forgets `key` (only if it still holds `value`, when given)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (value is None or entry.value is value):
                self._drop(key)

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None and not entry.pinned:
            self.total -= entry.size

    def _trim(self) -> None:
        excess, victims = self.total - self.max_bytes, []
        for key, entry in self._entries.items():  # least recently used first
            if excess <= 0:
                break
            if not entry.pinned:
                victims.append(key)
                excess -= entry.size
        for key in victims:
            self.total -= self._entries.pop(key).size


def text_bytes(text: str) -> int:
    return sys.getsizeof(text)


def pair_rows_bytes(rows: PairRows) -> int:
    """About what a lab's pair rows take: their strings, lists and each endpoint's signature."""
    size = sys.getsizeof(rows.signatures) + sys.getsizeof(rows.upstreams) + sys.getsizeof(rows.rows)
    for source, answers in rows.rows.items():
        size += sys.getsizeof(source) + sys.getsizeof(answers) + sum(map(sys.getsizeof, answers))
        size += sys.getsizeof(rows.signatures.get(source)) + sys.getsizeof(rows.upstreams.get(source)) + 128
    return size


class SimulationCache:
    """Results per lab version, and each lab's latest pair rows, kept within `budget` (its own budget of
    `max_bytes` when none is given)."""

    def __init__(
        self,
        budget: CacheBudget | None = None,
        depends_on_clock: bool = True,
        max_bytes: int = DEFAULT_CACHE_BYTES,
    ):
        self.budget = budget if budget is not None else CacheBudget(max_bytes)
        self.depends_on_clock = depends_on_clock
        self._name = object()  # this cache's part of the budget's keys

    def key(self, lab: LabRow) -> Key | None:
        """A lab version names its content; the creation time tells a new lab from a deleted one with its id."""
        if lab.id is None or (self.depends_on_clock and lab.clock is None):
            return None
        return (lab.id, lab.version, lab.created_at)

    @staticmethod
    def lab_key(lab: LabRow) -> LabKey:
        return (lab.id, lab.created_at)  # type: ignore[return-value]

    def _result_key(self, key: Key) -> Hashable:
        return (self._name, "result", key)

    def _base_key(self, lab_key: LabKey) -> Hashable:
        return (self._name, "rows", lab_key)

    def compute(self, lab: LabRow, compute: Compute) -> str:
        """Computes a result from this lab's latest pair rows, and keeps the new rows for the next version."""
        base_key = self._base_key(self.lab_key(lab))
        text, rows = compute(self.budget.get(base_key))
        if rows is not None:
            self.budget.put(base_key, rows, pair_rows_bytes(rows))
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
        future: Future[str] | None = self.budget.get(self._result_key(key))
        if future is None:
            return None
        try:
            return future.result(timeout=PREPARED_WAIT_SECONDS)
        except (FutureTimeout, Exception):
            self.budget.discard(self._result_key(key), future)
            return None

    def store(self, key: Key | None, text: str) -> None:
        if key is None:
            return
        future: Future[str] = Future()
        future.set_result(text)
        self.budget.put(self._result_key(key), future, text_bytes(text))

    def reuse(self, lab: LabRow, same_as: int) -> bool:
        """Keeps for the lab's version the result already kept for version `same_as`, whose document it is
        again (an undo, redo or revert): with the lab's clock set, the same document has the same result."""
        key = self.key(lab)
        if key is None:
            return False
        earlier = (lab.id, same_as, lab.created_at)
        future: Future[str] | None = self.budget.get(self._result_key(earlier))
        if future is None or not future.done() or future.exception() is not None:
            return False
        self.store(key, future.result())
        return True

    def prepare(self, lab: LabRow, compute: Compute) -> Callable[[], None] | None:
        """Reserves the result for the lab's version now and returns the job that computes it, to run after
        the response."""
        key = self.key(lab)
        if key is None:
            return None
        budget_key = self._result_key(key)
        future: Future[str] = Future()
        if not self.budget.reserve(budget_key, future):
            return None

        def job() -> None:
            try:
                text = self.compute(lab, compute)
            except BaseException as error:
                self.budget.discard(budget_key, future)
                future.set_exception(error)
                return
            future.set_result(text)
            self.budget.settle(budget_key, future, text_bytes(text))

        return job
