"""The canvas on a phone: 390×844, touch. No sideways page scroll, the panel as a bottom sheet, an adapter
dragged by a finger onto a network, and a two-finger pinch that zooms."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect

from tests.web.conftest import guarded

PHONE = {"width": 390, "height": 844}
LAB_PAGE = re.compile(r".*/labs/\d+$")
NAT = "host1/Shared networking (NAT)"


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A phone's page, held to the same rules as the `page` fixture: no JavaScript error, nothing fetched from
    outside this machine."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, base_url=live_server)
    page = context.new_page()
    errors = guarded(page)
    yield page
    context.close()
    assert errors == [], errors


def open_seed(page: Page) -> None:
    page.goto("/")
    page.select_option("select[name=example]", "01-seed-virtual-pc.yaml")
    page.click("form[action='/labs/from-example'] button")
    page.wait_for_url(LAB_PAGE, wait_until="load")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def view_box(page: Page) -> list[float]:
    return [float(n) for n in page.locator("#diagram").get_attribute("viewBox").split()]


def touch(cdp: CDPSession, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
    )


def finger_drag(cdp: CDPSession, start: dict, end: dict, steps: int = 12) -> None:
    touch(cdp, "touchStart", [(start["x"], start["y"])])
    for step in range(1, steps + 1):
        t = step / steps
        touch(cdp, "touchMove", [(start["x"] + (end["x"] - start["x"]) * t, start["y"] + (end["y"] - start["y"]) * t)])
    touch(cdp, "touchEnd", [])


GRAB_POINT = """hook => {
  const adapter = document.querySelector(`[data-adapter="${CSS.escape(hook)}"]`);
  const r = adapter.querySelector('rect.label').getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  return hit && hit.closest('[data-adapter]') === adapter ? {x, y} : null;
}"""

DROP_POINT = """hook => {
  const bus = Array.from(document.querySelectorAll('[data-network]')).find(
    b => b.dataset.network === hook && !b.matches('[data-link], [role=option]'));
  const r = bus.querySelector('line.hit').getBoundingClientRect();
  const y = r.top + r.height / 2;
  for (let x = r.left + 4; x < r.right - 4; x += 2) {
    const hit = document.elementFromPoint(x, y);
    if (hit && hit.closest('[data-network]') === bus) return {x, y};
  }
  return null;
}"""


def test_phone_labs_page_has_no_sideways_scroll_with_a_long_lab_name(phone: Page):
    page = phone
    name = "Praktikum_Rechnernetze_Wintersemester_2009_Gruppe_A"  # one long word, as file-like names are
    made = page.request.post("/api/v1/labs/import", data={"vnetlab": 1, "name": name})
    assert made.ok, made.text()
    page.goto(f"/labs/{made.json()['id']}?key={made.json()['keys']['edit']}")
    expect(page.locator("h1 .lab-name")).to_have_text(name)
    no_sideways_scroll(page)
    page.goto("/")
    expect(page.locator("table.labs")).to_contain_text(name)
    no_sideways_scroll(page)


def test_phone_no_sideways_scroll_and_the_panel_is_a_bottom_sheet(phone: Page):
    page = phone
    open_seed(page)
    no_sideways_scroll(page)
    expect(page.locator("#diagram")).to_be_visible()
    diagram_box = page.locator("#diagram").bounding_box()
    assert diagram_box["x"] >= 0 and diagram_box["x"] + diagram_box["width"] <= PHONE["width"]

    page.locator("[data-zoom=fit]").tap()
    page.locator("#diagram [data-node='vm:host1/xp-nat'] rect.box").tap()  # a tap on a VM opens its panel
    panel = page.locator("aside#panel")
    expect(panel.locator("h2")).to_contain_text("xp-nat")
    expect(panel).to_be_visible()
    expect(page.locator("[data-ipconfig='host1/xp-nat']")).to_be_attached()
    box = panel.bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1, box  # along the bottom of the screen
    assert box["x"] <= 1 and box["x"] + box["width"] >= PHONE["width"] - 1, box
    assert box["height"] < PHONE["height"], "a sheet, not the whole screen"
    no_sideways_scroll(page)
    expect(page.locator("#diagram [data-node='internet']")).to_have_attribute("data-reach", "yes")
    panel.locator(".close").tap()
    expect(panel).to_be_hidden()
    expect(page.locator("#diagram [data-reach]")).to_have_count(0)


def test_phone_a_finger_drags_an_adapter_onto_a_network(phone: Page):
    page = phone
    open_seed(page)
    page.locator("[data-zoom=fit]").tap()
    cdp = page.context.new_cdp_session(page)
    start = page.evaluate(GRAB_POINT, "host1/xp-off#1")
    end = page.evaluate(DROP_POINT, NAT)
    assert start is not None and end is not None, (start, end)
    version = int(page.locator("#workspace").get_attribute("data-version"))
    finger_drag(cdp, start, end)
    link = page.locator("[data-link='host1/xp-off#1']")
    expect(link).to_have_attribute("data-network", NAT)
    expect(link).to_have_attribute("data-ip", "192.168.131.65")
    expect(page.locator("[data-adapter='host1/xp-off#1']")).to_contain_text("192.168.131.65")
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(version + 1))
    expect(page.locator("aside#panel")).to_be_hidden()  # a drag is no tap
    no_sideways_scroll(page)


def test_phone_two_fingers_pinch_to_zoom(phone: Page):
    page = phone
    open_seed(page)
    cdp = page.context.new_cdp_session(page)
    version = page.locator("#workspace").get_attribute("data-version")
    before = view_box(page)
    middle = page.locator("#diagram").bounding_box()
    cx, cy = middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2
    touch(cdp, "touchStart", [(cx - 20, cy), (cx + 20, cy)])
    for step in range(1, 11):  # apart: in
        touch(cdp, "touchMove", [(cx - 20 - 8 * step, cy), (cx + 20 + 8 * step, cy)])
    touch(cdp, "touchEnd", [])
    zoomed_in = view_box(page)
    assert zoomed_in[2] < before[2] * 0.8 and zoomed_in[3] < before[3] * 0.8, (before, zoomed_in)
    touch(cdp, "touchStart", [(cx - 100, cy), (cx + 100, cy)])
    for step in range(1, 11):  # together: out
        touch(cdp, "touchMove", [(cx - 100 + 8 * step, cy), (cx + 100 - 8 * step, cy)])
    touch(cdp, "touchEnd", [])
    zoomed_out = view_box(page)
    assert zoomed_out[2] > zoomed_in[2] * 1.5, (zoomed_in, zoomed_out)
    assert page.locator("#workspace").get_attribute("data-version") == version  # a pinch changes no lab
    expect(page.locator("aside#panel")).to_be_hidden()
    no_sideways_scroll(page)
