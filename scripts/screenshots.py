"""Takes the README's pictures in headless Chromium: docs/canvas-seed.png (the seed classroom, xp-nat selected),
docs/canvas-200.png (a 200-VM lab), docs/canvas-phone.png (a 390 px phone, a VM's panel as a bottom sheet),
docs/classroom-share.png (the Share panel with goals), docs/classroom-view-phone.png (the read-only live view
on a phone) and docs/classroom-results.png (an assignment's results).

Run: .venv/bin/python scripts/screenshots.py
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from app.config import Settings  # noqa: E402
from app.db.session import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.labs import lab_data  # noqa: E402
from tests.live import serve  # noqa: E402
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DOCS = ROOT / "docs"
PUBLIC_URL = "http://192.168.1.20:8000"


def main() -> None:
    # Links as a classroom server hands them out (its address on the LAN), not 127.0.0.1.
    settings = Settings(
        database_url=f"sqlite:///{tempfile.mkdtemp(prefix='vnetlab-shots-')}/s.db",
        offline=True,
        public_url=PUBLIC_URL,
    )
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with serve(create_app(settings, engine)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        desktop = browser.new_page(viewport={"width": 1400, "height": 900})
        seed = (ROOT / "examples/01-seed-virtual-pc.yaml").read_bytes()
        headers = {"Content-Type": "application/yaml"}
        seed = desktop.request.post(f"{url}/api/v1/labs/import", data=seed, headers=headers).json()
        big = desktop.request.post(f"{url}/api/v1/labs/import", data=lab_data(200)).json()
        seed_id, seed_key, seed_view = seed["id"], seed["keys"]["edit"], seed["keys"]["view"]

        desktop.goto(f"{url}/labs/{seed_id}?key={seed_key}")
        desktop.locator("[data-node='vm:host1/xp-nat']").click()
        expect(desktop.locator("#reach-list ul.reach")).to_be_visible()
        expect(desktop.locator("[data-node='internet'][data-reach]")).to_have_count(1)
        desktop.screenshot(path=str(DOCS / "canvas-seed.png"))

        desktop.goto(f"{url}/labs/{big['id']}?key={big['keys']['edit']}")
        desktop.screenshot(path=str(DOCS / "canvas-200.png"))

        phone = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        phone.goto(f"{url}/labs/{seed_id}?key={seed_key}")
        phone.locator("[data-node='vm:host1/xp-nat']").tap()
        expect(phone.locator("#reach-list ul.reach")).to_be_visible()
        phone.screenshot(path=str(DOCS / "canvas-phone.png"))

        classroom(browser, desktop, url, seed_id, seed_view)
        browser.close()
    engine.dispose()
    print("wrote", ", ".join(f"docs/{name}" for name in SHOTS))


SHOTS = (
    "canvas-seed.png",
    "canvas-200.png",
    "canvas-phone.png",
    "classroom-share.png",
    "classroom-view-phone.png",
    "classroom-results.png",
)


def classroom(browser, teacher, url: str, lab_id: int, view_key: str) -> None:
    """Goals, the Share panel, the projector's view on a phone, and an assignment's results."""
    teacher.goto(f"{url}/labs/{lab_id}")
    for source, kind, target in (
        ("vm:host1/xp-nat", "reach", "internet"),
        ("vm:host1/xp-local", "reach", "internet"),
        ("internet", "no_reach", "vm:host1/xp-nat"),
    ):
        teacher.fill("#goal-from", source)
        teacher.select_option("#goal-kind", kind)
        teacher.fill("#goal-to", target)
        teacher.click(".goal-form button[type=submit]")
        expect(teacher.locator(".goal-form input[name=from]")).to_have_value("")
    teacher.click("button[data-share]")
    teacher.fill("#assignment-title", "Week 3: NAT and bridging")
    teacher.click("#panel form[data-form=assignment] button[type=submit]")
    student_link = teacher.locator("#panel [id^=student-link-]").first
    expect(student_link).to_be_visible()
    teacher.screenshot(path=str(DOCS / "classroom-share.png"))
    # The links name the public address; here the server is on loopback.
    join_url = student_link.input_value().replace(PUBLIC_URL, url)
    results_url = teacher.locator("#panel a", has_text="Results").get_attribute("href").replace(PUBLIC_URL, url)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    phone.goto(f"{url}/labs/{lab_id}?key={view_key}")
    expect(phone.locator(".badge.live")).to_be_visible()
    phone.screenshot(path=str(DOCS / "classroom-view-phone.png"))

    for name in ("Ana", "Ben", "Chiara"):
        student = browser.new_page()
        student.goto(join_url)
        student.fill("#student", name)
        student.click("button[type=submit]")
        student.wait_for_url("**/labs/*")
        if name != "Ben":
            student.locator("[data-adapter='host1/xp-local#1']").drag_to(
                student.locator("[data-network='host1/Shared networking (NAT)']:not([data-link])")
            )
            expect(student.locator("#goals .goal").nth(1)).to_have_attribute("data-passed", "yes")
    teacher.goto(results_url)
    expect(teacher.locator("tr[data-student]")).to_have_count(3)
    teacher.screenshot(path=str(DOCS / "classroom-results.png"))


if __name__ == "__main__":
    main()
