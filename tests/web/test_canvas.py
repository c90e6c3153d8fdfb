"""The editor's SVG topology canvas (SPEC §13) in a real headless Chromium: dragging adapters and nodes, the
change queue, Back, the keyboard's network list, selection and reachability marks, the view (zoom, pan, find),
hostile names, rename and duplicate, the exports and the reachability matrix."""

import re
import xml.etree.ElementTree as ET

import yaml
from playwright.sync_api import Locator, Page, expect

from bench.labs import lab_data

LAB_PAGE = re.compile(r".*/labs/\d+$")
SEED = "01-seed-virtual-pc.yaml"
NAT = "host1/Shared networking (NAT)"
LOCAL = "host1/Local only"
BRIDGED = "host1/Marvell Yukon 88E8055 PCI-E Gigabit Ethernet Controller"


# ---- Helpers (copied, not imported: tests/web/test_designer.py is being rewritten) ----


def settle(page: Page, url: re.Pattern = LAB_PAGE) -> None:
    page.wait_for_url(url, wait_until="load")


def open_example(page: Page, example: str = SEED) -> None:
    page.goto("/")
    page.select_option("select[name=example]", example)
    page.click("form[action='/labs/from-example'] button")
    settle(page)


def import_document(page: Page, document: bytes) -> None:
    """Through the labs page's file field, as a person uploads a YAML file."""
    page.goto("/")
    page.set_input_files(
        "input[name=document]", files=[{"name": "lab.yaml", "mimeType": "application/yaml", "buffer": document}]
    )
    page.click("form[action='/labs/import-file'] button")
    settle(page)


def chip(page: Page, hook: str) -> Locator:  # an adapter's address label: what people grab
    return page.locator(f"[data-adapter='{hook}']")


def link(page: Page, hook: str) -> Locator:
    return page.locator(f"[data-link='{hook}']")


def bus(page: Page, hook: str) -> Locator:  # a network on the diagram, as a drop target
    return page.locator(f"[data-network='{hook}']:not([data-link])")


def node(page: Page, endpoint: str) -> Locator:
    return page.locator(f"#diagram [data-node='{endpoint}']")


def drag(page: Page, adapter: str, network: str) -> None:
    chip(page, adapter).drag_to(bus(page, network))


def version(page: Page) -> int:
    return int(page.locator("#workspace").get_attribute("data-version"))


def expect_version(page: Page, number: int) -> None:
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(number))
    expect(page.locator("#workspace")).not_to_have_attribute("aria-busy", "true")


def view_box(page: Page) -> list[float]:
    return [float(n) for n in page.locator("#diagram").get_attribute("viewBox").split()]


def origin(locator: Locator) -> tuple[str | None, str | None]:
    return locator.get_attribute("data-origin-x"), locator.get_attribute("data-origin-y")


def mouse_drag(page: Page, start: dict, dx: float, dy: float) -> None:
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(start["x"] + dx / 2, start["y"] + dy / 2, steps=5)
    page.mouse.move(start["x"] + dx, start["y"] + dy, steps=5)
    page.mouse.up()


def centre(locator: Locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}


def empty_point(page: Page) -> dict:
    """A point of the diagram's background: no part under it (a drag there pans)."""
    point = page.evaluate(
        """() => {
          const svg = document.getElementById('diagram'), r = svg.getBoundingClientRect();
          for (let y = r.top + 10; y < r.bottom - 10; y += 7)
            for (let x = r.left + 10; x < r.right - 10; x += 7)
              if (document.elementFromPoint(x, y) === svg) return {x, y};
          return null;
        }"""
    )
    assert point is not None, "no empty background in the diagram"
    return point


# ---- (1) Dragging an adapter onto networks ----


def test_drag_xp_off_onto_nat_then_local_only_and_it_persists(page: Page):
    open_example(page)
    start = version(page)
    expect(chip(page, "host1/xp-off#1")).to_contain_text("not connected")
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", "")

    drag(page, "host1/xp-off#1", NAT)
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-ip", "192.168.131.65")
    expect_version(page, start + 1)

    drag(page, "host1/xp-off#1", LOCAL)
    expect(chip(page, "host1/xp-off#1")).to_contain_text(re.compile(r"169\.254\.\d+\.\d+"))
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", LOCAL)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-ip", re.compile(r"^169\.254\.\d+\.\d+$"))
    expect_version(page, start + 2)

    page.reload()
    expect(chip(page, "host1/xp-off#1")).to_contain_text(re.compile(r"169\.254\.\d+\.\d+"))
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", LOCAL)
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start + 2))


# ---- (2) A drop the product forbids ----


def test_forbidden_drop_shows_the_rule_and_changes_nothing(page: Page):
    import_document(
        page,
        b"vnetlab: 1\nname: Old\nhosts:\n  - name: h\n    product: virtual_pc_2004\n"
        b"    vms:\n      - name: a\n        adapters: [{}, {}]\n",
    )
    start = version(page)
    before = link(page, "h/a#2").evaluate("e => e.outerHTML")
    drag(page, "h/a#2", "h/Shared networking (NAT)")
    expect(page.locator(".flash.error")).to_contain_text("adapter 1 only")
    expect(page.locator("#workspace")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start))
    expect(chip(page, "h/a#2")).to_contain_text("not connected")
    expect(link(page, "h/a#2")).to_have_attribute("data-network", "")
    assert link(page, "h/a#2").evaluate("e => e.outerHTML") == before
    page.reload()  # and nothing was stored
    expect(link(page, "h/a#2")).to_have_attribute("data-network", "")
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start))


# ---- (3) The change queue: two quick changes, both kept ----


def test_two_quick_drags_are_both_kept(page: Page):
    open_example(page)
    start = version(page)
    held = []
    page.route("**/attach", lambda route: held.append(route))  # the first answer waits until both drops are made
    drag(page, "host1/xp-off#1", NAT)
    drag(page, "host1/xp-local#1", NAT)  # at once: the first change has no answer yet
    expect(page.locator("#workspace")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#busy")).to_contain_text("Saving")
    for _ in range(200):  # the first change's request reaches the route
        if held:
            break
        page.wait_for_timeout(25)
    page.wait_for_timeout(300)
    assert len(held) == 1, "the second change must wait for the first's answer"
    page.unroute("**/attach")
    held[0].continue_()

    expect_version(page, start + 2)
    expect(page.locator("#busy")).to_have_text("")
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect(link(page, "host1/xp-local#1")).to_have_attribute("data-network", NAT)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-ip", re.compile(r"^192\.168\.131\.\d+$"))
    expect(link(page, "host1/xp-local#1")).to_have_attribute("data-ip", re.compile(r"^192\.168\.131\.\d+$"))
    expect(page.locator(".flash")).to_have_count(0)
    page.reload()  # both stored
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect(link(page, "host1/xp-local#1")).to_have_attribute("data-network", NAT)
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start + 2))


def test_two_quick_drags_without_holding_anything(page: Page):
    open_example(page)
    start = version(page)
    drag(page, "host1/xp-off#1", NAT)
    drag(page, "host1/xp-bridged#1", LOCAL)
    expect_version(page, start + 2)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect(link(page, "host1/xp-bridged#1")).to_have_attribute("data-network", LOCAL)
    expect(page.locator(".flash")).to_have_count(0)


def test_a_change_answers_only_the_parts_it_changed(page: Page):
    open_example(page)
    start = version(page)
    page.evaluate("() => document.querySelectorAll('#diagram [id]').forEach(e => { e.__kept = true; })")
    answers: list[str] = []
    page.on("response", lambda r: answers.append(r.text()) if r.url.endswith("/attach") else None)
    drag(page, "host1/xp-off#1", NAT)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-ip", "192.168.131.65")
    expect_version(page, start + 1)
    kept = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('#diagram [id]'))
             .filter(e => e.closest('[data-layer]') === e).map(e => [e.id, e.__kept === true]))"""
    )
    link_id = link(page, "host1/xp-off#1").get_attribute("id")
    assert kept[link_id] is False  # the changed link is new
    untouched = node(page, "vm:host1/xp-nat").get_attribute("id")
    assert kept[untouched] is True  # a VM the drop did not touch is the same element
    assert kept[link(page, "host1/xp-nat#1").get_attribute("id")] is True
    assert len(answers) == 1 and answers[0].startswith("<div data-patch")
    assert f'data-version="{start + 1}"' in answers[0]
    assert 'data-node="vm:host1/xp-nat"' not in answers[0]  # not sent again
    assert f'id="{link_id}"' in answers[0]


# ---- (4) Back after a change ----


def test_back_after_a_change_shows_the_lab_as_it_is(page: Page):
    open_example(page)
    lab_url = page.url
    start = version(page)
    drag(page, "host1/xp-off#1", NAT)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-ip", "192.168.131.65")
    expect_version(page, start + 1)
    page.goto("/")
    expect(page.locator("table.labs")).to_be_visible()
    page.go_back()
    page.wait_for_url(lab_url)
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start + 1))
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    expect(page.locator("h1 small")).to_have_text(f"version {start + 1}")


# ---- (5) The keyboard alone ----


def test_keyboard_only_attach(page: Page):
    open_example(page)
    start = version(page)
    page.locator("[data-zoom=fit]").focus()
    for _ in range(60):  # Tab through the page to the adapter, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.adapter || ''") == "host1/xp-off#1":
            break
    adapter = chip(page, "host1/xp-off#1")
    expect(adapter).to_be_focused()

    page.keyboard.press("Enter")
    choices = page.locator("ul#network-choices[role=listbox]")
    expect(choices).to_be_visible()
    options = choices.locator("li[role=option]")
    expect(options).to_have_count(4)
    expect(options.last).to_have_attribute("data-network", "")
    focused = page.locator("#network-choices [role=option]:focus")
    expect(focused).to_have_attribute("data-network", "")  # its own choice first

    page.keyboard.press("Escape")  # closes, changes nothing
    expect(choices).to_be_hidden()
    expect(adapter).to_be_focused()
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start))
    expect(page.locator("#workspace")).not_to_have_attribute("aria-busy", "true")

    page.keyboard.press("Enter")
    expect(choices).to_be_visible()
    page.keyboard.press("ArrowDown")  # round to Local only
    expect(focused).to_have_attribute("data-network", LOCAL)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(focused).to_have_attribute("data-network", BRIDGED)
    page.keyboard.press("ArrowUp")
    expect(focused).to_have_attribute("data-network", NAT)
    expect(focused).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")

    expect(choices).to_be_hidden()
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect_version(page, start + 1)
    expect(chip(page, "host1/xp-off#1")).to_be_focused()  # the same adapter, after the update

    page.keyboard.press("Enter")  # and it can go on from there
    expect(page.locator("#network-choices [role=option]:focus")).to_have_attribute("data-network", NAT)
    page.keyboard.press("Escape")
    expect(chip(page, "host1/xp-off#1")).to_be_focused()


def test_enter_on_a_focused_vm_node_opens_its_panel(page: Page):
    open_example(page)
    node(page, "vm:host1/xp-bridged").focus()
    page.keyboard.press("Enter")
    expect(page.locator("aside#panel h2")).to_contain_text("xp-bridged")
    expect(node(page, "internet")).to_have_attribute("data-reach", "yes")


# ---- (6) Selection: what the selected VM reaches ----


def test_selecting_a_vm_marks_every_other_node(page: Page):
    open_example(page)
    node(page, "vm:host1/xp-nat").click()
    panel = page.locator("aside#panel")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_contain_text("xp-nat")
    expect(page.locator("#reach-list ul.reach li[data-to]").first).to_be_attached()

    expect(node(page, "internet")).to_have_attribute("data-reach", "yes")
    expect(node(page, "internet")).to_have_attribute("aria-description", re.compile("can reach"))
    expect(node(page, "internet").locator(".reach-mark")).to_contain_text("✓")
    local = node(page, "vm:host1/xp-local")
    expect(local).to_have_attribute("data-reach", "no")
    expect(local.locator(".reach-mark")).to_contain_text("✗")
    reason = page.locator("#reach-list li[data-to='vm:host1/xp-local']").get_attribute("data-reason")
    assert reason, "the reach list gives a reason"
    expect(local).to_have_attribute("aria-description", re.compile("cannot reach.*" + re.escape(reason)))
    expect(node(page, "vm:host1/xp-bridged")).to_have_attribute("data-reach", "yes")
    expect(node(page, "vm:host1/xp-off")).to_have_attribute("data-reach", "no")

    # every other node, and not the selected one
    others = page.locator("#diagram [data-node]:not([data-node='vm:host1/xp-nat'])")
    expect(page.locator("#diagram [data-node][data-reach]")).to_have_count(others.count())
    expect(node(page, "vm:host1/xp-nat")).not_to_have_attribute("data-reach", re.compile(".*"))
    for endpoint in others.evaluate_all("nodes => nodes.map(n => n.dataset.node)"):
        item = page.locator(f"#reach-list li[data-to='{endpoint}']")
        expect(node(page, endpoint)).to_have_attribute("data-reach", item.get_attribute("data-reach"))

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator("#diagram [data-reach]")).to_have_count(0)
    expect(page.locator("#diagram [aria-description]")).to_have_count(0)
    expect(node(page, "internet").locator(".reach-mark")).to_have_text("")


def test_selection_marks_follow_a_change(page: Page):
    open_example(page)
    node(page, "vm:host1/xp-off").click()
    expect(node(page, "internet")).to_have_attribute("data-reach", "no")
    drag(page, "host1/xp-off#1", NAT)  # now it goes out through NAT
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-network", NAT)
    expect(node(page, "internet")).to_have_attribute("data-reach", "yes")
    expect(page.locator("aside#panel h2")).to_contain_text("xp-off")


# ---- (7) Moving nodes; Tidy up; undo ----


def box_at(locator: Locator) -> tuple[float, float]:
    """A node's box in the diagram's own coordinates (its rect's x and y)."""
    rect = locator.locator("rect.box, rect.frame").first
    return float(rect.get_attribute("x")), float(rect.get_attribute("y"))


def test_moving_a_vm_then_undo_redo_tidy(page: Page):
    open_example(page)
    start = version(page)
    vm = node(page, "vm:host1/xp-nat")
    initial = origin(vm)
    initial_box = box_at(vm)
    mouse_drag(page, centre(vm.locator("rect.box")), 60, 90)
    expect_version(page, start + 1)
    expect(page.locator("aside#panel")).to_be_hidden()  # a drag is no click
    moved = origin(vm)
    assert moved != initial
    dx, dy = float(moved[0]) - float(initial[0]), float(moved[1]) - float(initial[1])
    assert dx > 20 and dy > 30, (dx, dy)
    moved_box = box_at(vm)  # drawn where it was put
    assert abs(moved_box[0] - initial_box[0] - dx) < 0.5 and abs(moved_box[1] - initial_box[1] - dy) < 0.5
    expect(vm).not_to_have_attribute("transform", re.compile(".*"))  # the drag's own offset is gone
    page.reload()
    expect(node(page, "vm:host1/xp-nat")).to_have_attribute("data-origin-x", moved[0])  # stored

    page.locator("[data-action=undo]").click()
    expect_version(page, start + 2)
    expect(vm).to_have_attribute("data-origin-x", initial[0])
    expect(vm).to_have_attribute("data-origin-y", initial[1])
    page.locator("[data-action=redo]").click()
    expect_version(page, start + 3)
    expect(vm).to_have_attribute("data-origin-x", moved[0])

    page.locator("[data-action=tidy]").click()
    expect_version(page, start + 4)
    expect(vm).to_have_attribute("data-origin-x", initial[0])
    expect(vm).to_have_attribute("data-origin-y", initial[1])
    assert box_at(vm) == initial_box

    page.locator("#find-vm").focus()  # Ctrl+Z in a text field is the field's own
    page.keyboard.press("Control+z")
    page.locator("[data-zoom=fit]").focus()
    page.keyboard.press("Control+z")  # undoes the tidy
    expect_version(page, start + 5)
    expect(vm).to_have_attribute("data-origin-x", moved[0])


def test_dragging_a_host_moves_it_with_its_vms(page: Page):
    open_example(page)
    start = version(page)
    host = node(page, "host:host1")
    vm = node(page, "vm:host1/xp-local")
    host_before = origin(host)
    vm_before = origin(vm)
    vm_box = box_at(vm)
    mouse_drag(page, centre(host.locator("text.grip")), 80, 60)
    expect_version(page, start + 1)
    expect(host).not_to_have_attribute("data-origin-x", host_before[0])
    dx = float(host.get_attribute("data-origin-x")) - float(host_before[0])
    dy = float(host.get_attribute("data-origin-y")) - float(host_before[1])
    assert dx > 30 and dy > 20, (dx, dy)
    assert origin(vm) == vm_before  # a VM's place is in its host's frame
    moved_box = box_at(vm)  # and it went with its host
    assert abs(moved_box[0] - vm_box[0] - dx) < 0.5 and abs(moved_box[1] - vm_box[1] - dy) < 0.5
    expect(page.locator("aside#panel")).to_be_hidden()
    page.locator("[data-action=tidy]").click()
    expect_version(page, start + 2)
    expect(host).to_have_attribute("data-origin-x", host_before[0])
    expect(host).to_have_attribute("data-origin-y", host_before[1])
    assert box_at(vm) == vm_box


# ---- (8) The view: zoom, wheel, pan, fit, find ----


def test_zoom_pan_fit_and_find(page: Page):
    open_example(page)
    first = view_box(page)
    bounds = [float(n) for n in page.locator("#diagram-bounds").get_attribute("data-bounds").split()]

    page.locator("[data-zoom=in]").click()
    zoomed_in = view_box(page)
    assert zoomed_in[2] < first[2] and zoomed_in[3] < first[3]
    page.locator("[data-zoom=out]").click()
    page.locator("[data-zoom=out]").click()
    zoomed_out = view_box(page)
    assert zoomed_out[2] > first[2] and zoomed_out[3] > first[3]
    page.locator("[data-zoom=fit]").click()
    assert view_box(page) == bounds

    page.mouse.move(**centre(page.locator("#diagram")))
    page.mouse.wheel(0, -400)  # wheel up zooms in
    page.wait_for_function(f"document.getElementById('diagram').viewBox.baseVal.width < {bounds[2]}")
    wheeled = view_box(page)
    assert wheeled[2] < bounds[2]

    mouse_drag(page, empty_point(page), 120, 0)  # drag the background: pan
    panned = view_box(page)
    assert panned[2:] == wheeled[2:] and panned[0] < wheeled[0]
    expect(page.locator("aside#panel")).to_be_hidden()
    assert page.locator("#workspace").get_attribute("data-version") == "1"  # a pan changes no lab

    page.locator("input[data-find-vm]").fill("xp-off")
    page.locator("input[data-find-vm]").press("Enter")
    expect(page.locator("aside#panel h2")).to_contain_text("xp-off")
    expect(node(page, "vm:host1/xp-off")).to_have_class(re.compile(r"\bselected\b"))
    assert view_box(page) != panned
    svg = centre(page.locator("#diagram"))
    found = centre(node(page, "vm:host1/xp-off").locator("rect.box"))
    assert abs(found["x"] - svg["x"]) < 25 and abs(found["y"] - svg["y"]) < 25, (found, svg)
    # the focus: on the found VM, or in the panel that opened for it; Escape brings it back to the VM
    assert page.evaluate(
        "(() => { const a = document.activeElement; return a.dataset.node === 'vm:host1/xp-off'"
        " || document.getElementById('panel').contains(a); })()"
    )
    page.keyboard.press("Escape")
    expect(page.locator("aside#panel")).to_be_hidden()
    expect(node(page, "vm:host1/xp-off")).to_be_focused()


# ---- (9) Hostile names ----

XSS1 = "<img src=x onerror=alert(1)>"
XSS2 = '"><script>alert(2)</script>'


def test_hostile_names_are_text_everywhere(page: Page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    lan = f"{XSS1} LAN"
    document = {
        "vnetlab": 1,
        "name": f"{XSS2} {XSS1}",
        "lans": [{"name": lan, "subnet": "10.9.0.0/24", "gateway": "10.9.0.1"}],
        "hosts": [
            {
                "name": XSS1,
                "product": "virtual_server_2005_r2",
                "lan": lan,
                "networks": [
                    {"name": XSS2, "kind": "internal"},
                    {"name": f"{XSS1} net", "kind": "internal"},
                ],
                "vms": [{"name": XSS1, "adapters": [{"network": XSS2}, {}]}],
            }
        ],
    }
    import_document(page, yaml.safe_dump(document, allow_unicode=True).encode())

    def no_injection() -> None:
        assert dialogs == []
        assert page.locator("img[src='x']").count() == 0
        assert page.evaluate("Array.from(document.scripts).some(s => s.textContent.includes('alert('))") is False
        assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0

    vm = page.locator("#diagram [data-node]").filter(has=page.locator("rect.box"))
    expect(vm).to_have_count(1)
    assert vm.get_attribute("data-node") == f"vm:{XSS1}/{XSS1}"
    expect(vm.locator("text").first).to_have_text(XSS1)
    host = page.locator("#diagram [data-part=host]")
    assert host.get_attribute("data-node") == f"host:{XSS1}"
    expect(host.locator("text.grip")).to_have_text(re.compile("^" + re.escape(XSS1) + "( |$)"))
    buses = page.locator("#layer-buses [data-network]")
    expect(buses).to_have_count(2)
    assert buses.evaluate_all("bs => bs.map(b => b.dataset.network)") == [f"{XSS1}/{XSS2}", f"{XSS1}/{XSS1} net"]
    expect(buses.first.locator("text").first).to_have_text(XSS2)
    expect(page.locator("#diagram [data-lan]").locator("text").first).to_have_text(re.compile("^" + re.escape(lan)))
    assert page.locator("#diagram [data-lan]").get_attribute("data-lan") == lan
    expect(page.locator("h1 .lab-name")).to_have_text(f"{XSS2} {XSS1}")
    expect(page.locator(f"#matrix-section th[title='vm:{XSS1}/{XSS1}']").first).to_be_attached()
    no_injection()

    # A change answers with parts that the page's script puts in: still text
    second = f"{XSS1}/{XSS1}#2"
    page.locator("[data-adapter]").nth(1).drag_to(buses.nth(1))
    expect(page.locator("[data-link]").nth(1)).to_have_attribute("data-network", f"{XSS1}/{XSS1} net")
    expect(page.locator("[data-link]").nth(1)).to_have_attribute("data-link", second)
    expect(page.locator("#workspace")).to_have_attribute("data-version", "2")
    expect(vm.locator("text").first).to_have_text(XSS1)
    no_injection()

    vm.click()  # its panel, what it reaches and its ipconfig
    expect(page.locator("aside#panel h2")).to_contain_text(XSS1)
    expect(page.locator("#reach-list ul.reach")).to_have_attribute("data-reach-from", f"vm:{XSS1}/{XSS1}")
    expect(page.locator("[data-ipconfig]")).to_have_attribute("data-ipconfig", f"{XSS1}/{XSS1}")
    no_injection()
    page.keyboard.press("Escape")

    page.locator("input[data-find-vm]").fill(XSS1)
    page.locator("input[data-find-vm]").press("Enter")
    expect(page.locator("aside#panel h2")).to_contain_text(XSS1)
    no_injection()

    svg = page.request.get(page.url + "/topology.svg")
    assert svg.ok
    root = ET.fromstring(svg.text())
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert XSS1 in texts and XSS2 in texts


# ---- (10) Rename and duplicate from the editor ----


def test_rename_and_duplicate_from_the_editor(page: Page):
    open_example(page)
    original = page.url
    start = version(page)
    origins = origin(node(page, "vm:host1/xp-nat"))
    page.get_by_role("button", name="Rename · Duplicate").click()
    form = page.locator("form[data-form=rename]")
    expect(form).to_be_visible()
    expect(form.locator("[name=name]")).to_have_value("Seed classroom")
    form.locator("[name=name]").fill("Week 5 — NAT")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1 .lab-name")).to_have_text("Week 5 — NAT")
    expect_version(page, start + 1)
    expect(page.locator("form[data-form=rename]")).to_have_count(0)
    page.reload()
    expect(page.locator("h1 .lab-name")).to_have_text("Week 5 — NAT")

    page.get_by_role("button", name="Rename · Duplicate").click()
    page.locator("[data-duplicate]").click()
    page.wait_for_url(lambda url: LAB_PAGE.match(url) is not None and url != original, wait_until="load")
    assert int(page.url.rsplit("/", 1)[1]) != int(original.rsplit("/", 1)[1])
    expect(page.locator("h1 .lab-name")).to_have_text("Week 5 — NAT (copy)")
    expect(link(page, "host1/xp-nat#1")).to_have_attribute("data-ip", "192.168.131.64")
    assert origin(node(page, "vm:host1/xp-nat")) == origins

    page.goto("/")  # both labs are listed
    expect(page.locator("table.labs")).to_contain_text("Week 5 — NAT (copy)")
    page.goto(original)
    expect(page.locator("h1 .lab-name")).to_have_text("Week 5 — NAT")  # the original stays as it is


def test_rename_refuses_an_over_long_name_next_to_the_field(page: Page):
    open_example(page)
    start = version(page)
    page.get_by_role("button", name="Rename · Duplicate").click()
    page.locator("form[data-form=rename] [name=name]").fill("x" * 150)
    page.locator("form[data-form=rename] button[type=submit]").click()
    expect(page.locator("[data-field=name] .field-error")).to_contain_text("100")
    expect(page.locator("#workspace")).to_have_attribute("data-version", str(start))
    expect(page.locator("h1 .lab-name")).to_have_text("Seed classroom")


# ---- (11) Exports ----


def test_exports_svg_png_and_handout(page: Page):
    open_example(page)
    drag(page, "host1/xp-off#1", NAT)
    expect(link(page, "host1/xp-off#1")).to_have_attribute("data-ip", "192.168.131.65")
    toolbar = page.locator("#lab-header .toolbar")

    svg_href = toolbar.locator("a", has_text="SVG").get_attribute("href")
    svg = page.request.get(svg_href)
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text())  # well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = svg.text()
    for address in ("192.168.131.64", "192.168.131.65", "192.168.11.101", "169.254."):
        assert address in text, address
    assert "xp-bridged" in text and "Shared networking (NAT)" in text

    png_href = toolbar.locator("a", has_text="PNG").get_attribute("href")
    png = page.request.get(png_href)
    assert png.ok and png.headers["content-type"] == "image/png"
    body = png.body()
    assert body.startswith(b"\x89PNG\r\n\x1a\n") and body[12:16] == b"IHDR"
    width, height = int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
    assert width > 200 and height > 100

    handout_href = toolbar.locator("a", has_text="Handout").get_attribute("href")
    page.goto(handout_href)
    expect(page.locator(".handout-diagram svg")).to_be_visible()
    table = page.locator("table.address-table")
    expect(table.locator("tbody tr")).to_have_count(4)  # one adapter each
    expect(table).to_contain_text("192.168.131.65")
    expect(table.locator("tbody tr", has_text="xp-nat")).to_contain_text("192.168.131.64")
    blocks = page.locator(".handout-ipconfig pre")
    expect(blocks).to_have_count(4)  # one per VM
    expect(page.locator(".handout-ipconfig h3")).to_have_text(
        ["host1/xp-local", "host1/xp-nat", "host1/xp-bridged", "host1/xp-off"]
    )
    expect(page.locator(".handout-ipconfig", has_text="host1/xp-off").locator("pre")).to_contain_text("192.168.131.65")
    for i in range(4):
        expect(blocks.nth(i)).to_contain_text("Windows IP Configuration")


# ---- (12) The reachability matrix ----


def matrix_layout(page: Page) -> tuple[list[str], list[str]]:
    """The pairs table's rows (sources) and columns (targets), in the order shown."""
    table = page.locator("#matrix-section table.matrix")
    rows = table.locator("tbody tr[data-endpoint]").evaluate_all("rs => rs.map(r => r.dataset.endpoint)")
    columns = table.locator("thead th.to").evaluate_all("hs => hs.map(h => h.dataset.endpoint)")
    return rows, columns


def next_cell(rows, columns, at: tuple[str, str], move: tuple[int, int]) -> tuple[str, str]:
    """Where an arrow key should go: the next cell that way with a button (a VM's own cell has none)."""
    r, c = rows.index(at[0]), columns.index(at[1])
    while True:
        r, c = r + move[0], c + move[1]
        if not (0 <= r < len(rows) and 0 <= c < len(columns)):
            return at
        if rows[r] != columns[c]:
            return rows[r], columns[c]


def test_matrix_names_in_headers_and_the_filter(page: Page):
    open_example(page)
    table = page.locator("#matrix-section table.matrix")
    expect(table).not_to_have_class(re.compile(r"\bgroups\b"))
    heads = table.locator("thead th.to")
    expect(heads).to_have_count(7)
    expect(heads.filter(has_text="xp-nat")).to_have_attribute("data-endpoint", "vm:host1/xp-nat")
    expect(table.locator("tr[data-endpoint='vm:host1/xp-local'] th.from")).to_contain_text("xp-local")
    expect(table.locator("tr[data-endpoint='internet'] th.from")).to_contain_text("internet")
    expect(table.locator("tr.group").first).to_be_visible()
    assert table.locator("thead th").first.evaluate("th => getComputedStyle(th).position") == "sticky"
    assert table.locator("tbody th.from").first.evaluate("th => getComputedStyle(th).position") == "sticky"

    # filter: rows whose names do not match go, and the columns stay in line with their headers
    page.locator("input[data-matrix-filter]").fill("xp")
    expect(table.locator("tr[data-endpoint='internet']")).to_be_hidden()
    expect(table.locator("tr[data-endpoint='host:host1']")).to_be_hidden()
    expect(table.locator("tr[data-endpoint='vm:host1/xp-local']")).to_be_visible()
    expect(table.locator("tr[data-endpoint='vm:host1/xp-off']")).to_be_visible()
    expect(table.locator("thead th.to[data-endpoint='internet']")).to_be_hidden()
    expect(table.locator("thead th.to[data-endpoint='vm:host1/xp-nat']")).to_be_visible()
    shown_columns = table.locator("thead th:visible").count()
    for row in table.locator("tbody tr[data-endpoint]:visible").all():
        assert row.locator("> :visible").count() == shown_columns, row.get_attribute("data-endpoint")
    page.locator("input[data-matrix-filter]").fill("Local only")  # a segment's name: its group's rows
    expect(table.locator("tr[data-endpoint='vm:host1/xp-local']")).to_be_visible()
    expect(table.locator("tr[data-endpoint='vm:host1/xp-nat']")).to_be_hidden()
    shown_columns = table.locator("thead th:visible").count()
    for row in table.locator("tbody tr[data-endpoint]:visible").all():
        assert row.locator("> :visible").count() == shown_columns, row.get_attribute("data-endpoint")
    page.locator("input[data-matrix-filter]").fill("host1")  # a host's name: its VMs and its own OS
    expect(table.locator("tr[data-endpoint='vm:host1/xp-off']")).to_be_visible()
    expect(table.locator("tr[data-endpoint='internet']")).to_be_hidden()
    shown_columns = table.locator("thead th:visible").count()
    for row in table.locator("tbody tr[data-endpoint]:visible").all():
        assert row.locator("> :visible").count() == shown_columns, row.get_attribute("data-endpoint")
    page.locator("input[data-matrix-filter]").fill("")
    expect(table.locator("tr[data-endpoint='internet']")).to_be_visible()
    expect(table.locator("thead th.to[data-endpoint='internet']")).to_be_visible()


def test_matrix_cell_tells_why_not_and_arrow_keys_move_between_cells(page: Page):
    open_example(page)
    table = page.locator("#matrix-section table.matrix")
    # a cell tells why not
    cell = table.locator("[data-from='vm:host1/xp-local'][data-to='internet']")
    expect(cell).to_have_attribute("data-reachable", "false")
    cell.click()
    pair = page.locator("#pair")
    expect(pair.locator(".pair-no")).to_contain_text("cannot open a connection")
    expect(pair.locator(".reason")).not_to_be_empty()
    expect(pair.locator(".reason-message")).not_to_be_empty()
    table.locator("[data-from='vm:host1/xp-nat'][data-to='internet']").click()
    expect(pair.locator(".pair-yes")).to_contain_text("can open a connection")

    # arrow keys move between cells (a VM's own cell has none: skipped)
    rows, columns = matrix_layout(page)
    at = ("vm:host1/xp-nat", "vm:host1/xp-local")
    table.locator(f"[data-from='{at[0]}'][data-to='{at[1]}']").focus()
    focused = page.locator("#matrix-section button.cell:focus")
    for key, move in [
        ("ArrowRight", (0, 1)),
        ("ArrowDown", (1, 0)),
        ("ArrowDown", (1, 0)),
        ("ArrowLeft", (0, -1)),
        ("ArrowUp", (-1, 0)),
        ("ArrowUp", (-1, 0)),
        ("ArrowUp", (-1, 0)),
    ]:
        page.keyboard.press(key)
        at = next_cell(rows, columns, at, move)
        expect(focused).to_have_attribute("data-from", at[0])
        expect(focused).to_have_attribute("data-to", at[1])
    expect(page.locator("#matrix-section button.cell[tabindex='0']")).to_have_count(1)  # one in the tab order
    page.keyboard.press("Enter")
    expect(pair).to_contain_text(at[0].partition(":")[2] or at[0])
    expect(pair).to_contain_text(at[1].partition(":")[2] or at[1])


def test_matrix_over_60_endpoints_groups_and_drills_down(page: Page):
    made = page.request.post("/api/v1/labs/import", data=lab_data(60))
    assert made.ok, made.text()
    page.goto(f"/labs/{made.json()['id']}?key={made.json()['keys']['edit']}")
    table = page.locator("#matrix-section table.matrix.groups")
    expect(table).to_be_visible()
    expect(page.locator("#matrix-section [data-from][data-to]")).to_have_count(0)  # no pair cells up front
    cells = table.locator("tbody button.cell")
    expect(cells.first).to_be_visible()

    # a cell between two groups with several pairs, some or all reachable: "yes/total"
    texts = cells.evaluate_all("cs => cs.map(c => c.textContent.trim())")
    index = next(
        i
        for i, text in enumerate(texts)
        if re.fullmatch(r"\d+/\d+", text) and int(text.split("/")[1]) > 1 and int(text.split("/")[0]) > 0
    )
    yes, total = (int(n) for n in texts[index].split("/"))
    cells.nth(index).click()
    detail = page.locator("#matrix-detail")
    expect(detail.locator("h3")).to_be_visible()
    pairs = detail.locator("table.matrix button[data-from][data-to]")
    expect(pairs).to_have_count(total)
    expect(detail.locator("button[data-reachable='true']")).to_have_count(yes)
    first = pairs.first
    source, target = first.get_attribute("data-from"), first.get_attribute("data-to")
    first.click()
    expect(page.locator("#pair")).to_contain_text(source)
    expect(page.locator("#pair")).to_contain_text(target)
