"""Web security in a real Chromium: the pages run under their Content-Security-Policy without one violation
or console error, the policy does stop injected inline script, the CDN's htmx is allowed (and the local copy
takes over when the CDN is unreachable), another site's form cannot delete a lab, and /docs works offline."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web.security import HTMX_CDN_URL
from tests.keys import ADMIN_TOKEN
from tests.live import serve
from tests.web.test_designer import open_example, settle

ROOT = Path(__file__).resolve().parents[2]
LOCAL_HTMX = "/static/vendor/htmx.min.js"

# Every CSP violation, recorded before any of the page's own scripts run (an init script is not subject to
# the page's policy). Chromium also logs each one as a console error, which the `page` fixture refuses.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__violations")


@pytest.fixture(scope="module")
def online_server(tmp_path_factory) -> Iterator[str]:
    """The app as a classroom server with internet runs it: htmx from the CDN, with the local fallback."""
    settings = Settings(
        admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path_factory.mktemp('online')}/web.db", offline=False
    )
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with serve(create_app(settings, engine)) as url:
        yield url
    engine.dispose()


def test_labs_page_and_editor_run_under_the_csp_without_violations(page: Page):
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.locator("h1")).to_have_text("Labs")
    assert violations(page) == []
    open_example(page, "01-seed-virtual-pc.yaml")
    # htmx and the canvas at work: a matrix cell, a VM's panel with its ipconfig, a form, a drop, a move.
    page.locator("[data-from='internet'][data-to='vm:host1/xp-nat']").click()
    expect(page.locator("#pair .reason")).to_have_text("nat_inbound_blocked")
    page.locator("[data-node='vm:host1/xp-nat']").click()
    expect(page.locator("[data-ipconfig='host1/xp-nat']")).to_contain_text("IP Address")
    page.click("text=+ LAN")
    expect(page.locator("form[data-form='lan']")).to_be_visible()
    page.locator("form[data-form='lan'] button", has_text="Cancel").click()
    expect(page.locator("form[data-form='lan']")).to_have_count(0)
    page.locator("[data-adapter='host1/xp-off#1']").drag_to(
        page.locator("[data-network='host1/Shared networking (NAT)']:not([data-link])")
    )
    expect(page.locator("[data-adapter='host1/xp-off#1']")).to_contain_text("192.168.131.65")
    page.locator("[data-adapter='host1/xp-off#1']").focus()
    page.keyboard.press("Enter")  # the list of networks is placed by the script: no inline style
    expect(page.locator("#network-choices")).to_be_visible()
    page.keyboard.press("Escape")
    assert violations(page) == []


def test_the_csp_stops_an_injected_inline_handler(browser: Browser, live_server: str):
    """Proof that the policy bites: markup slipped into the page cannot run script."""
    page = browser.new_page()
    try:
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(live_server + "/")
        injected = '<button id="evil" onclick="window.__ran = 1">x</button>'
        page.evaluate(
            """(html) => {
                document.body.insertAdjacentHTML("beforeend", html);
                document.getElementById("evil").click();
            }""",
            injected,
        )
        assert page.evaluate("window.__ran") is None
        assert any(v.startswith("script-src") for v in violations(page)), violations(page)
    finally:
        page.close()


def _local_htmx_requests(page: Page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url) if request.url.endswith(LOCAL_HTMX) else None)
    return requested


def test_the_cdn_htmx_is_allowed_by_the_csp(browser: Browser, online_server: str):
    """Online, the page loads the pinned file from the CDN (served here from the vendored copy, which has
    the same SRI hash): the policy lets it run, and the local fallback is not needed."""
    body = (ROOT / "static/vendor/htmx.min.js").read_bytes()
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1).*"), lambda route: route.abort())
        page.route(  # registered last, so tried first
            HTMX_CDN_URL,
            lambda route: route.fulfill(
                body=body, content_type="application/javascript", headers={"Access-Control-Allow-Origin": "*"}
            ),
        )
        local = _local_htmx_requests(page)
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(online_server + "/")
        assert page.evaluate("typeof window.htmx") == "object"
        assert local == [] and errors == [] and violations(page) == []
    finally:
        page.close()


def test_without_the_cdn_the_local_htmx_takes_over(browser: Browser, online_server: str):
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1).*"), lambda route: route.abort())
        local = _local_htmx_requests(page)
        page.add_init_script(RECORD_VIOLATIONS)
        page.goto(online_server + "/")
        page.select_option("select[name=example]", "01-seed-virtual-pc.yaml")
        page.click("form[action='/labs/from-example'] button")
        settle(page)
        page.locator("[data-from='internet'][data-to='vm:host1/xp-nat']").click()
        expect(page.locator("#pair .reason")).to_have_text("nat_inbound_blocked")  # htmx works
        assert len(local) >= 1 and violations(page) == []
        assert [e for e in errors if "ERR_FAILED" not in e] == []  # only the refused CDN request
    finally:
        page.close()


def test_another_sites_form_cannot_delete_a_lab(browser: Browser, page: Page, live_server: str):
    open_example(page, "05-ics-gateway.yaml")
    lab_url = page.url
    lab_id = lab_url.rsplit("/", 1)[1]
    attacker = browser.new_page()
    try:
        attacker.route(
            "http://evil.test/",
            lambda route: route.fulfill(
                content_type="text/html",
                body=f'<form method="post" action="{live_server}/labs/{lab_id}/delete">'
                '<button type="submit">Win a prize</button></form>',
            ),
        )
        attacker.goto("http://evil.test/")
        with attacker.expect_navigation() as navigation:
            attacker.click("text=Win a prize")
        assert navigation.value.status == 403
        expect(attacker.locator("h1")).to_have_text("Refused: a change asked for by another site")
        expect(attacker.locator(".flash.error")).to_contain_text("This change was not made")
    finally:
        attacker.close()
    assert page.request.get(f"{live_server}/labs/{lab_id}").status == 200  # still there
    page.reload()
    expect(page.locator("h1")).to_contain_text("ICS")


def test_docs_work_offline(page: Page):
    """The `page` fixture aborts every request that leaves this machine and fails on any console error."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("vnetlab")
    operation = page.locator(".opblock-summary", has_text="/api/v1/labs/import").first
    expect(operation).to_be_visible()
    operation.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert violations(page) == []
