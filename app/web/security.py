"""What every response tells the browser, and the refusal of changes that another site asks for.

- `SecurityHeaders` adds a Content-Security-Policy (the pages' own unless the route set a stricter or a
  different one, as `/docs` and the topology SVG do), `X-Content-Type-Options: nosniff`, a `Referrer-Policy`
  and `X-Frame-Options` to every response, API and static files included.
- `CrossSiteGuard` refuses POST/PUT/PATCH/DELETE to the designer (everything outside `/api/`) when the browser
  says the request comes from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not this
  server), with a 403 page saying why, before the body is read. The API is for scripts and uses no cookies.
"""

import base64
import hashlib
import re
from html import escape
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN_URL = f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"


def policy(**directives: str) -> str:
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in directives.items())


_COMMON = {
    "object_src": "'none'",
    "base_uri": "'none'",
    "form_action": "'self'",
    "frame_ancestors": "'none'",
}

# The designer's pages: scripts from this server and the one pinned CDN file (whose SRI hash the page's
# <script integrity> repeats); no inline script, no inline style, no eval.
PAGE_CSP = policy(
    default_src="'self'",
    script_src=f"'self' {HTMX_CDN_URL} '{HTMX_SRI}'",
    style_src="'self'",
    img_src="'self'",
    connect_src="'self'",
    **_COMMON,
)

# The topology picture, opened on its own or embedded as an <img>: nothing in it may run or load anything.
SVG_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def docs_csp(html: str) -> str:
    """Swagger UI (vendored): its files from this server, the one inline start-up script that FastAPI's
    get_swagger_ui_html writes allowed by its hash; its stylesheet's icons are data: images."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    return policy(
        default_src="'self'",
        script_src=f"'self' {hashes}",
        style_src="'self'",
        img_src="'self' data:",
        connect_src="'self'",
        **_COMMON,
    )


HEADERS = {
    b"content-security-policy": PAGE_CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in HEADERS.items() if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _authority(scheme: str, netloc: str) -> str:
    """host:port, the port made explicit, to compare an Origin with the Host header."""
    parts = urlsplit("//" + netloc.strip())
    try:
        port = parts.port
    except ValueError:  # not a port: compared as written
        return netloc.strip().lower()
    return f"{parts.hostname or ''}:{port or DEFAULT_PORTS[scheme]}"


def cross_site_reason(scope: Scope) -> str | None:
    """Why a change must be refused as coming from another site, or None when it may go ahead."""
    if scope["method"] not in UNSAFE_METHODS or scope["path"].startswith("/api/"):
        return None
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers") or []}
    if headers.get("sec-fetch-site", "").strip().lower() == "cross-site":
        return "your browser says this request was sent by a page on another site (Sec-Fetch-Site: cross-site)"
    origin = headers.get("origin")
    if origin is None:
        return None  # not sent by a browser, or a browser that does not send Origin
    host = headers.get("host", "")
    parts = urlsplit(origin.strip())
    if (
        parts.scheme in DEFAULT_PORTS
        and parts.netloc
        and _authority(parts.scheme, parts.netloc) == _authority(parts.scheme, host)
    ):
        return None
    # The scheme is not compared: behind a proxy that terminates TLS the page is https and the request http.
    return f"it was sent by a page of {origin!r}, not of this server ({host!r})"


REFUSED_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Refused · vnetlab</title><link rel="stylesheet" href="/static/app.css"></head>
<body>
<header class="top"><a href="/" class="brand">vnetlab</a></header>
<main>
<h1>Refused: a change asked for by another site</h1>
<div class="flash error" role="alert"><p>This change was not made: {reason}.</p></div>
<p>vnetlab only accepts changes from its own pages, so that a page elsewhere cannot change or delete your labs
behind your back. If you meant to make this change, open <a href="/">vnetlab's labs page</a> and make it there.</p>
</main>
</body>
</html>
"""


class CrossSiteGuard:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = cross_site_reason(scope) if scope["type"] == "http" else None
        if reason is None:
            await self.app(scope, receive, send)
            return
        body = REFUSED_PAGE.format(reason=escape(reason)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
