"""The designer's side of lab keys (SPEC §12): a `?key=` link leaves the key in a cookie for that lab, the labs
page lists the labs this browser holds keys for, and a lab that the browser has no key for says so — with
nothing of the lab on the page."""

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import Engine

from app.access.guard import ADMIN_COOKIE, access_of, cookie_key, held_keys, lab_cookie
from app.access.keys import MAX_KEY_LENGTH
from app.access.links import base_url
from app.access.store import Level, opened_labs
from app.db.models import LabRow
from app.db.session import read_session
from app.errors import AccessRefused, LabClosed, Unauthorized
from app.web.templating import render

COOKIE_SECONDS = 400 * 24 * 3600  # as long as browsers keep a cookie


def keep_key(request: Request, response: Response, lab_id: int, key: str, level: Level) -> None:
    """Keeps `key` (which opens lab `lab_id` as far as `level`) in this browser — unless the key it holds already
    opens the lab further (a teacher who opens the view link keeps the edit key)."""
    held = cookie_key(request, lab_cookie(lab_id))
    if held and (access_of(request).level(lab_id, held) or 0) > level:
        return
    remember(request, response, lab_cookie(lab_id), key)


def remember(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        # Behind a proxy that ends TLS the request itself looks like http: the public address tells.
        secure=request.url.scheme == "https" or base_url(request).startswith("https://"),
    )


def forget_key(response: Response, lab_id: int) -> None:
    response.delete_cookie(lab_cookie(lab_id))


def opened_by_link(request: Request, lab_id: int) -> Response | None:
    """`/labs/{id}?key=…`: the key kept, and the browser sent to the address without it (so that the key is not
    left in the address bar, the history or a screenshot)."""
    key = request.query_params.get("key")
    if key is None:
        return None
    response = RedirectResponse(f"/labs/{lab_id}", status_code=303)
    access = access_of(request)
    if access.is_admin([key]):  # kept as what it is, not as one lab's key
        remember(request, response, ADMIN_COOKIE, key)
    elif 0 < len(key) <= MAX_KEY_LENGTH and (level := access.level(lab_id, [key])) is not None:
        keep_key(request, response, lab_id, key, level)
    return response


def admin_by_link(request: Request) -> Response | None:
    """`/?key=<admin token>` (the link `vnetlab serve` prints): the token kept, and the labs page without it."""
    key = request.query_params.get("key")
    if key is None:
        return None
    response = RedirectResponse("/", status_code=303)
    if access_of(request).is_admin([key]):
        remember(request, response, ADMIN_COOKIE, key)
    return response


def read_only(request: Request) -> bool:
    """Whether the keys this request came with only let it view the lab (its page changes nothing)."""
    return getattr(request.state, "level", None) == Level.VIEW


def is_admin(request: Request) -> bool:
    return access_of(request).is_admin(cookie_key(request, ADMIN_COOKIE))


def held_labs(request: Request, engine: Engine) -> list[tuple[LabRow, Level]]:
    """The labs whose keys this browser holds (every lab, for the admin), with how far each opens."""
    with read_session(engine) as session:
        return opened_labs(session, held_keys(request).values(), is_admin(request))


def refused(request: Request, error: AccessRefused) -> Response:
    """A lab the browser has no key for: a page saying what is needed (a fragment: one line)."""
    if request.headers.get("hx-request") or request.method not in ("GET", "HEAD"):
        return PlainTextResponse(error.message, error.status, headers=error.headers)
    reason = "no_key" if isinstance(error, Unauthorized) else "wrong_key" if isinstance(error, LabClosed) else "view"
    page: HTMLResponse = render(request, "no_key.html", error.status, reason=reason)
    return page
