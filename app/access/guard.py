"""The check every route of a lab passes (SPEC §12): no key → 401, keys that do not open the lab → 404, a
view key where a change needs the edit key → 403.

Keys come in `Authorization: Bearer <key>[, <key>…]` (the API and the designer), and — for the designer only,
whose pages a browser opens — from the cookies that `/labs/{id}?key=…` leaves (`lab_cookie`) and a `?key=` on a
page's address. Reading takes either key, anything else the edit key, unless the route says otherwise
(`view_suffices`, `edit_key_needed`, `admin_only`)."""

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Request
from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy import Engine

from app.access.admin import admin_token
from app.access.keys import MAX_KEY_LENGTH, MAX_KEYS_PER_REQUEST, IssuedKeys, issue_keys, same
from app.access.store import Level, lab_level
from app.config import Settings
from app.db.models import MAX_ID
from app.errors import FieldProblem, Forbidden, LabClosed, RuleViolation, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])
ADMIN_COOKIE = "vnetlab_admin"
READS = {"GET", "HEAD"}
_NEEDS = "__vnetlab_needs__"
LAB_COOKIE_PREFIX = "vnetlab_lab_"


def lab_cookie(lab_id: int) -> str:
    return f"{LAB_COOKIE_PREFIX}{lab_id}"


def held_keys(request: Request) -> dict[str, str]:
    """The lab keys this browser holds, by cookie name."""
    held = {
        name: value
        for name, value in request.cookies.items()
        if name.startswith(LAB_COOKIE_PREFIX) and 0 < len(value) <= MAX_KEY_LENGTH
    }
    return dict(list(held.items())[:MAX_KEYS_PER_REQUEST])


class Access:
    """The instance's admin token (read once) and the keys of new labs, made from it."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self._token: str | None = None
        self._lock = threading.Lock()

    @property
    def admin_token(self) -> str:
        with self._lock:
            if self._token is None:
                self._token = admin_token(self.engine, self.settings)
            return self._token

    def new_keys(self) -> IssuedKeys:
        return issue_keys(self.admin_token)

    def is_admin(self, keys: list[str]) -> bool:
        token = self.admin_token
        return any(same(key, token) for key in keys)

    def level(self, lab_id: int, keys: list[str]) -> Level | None:
        if self.is_admin(keys):
            return Level.ADMIN
        return lab_level(self.engine, lab_id, keys)


def access_of(request: Request) -> Access:
    return request.app.state.access


def view_suffices(endpoint: F) -> F:
    """A route that changes nothing of the lab it names (a copy), though it is not a GET."""
    setattr(endpoint, _NEEDS, Level.VIEW)
    return endpoint


def edit_key_needed(endpoint: F) -> F:
    """A route that reads, but what it reads opens more than viewing (the keys, the join tokens)."""
    setattr(endpoint, _NEEDS, Level.EDIT)
    return endpoint


def admin_only(endpoint: F) -> F:
    setattr(endpoint, _NEEDS, Level.ADMIN)
    return endpoint


def bearer_keys(request: Request) -> list[str]:
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.partition(" ")
    if not header:
        return []
    if scheme.lower() != "bearer":
        if is_designer(request):
            return []  # a proxy's own login (Basic) in front of the designer: its cookies hold the keys
        raise _bad_header("send keys as 'Bearer <key>[, <key>…]'")
    keys = [key.strip() for key in rest.split(",") if key.strip()]
    if len(keys) > MAX_KEYS_PER_REQUEST:
        raise _bad_header(f"at most {MAX_KEYS_PER_REQUEST} keys in one request, not {len(keys)}")
    if any(len(key) > MAX_KEY_LENGTH for key in keys):
        raise _bad_header(f"a key is at most {MAX_KEY_LENGTH} characters long")
    return keys


def _bad_header(message: str) -> RuleViolation:
    return RuleViolation([FieldProblem(("header", "Authorization"), message, "value_error")], 400)


def is_designer(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def cookie_key(request: Request, name: str) -> list[str]:
    value = request.cookies.get(name, "")
    return [value] if value and len(value) <= MAX_KEY_LENGTH else []


def caller_keys(request: Request) -> list[str]:
    """The keys a request sends: its bearer keys; in the designer also its cookies' and a `?key=` link's."""
    keys = bearer_keys(request)
    if is_designer(request):
        keys += cookie_key(request, ADMIN_COOKIE)
        # Every key it holds, not only this lab's: a teacher's opens the students' copies of an assignment.
        keys += held_keys(request).values()
        if request.method in READS:
            keys += [k for k in request.query_params.getlist("key")[:1] if 0 < len(k) <= MAX_KEY_LENGTH]
    return keys


def needed_level(request: Request) -> Level:
    route = request.scope.get("route")
    declared = getattr(getattr(route, "endpoint", None), _NEEDS, None)
    if declared is not None:
        return declared
    return Level.VIEW if request.method in READS else Level.EDIT


_LAB_ID = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_ID)])


def lab_id_of(request: Request) -> int | None:
    """The lab a route names, read exactly as the route's own validation (`LabId`) reads it (`+1` and `1.0` are
    lab 1 there too); None when it names none, or an id the route refuses anyway (422)."""
    raw = request.path_params.get("lab_id")
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        return _LAB_ID.validate_python(raw)
    except ValidationError:
        return None


def check_lab_access(request: Request) -> None:
    """The routers' dependency: every route with a `{lab_id}` passes here before it runs."""
    lab_id = lab_id_of(request)
    if lab_id is None:
        return
    request.state.level = authorize(request, lab_id, needed_level(request))


def authorize(request: Request, lab_id: int, needed: Level) -> Level:
    keys = caller_keys(request)
    if not keys:
        raise Unauthorized(f"lab {lab_id} needs a key: send 'Authorization: Bearer <key>' (its edit or view key)")
    level = access_of(request).level(lab_id, keys)
    if level is None:
        raise LabClosed(f"no lab {lab_id} opens with the keys sent")
    if level < needed:
        if needed == Level.ADMIN:
            raise Forbidden(f"this needs the instance's admin token; a key of lab {lab_id} is not enough")
        raise Forbidden(f"this needs the lab's edit key; the keys sent only let you view lab {lab_id}")
    return level
