"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

from app import paths
from app.access.guard import Access, check_lab_access, is_designer
from app.api import api_router
from app.api.errors import install_error_handlers, problem
from app.api.simulation_cache import CacheBudget, SimulationCache
from app.config import Settings, get_settings
from app.db.session import make_engine
from app.engine.document import LabDocument
from app.errors import AccessRefused
from app.limits import BodySizeLimit
from app.web import canvas_routes, goals, lab_keys, live, pages, sharing
from app.web import history as web_history
from app.web.security import CrossSiteGuard, SecurityHeaders, docs_csp

STATIC_DIR = paths.STATIC

DESCRIPTION = """
Design and simulate the virtual networks of Virtual PC 2004/2007, Windows Virtual PC, Virtual Server 2005 R2
and Hyper-V.

**Start here:** `POST /api/v1/labs/import` with a lab document (the example below is Virtual PC's NAT). The answer
has the lab's `keys`, shown only then: press **Authorize** and give the edit key, then
`GET /api/v1/labs/{lab_id}/simulation` to see every adapter's address and who can reach whom, and why not.
Every request about a lab sends `Authorization: Bearer <key>` (several keys: separated by commas); the view key
reads, the edit key also changes.
Edit a lab piece by piece through its LANs, hosts, networks, VMs and adapters: `PATCH` an adapter's
`network_id` to drag it onto another network. Every response about a lab carries `ETag: "<version>"`;
send it back as `If-Match` and a change based on a stale view gets 412 instead of overwriting someone's work.
"""


@asynccontextmanager
async def _close_the_feed(app: FastAPI) -> AsyncIterator[None]:
    yield
    if app.state.feed is not None:
        app.state.feed.close()
        app.state.feed = None


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="vnetlab",
        lifespan=_close_the_feed,
        docs_url=None,  # served below from the vendored Swagger UI, so that it works offline
        redoc_url=None,
        version="1.0",
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "labs", "description": "Labs, and whole lab documents in and out."},
            {"name": "simulation", "description": "Addresses, reachability and ipconfig."},
            {"name": "health", "description": "For load balancers and container runtimes."},
        ],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings)
    app.state.access = Access(app.state.engine, settings)
    app.state.feed = None  # made by the first page that follows a lab live (app/web/live.py)
    app.state.live_patches = {}  # the patches being worked out for live pages, each once (app/web/live.py)
    budget = CacheBudget(settings.cache_bytes)  # one byte budget for every cache
    app.state.simulation_cache = SimulationCache(budget)
    app.state.matrix_cache = SimulationCache(budget, depends_on_clock=False)  # the designer's matrix cells
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CrossSiteGuard)  # before the body is read
    build_stack = app.build_middleware_stack  # the headers wrap even Starlette's own 500 answer
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack())  # type: ignore[method-assign]
    install_error_handlers(app)
    app.add_exception_handler(AccessRefused, refused_access)  # type: ignore[arg-type]
    guarded = [Depends(check_lab_access)]  # every route of a lab checks the caller's keys first
    app.include_router(api_router, dependencies=guarded)
    for router in (pages.router, web_history.router, canvas_routes.router, goals.router, live.router, sharing.router):
        app.include_router(router, dependencies=guarded)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        vendor = "/static/vendor/swagger-ui"
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="vnetlab · API",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{vendor}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no call to validator.swagger.io
        )
        page.headers["Content-Security-Policy"] = docs_csp(bytes(page.body).decode())
        return page

    @app.get("/healthz", tags=["health"], summary="Is the service up and its database reachable?")
    def healthz() -> dict[str, str]:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    original_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = original_openapi()
            schema["components"]["schemas"]["LabDocument"] = LabDocument.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            defs = schema["components"]["schemas"]["LabDocument"].pop("$defs", {})
            for name, definition in defs.items():
                schema["components"]["schemas"].setdefault(name, definition)
            declare_bearer_keys(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


async def refused_access(request: Request, error: AccessRefused) -> Response:
    if is_designer(request):
        return lab_keys.refused(request, error)
    return problem(error.status, error.message, error.headers)


KEYLESS = {
    ("/api/v1/labs", "post"),
    ("/api/v1/labs/import", "post"),
    ("/api/v1/simulate", "post"),
    ("/api/v1/assignments/{join_token}/join", "post"),
    ("/healthz", "get"),
}


def declare_bearer_keys(schema: dict) -> None:
    """SPEC §12 in the OpenAPI document: a lab's routes take its keys (or the admin token) as bearer tokens, so
    that /docs has an Authorize button; creating, importing and the stateless simulation need none."""
    schema["components"].setdefault("securitySchemes", {})["labKeys"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A lab's edit or view key, several separated by commas, or the instance's admin token.",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            operation["security"] = [] if (path, method) in KEYLESS else [{"labKeys": []}]
