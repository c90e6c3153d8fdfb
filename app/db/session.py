"""The database engine: SQLite by default (foreign keys on, WAL, a busy timeout), PostgreSQL by URL."""

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from app.config import Settings

try:
    import fcntl
except ImportError:  # not POSIX: one process only
    fcntl = None  # type: ignore[assignment]

WRITE = {"vnetlab_write": True}


class _WriterQueue:
    """Writers to one SQLite database take turns here before asking SQLite for its write lock.

    SQLite lets one writer in at a time, and a writer that finds its lock taken polls for it, sleeping longer
    and longer (up to 100 ms) between tries: with dozens of threads waiting, the lock stood free much of the
    time, and a loaded server managed far fewer writes than it had the CPU for (bench/load.py). Here the
    writers of a process queue on a lock (a wait ends as SQLite's busy timeout would: a 503 from the API), and
    the processes (`vnetlab serve --workers N`) on a lock file next to the database, each process's next
    writer woken the moment the last one is done."""

    def __init__(self, database: str | None, seconds: float):
        self.seconds = seconds
        self.threads = threading.Lock()
        self.path = f"{database}-writers" if database and database != ":memory:" and fcntl else None
        self._fd: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self.threads.acquire(timeout=self.seconds):
            raise _busy()
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # the interpreter lock is let go while this waits
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()

    def _file(self) -> int | None:
        if self.path is not None and self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, os.close, self._fd)
        return self._fd


def _busy() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


_WRITERS: "weakref.WeakKeyDictionary[Engine, _WriterQueue]" = weakref.WeakKeyDictionary()


def make_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(
        url,
        # The driver must not start transactions itself: the "begin" hook below does, so that writers
        # can take the write lock up front (BEGIN IMMEDIATE) and queue instead of failing mid-way.
        connect_args={"check_same_thread": False, "isolation_level": None},
    )
    busy_ms = settings.sqlite_busy_timeout_ms
    _WRITERS[engine] = _WriterQueue(engine.url.database, busy_ms / 1000)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get("vnetlab_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def _writers_turn(engine: Engine) -> Iterator[None]:
    queue = _WRITERS.get(engine)
    if queue is None:
        yield
        return
    with queue.turn():
        yield


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction takes the write lock at once (SQLite) and commits at the end."""
    with _writers_turn(engine), Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options=WRITE)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
