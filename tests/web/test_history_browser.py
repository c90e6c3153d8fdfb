"""Undo, redo and the history panel in a real headless Chromium [H]: buttons, keys, diff, revert, naming a
version, and deleting with its consequences said first and Undo offered after."""

import re

from playwright.sync_api import Page, expect

from tests.web.test_designer import bus, chip, drag, open_example

NAT = "Shared networking (NAT)"
BRIDGED = "Marvell Yukon 88E8055 PCI-E Gigabit Ethernet Controller"


def version(page: Page) -> str:
    return page.locator("#workspace").get_attribute("data-version") or ""


def test_undo_and_redo_buttons_and_keys(page: Page):  # [H] §13 [data-action]
    open_example(page, "01-seed-virtual-pc.yaml")
    undo, redo = page.locator("[data-action='undo']"), page.locator("[data-action='redo']")
    expect(undo).to_be_disabled()
    expect(redo).to_be_disabled()
    drag(page, "host1/xp-off#1", f"host1/{NAT}")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    expect(undo).to_be_enabled()
    expect(undo).to_have_attribute("title", f"Undo: xp-off: not connected → {NAT} (Ctrl+Z)")
    undo.click()
    expect(chip(page, "host1/xp-off#1")).to_contain_text("not connected")
    expect(page.locator(".flash")).to_contain_text(f"Undone: xp-off: not connected → {NAT}")
    expect(redo).to_have_attribute("title", f"Redo: xp-off: not connected → {NAT} (Ctrl+Shift+Z)")
    for number, key, shown in (
        (4, "Control+Shift+Z", "192.168.131.65"),
        (5, "Control+Z", "not connected"),
        (6, "Control+Y", "192.168.131.65"),
    ):
        page.keyboard.press(key)
        expect(page.locator(f"#workspace[data-version='{number}']")).to_have_count(1)  # one new version a key
        expect(chip(page, "host1/xp-off#1")).to_contain_text(shown)
    expect(page.locator("[data-action='redo']")).to_be_disabled()

    page.click("text=+ LAN")  # in a text field, Ctrl+Z is the field's own
    field = page.locator("form[data-form='lan'] [name=name]")
    field.fill("typed")
    field.press("Control+Z")
    page.wait_for_timeout(300)  # a wrong undo would have answered by now
    assert version(page) == "6"
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")


def test_history_panel_shows_a_versions_diff_reverts_and_names(page: Page):  # [H]
    open_example(page, "01-seed-virtual-pc.yaml")
    drag(page, "host1/xp-off#1", f"host1/{NAT}")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    page.locator("#history summary").click()
    entries = page.locator("#history .versions li")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text(f"xp-off: not connected → {NAT}")
    expect(entries.last).to_contain_text("imported lab 'Seed classroom' (1 host, 4 VMs)")
    page.click(".versions li[data-version='2'] .version-pick")
    expect(page.locator(".diff-summary")).to_have_text(
        f"xp-off: not connected → {NAT}; 1 address changed; 4 pairs gained"
    )
    expect(chip(page, "host1/xp-off#1")).to_have_class(re.compile(r"\bchanged\b"))  # marked on the page
    expect(chip(page, "host1/xp-nat#1")).not_to_have_class(re.compile(r"\bchanged\b"))

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-revert='1']")
    expect(page.locator(".flash")).to_contain_text("Reverted: revert to version 1")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("not connected")
    expect(page.locator("#history .versions li").first).to_contain_text("revert to version 1")  # stays open

    page.fill("#checkpoint-name", "as handed out")
    page.click("form.name-version button")
    expect(page.locator("#history .versions li[data-version='3'] .checkpoint")).to_have_text("★ as handed out")


def test_deleting_a_network_says_what_it_takes_and_offers_undo(page: Page):  # [H]
    open_example(page, "01-seed-virtual-pc.yaml")
    bus(page, f"host1/{BRIDGED}").locator("text").first.click()  # a network's name opens its form
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click("form[hx-confirm] button.danger")
    expect(page.locator(".flash")).to_contain_text(f"Deleted network {BRIDGED} from host1")
    assert questions == [f"Delete network {BRIDGED}? 1 adapter will be disconnected: xp-bridged."]
    expect(chip(page, "host1/xp-bridged#1")).to_contain_text("not connected")
    page.click(".flash-undo")
    expect(chip(page, "host1/xp-bridged#1")).to_contain_text("192.168.11.")
    expect(bus(page, f"host1/{BRIDGED}")).to_be_visible()
