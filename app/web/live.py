"""A lab followed live (SPEC §12): `GET /labs/{id}/events` is a stream of server-sent events, one `version` event
each time the lab changes (app/db/feed.py hears of it, whichever instance made it); the page then asks
`GET /labs/{id}/refresh` for the parts that differ from what it shows, as after its own changes."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from app.api.deps import MAX_ID, EngineDep, LabId
from app.db.feed import GONE, LabFeed
from app.web.pages import workspace_page

router = APIRouter(include_in_schema=False)
KEEP_ALIVE_SECONDS = 15.0  # a comment now and then: proxies keep the stream open, and a gone viewer is noticed


def feed_of(request: Request) -> LabFeed:
    if request.app.state.feed is None:
        request.app.state.feed = LabFeed(request.app.state.engine)
    return request.app.state.feed


@router.get("/labs/{lab_id}/events")
async def lab_events(
    request: Request, lab_id: LabId, since: Annotated[int, Query(ge=0, le=MAX_ID)] = 0
) -> StreamingResponse:
    last = request.headers.get("last-event-id", "")  # a reconnecting EventSource says what it had
    seen = max(since, int(last) if last.isascii() and last.isdigit() and len(last) < 11 else 0)
    return StreamingResponse(
        _events(feed_of(request), lab_id, seen),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(feed: LabFeed, lab_id: int, seen: int) -> AsyncIterator[str]:
    feed.watch(lab_id)
    try:
        yield "retry: 2000\n\n"
        while True:
            version = await feed.wait(lab_id, seen, KEEP_ALIVE_SECONDS)
            if version is None:
                if feed.closed:
                    return
                yield ": still here\n\n"
            elif version == GONE:
                yield "event: gone\ndata: deleted\n\n"
                return
            else:
                seen = version
                yield f"id: {version}\nevent: version\ndata: {version}\n\n"
    finally:
        feed.unwatch(lab_id)


@router.get("/labs/{lab_id}/refresh", response_class=HTMLResponse)
def refresh(request: Request, lab_id: LabId, engine: EngineDep) -> HTMLResponse:
    """The parts of the page that differ from the version it shows (the X-Vnetlab-Base header)."""
    return workspace_page(request, engine, lab_id)
