"""axe-core finds nothing serious or critical on the designer's pages, in the states people see them in."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.web.test_designer import choose, open_example

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


def serious_violations(page: Page) -> list[str]:
    """Runs axe in the page (evaluate goes around the page's CSP, as a browser extension would)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: bash scripts/vendor-assets.sh installs it")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(str(node["target"][0]) for node in violation["nodes"][:8])
        for violation in results
        if violation["impact"] in SERIOUS
    ]


def assert_accessible(page: Page) -> None:
    found = serious_violations(page)
    assert not found, "\n".join(found)


@pytest.fixture(params=[{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def sized_page(page: Page, request) -> Page:
    page.set_viewport_size(request.param)
    return page


def test_labs_page(sized_page: Page):
    sized_page.goto("/")
    assert_accessible(sized_page)


def test_editor_with_both_ipconfig_panels_and_a_form(sized_page: Page):
    page = sized_page
    open_example(page, "05-ics-gateway.yaml")
    assert_accessible(page)
    page.locator("[data-node='vm:pc01/student1']").click()  # selected: the others marked, its panel open
    page.wait_for_selector("[data-ipconfig='pc01/student1']")
    page.wait_for_selector("#diagram [data-reach]")
    assert_accessible(page)  # the XP panel, with its switches, and the reachability marks
    page.keyboard.press("Escape")
    page.locator("[data-node='vm:pc01/student2']").click()
    page.wait_for_selector("[data-ipconfig='pc01/student2']")
    page.click("[aria-label='Edit VM pc01/student2']")
    page.wait_for_selector("form[data-form='vm']")
    assert_accessible(page)


def test_a_form_showing_its_errors(sized_page: Page):
    page = sized_page
    open_example(page, "01-seed-virtual-pc.yaml")
    page.click("text=+ LAN")
    form = page.locator("form[data-form='lan']")
    form.locator("[name=subnet]").fill("192.168.11.7/24")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-field='subnet'] .field-error")
    assert_accessible(page)


def test_the_keyboards_list_of_networks(sized_page: Page):
    page = sized_page
    open_example(page, "01-seed-virtual-pc.yaml")
    page.locator("[data-adapter='host1/xp-local#1']").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#network-choices [role=option]:focus")
    assert_accessible(page)


def test_a_large_lab_with_its_matrix_by_segment(sized_page: Page, live_server: str):
    from bench.labs import lab_data

    page = sized_page
    lab = page.request.post(live_server + "/api/v1/labs/import", data=lab_data(60)).json()
    page.goto(f"/labs/{lab['id']}?key={lab['keys']['edit']}")
    page.wait_for_selector("table.matrix.groups")
    assert_accessible(page)


def test_history_panel_and_a_diff(sized_page: Page):
    page = sized_page
    open_example(page, "01-seed-virtual-pc.yaml")
    choose(page, "host1/xp-off#1", "host1/Shared networking (NAT)")
    page.wait_for_selector("[data-action='undo']:not([disabled])")
    page.locator("#history summary").click()
    page.click(".versions li[data-version='2'] .version-pick")
    page.wait_for_selector(".diff")
    assert_accessible(page)
