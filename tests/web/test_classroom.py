"""The classroom in a real headless Chromium (SPEC §12): the Share panel, the read-only view that follows the
teacher's drags live, "Make my own copy", goals turning green as a student works, joining an assignment, and
the results table filling in. Teacher and students each have a browser context of their own (their own cookies)."""

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import guarded
from tests.web.test_accessibility import assert_accessible
from tests.web.test_canvas import NAT, bus, chip, expect_version, link, open_example, settle, version

LIVE_WITHIN_MS = 3_000  # the target is 1 s (bench/live.py measures it); a busy CI machine gets some slack


@pytest.fixture
def another(browser: Browser, base_url: str) -> Iterator[Page]:
    """Someone else's browser: no cookie of the teacher's."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = guarded(page)
    yield page
    context.close()
    assert errors == [], errors


def open_share(page: Page) -> None:
    page.click("button[data-share]")
    expect(page.locator("#panel[data-panel=share]")).to_be_visible()


def test_share_view_live_and_make_my_own_copy(page: Page, another: Page):  # [AC]
    open_example(page)
    open_share(page)
    view_link = page.locator("#view-link").input_value()
    edit_link = page.locator("#edit-link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/labs/\d+\?key=[\w-]{32}", view_link), view_link
    assert edit_link != view_link and edit_link.split("?")[0] == view_link.split("?")[0]
    expect(page.locator("#panel svg.qr").first).to_be_visible()
    expect(page.locator("#panel svg.qr title").first).to_have_text("QR code of the view link")
    page.click("button[data-copy=view-link]")
    expect(page.locator("button[data-copy=view-link]")).to_have_text("Copied")
    assert_accessible(page)

    viewer = another
    viewer.goto(view_link)
    settle(viewer)
    assert "key=" not in viewer.url  # the key went to a cookie
    expect(viewer.locator("#workspace")).to_have_attribute("data-mode", "view")
    expect(viewer.locator(".badge.live")).to_have_text("View only · live")
    expect(viewer.locator("[data-action=undo], [data-share], .goal-form, #history")).to_have_count(0)
    assert_accessible(viewer)

    # The viewer's drag changes nothing.
    start = version(viewer)
    chip(viewer, "host1/xp-off#1").drag_to(bus(viewer, NAT))
    viewer.wait_for_timeout(500)
    expect(link(viewer, "host1/xp-off#1")).to_have_attribute("data-network", "")
    assert version(viewer) == start

    # The teacher's drag reaches the viewer's page.
    chip(page, "host1/xp-off#1").drag_to(bus(page, NAT))
    expect_version(page, start + 1)
    dropped = time.monotonic()
    expect(link(viewer, "host1/xp-off#1")).to_have_attribute("data-network", NAT, timeout=LIVE_WITHIN_MS)
    expect(chip(viewer, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    assert time.monotonic() - dropped < LIVE_WITHIN_MS / 1000

    # "Make my own copy": the viewer gets a lab of their own, to change.
    viewer.click("text=Make my own copy")
    viewer.wait_for_url(re.compile(r".*/labs/\d+$"))
    expect(viewer.locator("#workspace")).to_have_attribute("data-mode", "edit")
    expect(viewer.locator("h1 .lab-name")).to_contain_text("(copy)")
    assert viewer.url != view_link.split("?")[0]
    viewer.goto("/")
    expect(viewer.locator("table.labs tbody tr")).to_have_count(2)  # the copy (edit) and the lab (view only)
    expect(viewer.locator("table.labs")).to_contain_text("view only")


def test_without_a_key_the_lab_page_asks_for_a_link(page: Page, browser: Browser, base_url: str):  # [AC]
    open_example(page)
    context = browser.new_context(base_url=base_url)
    stranger = context.new_page()
    try:
        answer = stranger.goto(page.url)
        assert answer is not None and answer.status == 401
        expect(stranger.locator("h1")).to_have_text("This lab opens with a link that has its key")
        expect(stranger.locator("#workspace")).to_have_count(0)
        assert_accessible(stranger)
    finally:
        context.close()


def test_assignment_join_goals_and_results(page: Page, another: Page):  # [AC]
    teacher, student = page, another
    open_example(teacher)
    teacher.fill("#goal-from", "vm:host1/xp-off")
    teacher.select_option("#goal-kind", "reach")
    teacher.fill("#goal-to", "internet")
    teacher.click(".goal-form button[type=submit]")
    goal = teacher.locator("#goals .goal").first
    expect(goal).to_have_attribute("data-passed", "no")
    expect(teacher.locator("#goals-title")).to_contain_text("0 of 1 met")

    open_share(teacher)
    teacher.fill("#assignment-title", "Week 3: NAT")
    teacher.click("#panel form[data-form=assignment] button[type=submit]")
    student_link = teacher.locator("#panel [id^=student-link-]").first
    expect(student_link).to_have_value(re.compile(r"/assignments/[\w-]{32}$"))
    join_url = student_link.input_value()
    results_url = teacher.locator("#panel a", has_text="Results").get_attribute("href")

    student.goto(join_url)
    expect(student.locator("h1")).to_have_text("Week 3: NAT")
    assert_accessible(student)
    student.click("button[type=submit]")  # no name yet: the browser asks for one
    student.fill("#student", "Ana")
    student.click("button[type=submit]")
    settle(student)
    copy_url = student.url
    expect(student.locator("#workspace")).to_have_attribute("data-mode", "edit")
    expect(student.locator("#goals .goal").first).to_have_attribute("data-passed", "no")

    teacher.goto(results_url)
    row = teacher.locator("tr[data-student=Ana]")
    expect(row.locator("td.fail")).to_have_count(1)
    assert_accessible(teacher)

    # The student's drag turns the goal green at once, and the teacher's table within its next refresh.
    chip(student, "host1/xp-off#1").drag_to(bus(student, NAT))
    expect(student.locator("#goals .goal").first).to_have_attribute("data-passed", "yes")
    expect(student.locator("#goals-title")).to_contain_text("1 of 1 met")
    expect(row.locator("td.pass")).to_have_count(1, timeout=10_000)
    expect(row).to_contain_text("1 / 1")

    # Joining again from the same browser reopens the same copy.
    student.goto(join_url)
    settle(student)
    assert student.url == copy_url

    # The teacher views the student's copy, read-only.
    teacher.goto(row.locator("a", has_text="View").get_attribute("href"))
    expect(teacher.locator("#workspace")).to_have_attribute("data-mode", "view")
    expect(link(teacher, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    csv = teacher.request.get(results_url + ".csv")
    assert csv.ok and "Ana" in csv.text() and ",yes," in csv.text()
