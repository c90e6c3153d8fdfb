"""The designer in a real headless Chromium, clicked and dragged as a person would."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

LAB_PAGE = re.compile(r".*/labs/\d+$")


def open_example(page: Page, example: str) -> None:
    page.goto("/")
    page.select_option("select[name=example]", example)
    page.click("form[action='/labs/from-example'] button")
    settle(page)


def import_document(page: Page, document: bytes, lands_on: re.Pattern | None = LAB_PAGE) -> None:
    """Through the labs page's file field, as a person uploads a YAML file."""
    page.goto("/")
    page.set_input_files(
        "input[name=document]", files=[{"name": "lab.yaml", "mimeType": "application/yaml", "buffer": document}]
    )
    page.click("form[action='/labs/import-file'] button")
    if lands_on is not None:
        settle(page, lands_on)


def settle(page: Page, url: re.Pattern = LAB_PAGE) -> None:
    """After a click that loads a page: wait until that page has loaded (and htmx has taken it over), as a
    person would before acting."""
    page.wait_for_url(url, wait_until="load")


def chip(page: Page, hook: str):  # what people grab: an adapter's address label on the diagram
    return page.locator(f"[data-adapter='{hook}']")


def bus(page: Page, hook: str):  # a network on the diagram, as a drop target (SPEC §13)
    return page.locator(f"[data-network='{hook}']:not([data-link])")


def drag(page: Page, adapter: str, network: str) -> None:
    chip(page, adapter).drag_to(bus(page, network))


def choose(page: Page, adapter: str, network: str) -> None:
    """The keyboard's way (SPEC §13): Enter on the adapter, arrows to the network, Enter."""
    chip(page, adapter).focus()
    page.keyboard.press("Enter")
    for _ in range(10):
        if page.locator("#network-choices [role=option]:focus").get_attribute("data-network") == network:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def open_vm(page: Page, ref: str) -> None:
    page.locator(f"[data-node='vm:{ref}']").click()
    expect(page.locator("#panel h2")).to_contain_text(ref.split("/")[-1])


def test_drag_onto_nat_then_internal(page: Page):
    open_example(page, "01-seed-virtual-pc.yaml")
    off = chip(page, "host1/xp-off#1")
    expect(off).to_contain_text("not connected")
    expect(page.locator("[data-link='host1/xp-off#1']")).to_have_attribute("data-network", "")  # a stub
    drag(page, "host1/xp-off#1", "host1/Shared networking (NAT)")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    link = page.locator("[data-link='host1/xp-off#1']")
    expect(link).to_have_attribute("data-network", "host1/Shared networking (NAT)")
    expect(link).to_have_attribute("data-ip", "192.168.131.65")
    drag(page, "host1/xp-off#1", "host1/Local only")
    expect(chip(page, "host1/xp-off#1")).to_contain_text(re.compile(r"169\.254\.\d+\.\d+"))
    page.reload()  # waits for the load event
    expect(chip(page, "host1/xp-off#1")).to_contain_text(re.compile(r"169\.254\."))  # persisted


def test_a_nat_re_lease_moves_the_later_guests_too(page: Page):  # [ADDR] the NAT pool is leased in order
    open_example(page, "01-seed-virtual-pc.yaml")
    drag(page, "host1/xp-off#1", "host1/Shared networking (NAT)")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    drag(page, "host1/xp-nat#1", "host1/Local only")  # xp-nat leaves: xp-off, later, gets the first address
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.64")
    expect(page.locator("[data-link='host1/xp-off#1']")).to_have_attribute("data-ip", "192.168.131.64")


def test_matrix_cell_tells_why_not(page: Page):
    open_example(page, "01-seed-virtual-pc.yaml")
    cell = page.locator("[data-from='internet'][data-to='vm:host1/xp-nat']")
    expect(cell).to_have_attribute("data-reachable", "false")
    cell.click()
    expect(page.locator("#pair .reason")).to_have_text("nat_inbound_blocked")
    page.locator("[data-from='vm:host1/xp-nat'][data-to='internet']").click()
    expect(page.locator("#pair")).to_contain_text("via nat")
    expect(page.locator("#pair .path li").last).to_have_text("internet")


def test_ipconfig_panel_in_english_and_japanese(page: Page):
    open_example(page, "01-seed-virtual-pc.yaml")
    open_vm(page, "host1/xp-nat")
    panel = page.locator("[data-ipconfig='host1/xp-nat']")
    expect(panel).to_contain_text("Ethernet adapter Local Area Connection:")
    expect(panel).to_contain_text("IP Address. . . . . . . . . . . . : 192.168.131.64")
    page.click("text=日本語")
    expect(page.locator("[data-ipconfig='host1/xp-nat']")).to_contain_text("ローカル エリア接続")


def test_ipconfig_panel_shows_a_windows_7_guests_own_text(page: Page):  # [W7R] [W7R-12]
    open_example(page, "05-ics-gateway.yaml")
    open_vm(page, "pc01/student2")
    panel = page.locator("[data-ipconfig='pc01/student2']")
    expect(panel).to_contain_text("   IPv4 Address. . . . . . . . . . . : 192.168.0.3(Preferred)")
    expect(panel).to_contain_text("Tunnel adapter Teredo Tunneling Pseudo-Interface:")
    expect(page.locator("[data-ipconfig-os]")).to_have_attribute("data-ipconfig-os", "Windows 7")
    expect(page.locator(".ipconfig-switch")).to_have_count(0)  # language and layout change nothing here

    open_vm(page, "pc01/student1")  # Windows XP: both switches, and they work
    expect(page.locator("[data-ipconfig-os]")).to_have_attribute("data-ipconfig-os", "Windows XP")
    page.click("text=As the seed article")
    seed_line = "        IP Address. . . . . . . . . . . : 192.168"  # the colon at column 40
    expect(page.locator("[data-ipconfig='pc01/student1']")).to_contain_text(seed_line)

    page.click("[aria-label='Edit VM pc01/student1']")  # the picker, grouped, names versions as people do
    form = page.locator("form[data-form='vm']")
    expect(form.locator("optgroup[label='Windows Vista and later'] option")).to_have_text(
        ["Windows Vista", "Windows Server 2008", "Windows 7", "Windows Server 2008 R2"]
    )
    form.locator("[name=os]").select_option(label="Windows Server 2008 R2")
    form.locator("[name=node_type]").select_option("broadcast")
    form.locator("button[type=submit]").click()
    expect(page.locator("form[data-form='vm']")).to_have_count(0)
    expect(page.locator("[data-node='vm:pc01/student1']")).to_contain_text("Windows Server 2008 R2")
    open_vm(page, "pc01/student1")
    student1 = page.locator("[data-ipconfig='pc01/student1']")
    expect(student1).to_contain_text("   Node Type . . . . . . . . . . . . : Broadcast")
    expect(student1).to_contain_text("   DHCPv6 IAID . . . . . . . . . . . : ")
    expect(student1).not_to_contain_text("Teredo")  # 2008 R2 has none [W7R-9]


def test_a_drop_the_product_forbids_shows_the_rule_and_changes_nothing(page: Page):
    import_document(
        page,
        b"vnetlab: 1\nname: Old\nhosts:\n  - name: h\n    product: virtual_pc_2004\n"
        b"    vms:\n      - name: a\n        adapters: [{}, {}]\n",
    )
    drag(page, "h/a#2", "h/Shared networking (NAT)")
    expect(page.locator(".flash.error")).to_contain_text("adapter 1 only")
    expect(chip(page, "h/a#2")).to_contain_text("not connected")
    expect(page.locator("#workspace")).to_have_attribute("data-version", "1")


def test_keyboard_alone_attaches_through_the_list_of_networks(page: Page):  # SPEC §13 keyboard
    open_example(page, "01-seed-virtual-pc.yaml")
    adapter = chip(page, "host1/xp-off#1")
    adapter.focus()
    page.keyboard.press("Enter")
    choices = page.locator("#network-choices[role=listbox]")
    expect(choices).to_be_visible()
    expect(choices.locator("[role=option]")).to_have_count(4)  # the host's three networks, and not connected
    page.keyboard.press("Escape")  # closes, changes nothing
    expect(choices).to_be_hidden()
    expect(adapter).to_be_focused()
    page.keyboard.press("Enter")
    current = page.locator("#network-choices [role=option]:focus")  # the adapter's own choice has the focus
    expect(current).to_have_text("not connected")
    expect(current).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # round to the first, Local only
    page.keyboard.press("ArrowDown")  # then Shared networking (NAT)
    expect(page.locator("#network-choices [role=option]:focus")).to_have_attribute(
        "data-network", "host1/Shared networking (NAT)"
    )
    page.keyboard.press("Enter")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("192.168.131.65")
    expect(chip(page, "host1/xp-off#1")).to_be_focused()  # focus stays where it was


def test_focus_stays_on_the_adapter_while_the_open_panel_catches_up(page: Page):
    open_example(page, "01-seed-virtual-pc.yaml")
    open_vm(page, "host1/xp-off")
    expect(page.locator("#reach-list ul.reach")).to_be_visible()
    choose(page, "host1/xp-off#1", "host1/Shared networking (NAT)")
    expect(page.locator("#panel [data-panel-adapter='host1/xp-off#1']")).to_contain_text("192.168.131.65")
    expect(chip(page, "host1/xp-off#1")).to_be_focused()  # the panel was brought up to date, not focused


def test_focus_stays_on_a_panels_button_when_the_panel_is_drawn_again(page: Page):
    open_example(page, "01-seed-virtual-pc.yaml")
    open_vm(page, "host1/xp-off")
    add = page.locator("#panel button", has_text="+ NIC")
    add.focus()
    page.keyboard.press("Enter")  # a change: the panel is brought up to date with the new adapter
    expect(page.locator("#panel [data-panel-adapter='host1/xp-off#2']")).to_have_count(1)
    expect(page.locator("#panel button", has_text="+ NIC")).to_be_focused()


def test_stale_page_gets_changed_elsewhere_message(page: Page, context):
    open_example(page, "01-seed-virtual-pc.yaml")
    other = context.new_page()
    other.goto(page.url)  # waits for the load event
    drag(other, "host1/xp-off#1", "host1/Local only")
    expect(other.locator("[data-adapter='host1/xp-off#1']")).to_contain_text("169.254.")
    drag(page, "host1/xp-off#1", "host1/Shared networking (NAT)")
    expect(page.locator(".flash.warning")).to_contain_text("changed elsewhere")
    expect(chip(page, "host1/xp-off#1")).to_contain_text("169.254.")  # reloaded, not overwritten


def test_hostile_names_show_as_text(page: Page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    import_document(
        page,
        b"vnetlab: 1\nname: '<b>lab</b>'\nhosts:\n  - name: h\n    product: virtual_pc_2007\n"
        b"    vms:\n      - name: '<img src=x onerror=alert(1)>'\n        adapters: [{network: Local only}]\n",
    )
    node = page.locator("[data-node='vm:h/<img src=x onerror=alert(1)>']")
    expect(node.locator("text").first).to_have_text("<img src=x onerror=alert(1)>")
    expect(page.locator("h1")).to_contain_text("<b>lab</b>")
    page.goto("/")
    expect(page.locator("table.labs")).to_contain_text("<b>lab</b>")
    assert dialogs == [] and page.locator("img[src='x']").count() == 0


def test_invalid_document_is_explained_on_the_labs_page(page: Page):
    import_document(
        page,
        b"vnetlab: 1\nname: Bad\nhosts:\n  - {name: vs, product: virtual_server_2005_r2,"
        b" networks: [{name: n, kind: nat}]}\n",
        lands_on=None,  # the labs page again, with the problems
    )
    expect(page.locator(".flash.error")).to_contain_text(
        "hosts[0].networks[0].kind: Virtual Server 2005 R2 offers internal and external networks, not nat"
    )


def test_create_download_and_delete_a_lab(page: Page):
    page.goto("/")
    page.fill("input[name=name]", "Week 3")
    page.click("form[action='/labs/new'] button")
    settle(page)
    expect(page.locator("h1")).to_contain_text("Week 3")
    page.goto("/")
    row = page.locator("table.labs tr", has_text="Week 3")
    with page.expect_download() as download:
        row.locator("text=Download").click()
    assert "name: Week 3" in Path(download.value.path()).read_text(encoding="utf-8")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.danger").click()
    expect(page.locator("table.labs")).not_to_contain_text("Week 3")


def test_build_a_lab_from_nothing_with_the_forms(page: Page):
    page.goto("/")
    page.fill("input[name=name]", "Built by hand")
    page.click("form[action='/labs/new'] button")
    settle(page)
    page.click("text=+ LAN")
    form = page.locator("form[data-form='lan']")
    form.locator("[name=name]").fill("Office LAN")
    form.locator("[name=subnet]").fill("192.168.11.7/24")  # host bits set: refused next to the field
    form.locator("[name=gateway]").fill("192.168.11.1")
    form.locator("[name=dhcp_start]").fill("192.168.11.100")
    form.locator("[name=dhcp_end]").fill("192.168.11.199")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-field='subnet'] .field-error")).to_contain_text("host bits")
    page.locator("form[data-form='lan'] [name=subnet]").fill("192.168.11.0/24")
    page.locator("form[data-form='lan'] button[type=submit]").click()
    expect(page.locator("[data-lan='Office LAN']")).to_contain_text("DHCP 192.168.11.100–192.168.11.199")

    page.click("text=+ Host")
    host = page.locator("form[data-form='host']")
    host.locator("[name=name]").fill("host1")
    host.locator("[name=product]").select_option("virtual_pc_2007")
    host.locator("[name=lan_id]").select_option(label="Office LAN")
    host.locator("button[type=submit]").click()
    expect(bus(page, "host1/Shared networking (NAT)")).to_be_visible()

    page.locator(
        "[data-node='host:host1'] .grip"
    ).click()  # its title opens the host's panel: its form, + VM and + network
    page.click("#panel >> text=+ VM")
    vm = page.locator("form[data-form='vm']")
    vm.locator("[name=name]").fill("xp1")
    vm.locator("button[type=submit]").click()
    expect(chip(page, "host1/xp1#1")).to_contain_text("not connected")
    drag(page, "host1/xp1#1", "host1/Shared networking (NAT)")
    expect(chip(page, "host1/xp1#1")).to_contain_text("192.168.131.64")
    drag(page, "host1/xp1#1", "host1/Local only")
    expect(chip(page, "host1/xp1#1")).to_contain_text(re.compile(r"169\.254\."))

    open_vm(page, "host1/xp1")
    page.click("[aria-label='Edit adapter host1/xp1#1']")
    adapter = page.locator("form[data-form='adapter']")
    expect(adapter.locator("[name=mac]")).to_have_count(0)  # Virtual PC assigns MACs itself
    expect(adapter.locator("[name=vlan]")).to_have_count(0)  # VLANs are Hyper-V's
    adapter.locator("[name=address_mode]").select_option("static")
    adapter.locator("[name=address_ip]").fill("10.0.0.5/24")
    adapter.locator("[name=address_gateway]").fill("10.9.9.9")
    adapter.locator("button[type=submit]").click()
    expect(page.locator("[data-field='address_gateway'] .field-error")).to_contain_text("outside the subnet")
    page.locator("form[data-form='adapter'] [name=address_gateway]").fill("")
    page.locator("form[data-form='adapter'] button[type=submit]").click()
    expect(chip(page, "host1/xp1#1")).to_contain_text("10.0.0.5/24")
    page.reload()
    expect(chip(page, "host1/xp1#1")).to_contain_text("10.0.0.5/24")


def test_topology_picture(page: Page):  # the diagram as a file, addresses and VLANs included (SPEC §13)
    open_example(page, "03-hyper-v-switches-and-vlans.yaml")
    with page.expect_download() as download:
        page.click(".toolbar >> text=SVG")
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "#1 172.16.0.10/24 static" in svg and "Cluster" in svg and "VLAN" in svg
    with page.expect_download() as download:
        page.click(".toolbar >> text=PNG")
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_designer_pages_are_never_kept_by_the_browser(page: Page):  # SPEC §13: Back never shows a stale lab
    open_example(page, "01-seed-virtual-pc.yaml")
    assert page.request.get(page.url).headers["cache-control"] == "no-store"
    assert page.request.get("/").headers["cache-control"] == "no-store"
    fragment = page.request.get(page.url + "/history")
    assert fragment.ok and fragment.headers["cache-control"] == "no-store"
