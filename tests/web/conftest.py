"""Browser tests: the app served by uvicorn on loopback, driven in Debian's headless Chromium by Playwright."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from tests.keys import ADMIN_TOKEN
from tests.live import serve

# This machine's speed varies through the day (see docs/performance.md): give each expectation some slack.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """One server for the session; every test imports its own lab."""
    settings = Settings(
        admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path_factory.mktemp('web')}/web.db", offline=True
    )
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with serve(create_app(settings, engine)) as url:
        yield url
    engine.dispose()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """System Chromium, never a downloaded one (this network allows no browser download)."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server


def guarded(page) -> list[str]:
    """Records the page's JavaScript errors, and stops it reaching outside this machine."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A form sent back with its errors is answered 422 on purpose; Chromium logs every 4xx document as an error.
    refused_form = "the server responded with a status of 422"
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" and refused_form not in message.text else None
        ),
    )
    page.route(
        "**/*",
        lambda route: route.abort() if not route.request.url.startswith("http://127.0.0.1") else route.continue_(),
    )
    return errors


@pytest.fixture
def page(page):
    """Every page must run without a JavaScript error, and without reaching outside this machine."""
    errors = guarded(page)
    yield page
    assert errors == [], errors


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A classroom projector's or a laptop's screen: the networks and the VMs in view together."""
    return {**browser_context_args, "viewport": {"width": 1440, "height": 1000}}
