"""The app as each worker process of `vnetlab serve --workers N` builds it: uvicorn starts the workers and
imports this factory by name in each of them.

Every worker has its own caches. What they keep is named by a lab version, or checked against what it
depends on before it is reused (see app/api/simulation_cache.py), so a worker never answers from an entry
that another worker's change made stale. SQLite is shared through WAL with a busy timeout, and every change
takes the write lock up front (app/db/session.py), so writers in different workers queue instead of failing.
"""

from fastapi import FastAPI

from app.main import create_app
from app.runtime import settle_collector, share_the_interpreter_lock


def worker_app() -> FastAPI:
    app = create_app()
    settle_collector()
    share_the_interpreter_lock()
    return app
