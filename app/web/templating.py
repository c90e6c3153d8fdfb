"""The one Jinja2 environment of the designer's pages, fragments and diagram: autoescaped everywhere."""

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import paths
from app.web.matrix import FULL_MATRIX_ENDPOINTS
from app.web.security import HTMX_CDN_URL, HTMX_SRI, HTMX_VERSION

templates = Jinja2Templates(directory=paths.TEMPLATES)
templates.env.globals.update(
    htmx_version=HTMX_VERSION,
    htmx_sri=HTMX_SRI,
    htmx_url=HTMX_CDN_URL,
    full_matrix=FULL_MATRIX_ENDPOINTS,
)
templates.env.autoescape = True  # every template, the .svg ones included (the default skips them)

# A lab page is the lab as it was when sent: never kept, so Back asks again and shows it as it is now.
NO_STORE = {"Cache-Control": "no-store"}


def page_context(request: Request, context: dict) -> dict:
    """What every page and fragment is rendered with, beside its own values."""
    return {"form": None, **context, "offline": request.app.state.settings.offline}


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    context = page_context(request, context)
    return templates.TemplateResponse(request, name, context, status_code=status, headers=NO_STORE)


def macros(name: str):
    """A template's macros, to render one part at a time."""
    return templates.env.get_template(name).module
