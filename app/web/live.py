"""A lab followed live (SPEC §12): `GET /labs/{id}/events` is a stream of server-sent events. Each time the lab
changes (app/db/feed.py hears of it, whichever instance made it) the stream carries a `patch` event: the parts
of the page that differ from the version it shows, applied by the page's script as after its own changes.

The patch travels in the stream rather than being fetched after a notice: 300 viewers asking at once cost the
server 300 requests and the last viewer seconds (bench/live.py); this way the server works the parts out once
and writes them to every stream."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.api.deps import MAX_ID, EngineDep, LabId
from app.db.feed import GONE, LabFeed
from app.errors import NotFound, ServerBusy
from app.web.editor import patch_body
from app.web.lab_keys import read_only
from app.web.pages import workspace_for

router = APIRouter(include_in_schema=False)
KEEP_ALIVE_SECONDS = 15.0  # a comment now and then: proxies keep the stream open, and a gone viewer is noticed


def feed_of(request: Request) -> LabFeed:
    if request.app.state.feed is None:
        request.app.state.feed = LabFeed(request.app.state.engine)
    return request.app.state.feed


@router.get("/labs/{lab_id}/events")
async def lab_events(
    request: Request, lab_id: LabId, engine: EngineDep, since: Annotated[int, Query(ge=0, le=MAX_ID)] = 0
) -> StreamingResponse:
    """`since`: the version the page shows (a reconnecting EventSource's Last-Event-ID says it too)."""
    last = request.headers.get("last-event-id", "")
    seen = max(since, int(last) if last.isascii() and last.isdigit() and len(last) < 11 else 0)
    feed = feed_of(request)
    limit = request.app.state.settings.max_live_views
    if feed.watching >= limit:
        raise ServerBusy(f"{limit} pages follow labs live already (VNETLAB_MAX_LIVE_VIEWS); try again later")
    return StreamingResponse(
        _events(request, engine, feed, lab_id, seen),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, engine, feed: LabFeed, lab_id: int, seen: int) -> AsyncIterator[str]:
    feed.watch(lab_id)
    try:
        yield "retry: 2000\n\n"
        while True:
            version = await feed.wait(lab_id, seen, KEEP_ALIVE_SECONDS)
            if version is None:
                if feed.closed:
                    return
                yield ": still here\n\n"
                continue
            key = ("live patch", lab_id, version, seen, read_only(request))
            made = None if version == GONE else await _patch(request, engine, lab_id, seen, key)
            if made is None:
                yield "event: gone\ndata: deleted\n\n"
                return
            seen, body = made
            data = "".join(f"data: {line}\n" for line in body.split("\n"))
            yield f"id: {seen}\nevent: patch\n{data}\n"
    finally:
        feed.unwatch(lab_id)


async def _patch(request: Request, engine, lab_id: int, seen: int, key: tuple) -> tuple[int, str] | None:
    """The lab's version now and the parts that differ from version `seen` (None: the lab is gone). The first
    stream to ask works them out in a worker thread; the others wait for it in the event loop (no thread each)
    and then find them in the cache."""
    budget = request.app.state.matrix_cache.budget
    made = budget.get(key)
    if made is not None:
        return made
    working: dict[tuple, asyncio.Future] = request.app.state.live_patches
    if key in working:
        return await asyncio.shield(working[key])
    future = working[key] = asyncio.get_running_loop().create_future()
    try:
        made = await run_in_threadpool(_work_out, request, engine, lab_id, seen)
    except NotFound:
        made = None
    except BaseException as error:
        future.set_exception(error)
        future.exception()  # marked as seen: the waiters, if any, raise it too
        raise
    finally:
        del working[key]
    if made is not None:
        budget.put(key, made, len(made[1]) * 2 + 200)
    future.set_result(made)
    return made


def _work_out(request: Request, engine, lab_id: int, seen: int) -> tuple[int, str]:
    ws = workspace_for(request, engine, lab_id, matrix=False)
    return ws.version, patch_body(request, ws, None, "", (seen, seen))
