"""Takes the README's pictures of the canvas in headless Chromium: docs/canvas-seed.png (the seed classroom,
xp-nat selected), docs/canvas-200.png (a 200-VM lab) and docs/canvas-phone.png (a 390 px phone, a VM's panel
as a bottom sheet).

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


def main() -> None:
    settings = Settings(database_url=f"sqlite:///{tempfile.mkdtemp(prefix='vnetlab-shots-')}/s.db", offline=True)
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with serve(create_app(settings, engine)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        desktop = browser.new_page(viewport={"width": 1400, "height": 900})
        seed = (ROOT / "examples/01-seed-virtual-pc.yaml").read_bytes()
        headers = {"Content-Type": "application/yaml"}
        seed_id = desktop.request.post(f"{url}/api/v1/labs/import", data=seed, headers=headers).json()["id"]
        big_id = desktop.request.post(f"{url}/api/v1/labs/import", data=lab_data(200)).json()["id"]

        desktop.goto(f"{url}/labs/{seed_id}")
        desktop.locator("[data-node='vm:host1/xp-nat']").click()
        expect(desktop.locator("#reach-list ul.reach")).to_be_visible()
        expect(desktop.locator("[data-node='internet'][data-reach]")).to_have_count(1)
        desktop.screenshot(path=str(DOCS / "canvas-seed.png"))

        desktop.goto(f"{url}/labs/{big_id}")
        desktop.screenshot(path=str(DOCS / "canvas-200.png"))

        phone = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        phone.goto(f"{url}/labs/{seed_id}")
        phone.locator("[data-node='vm:host1/xp-nat']").tap()
        expect(phone.locator("#reach-list ul.reach")).to_be_visible()
        phone.screenshot(path=str(DOCS / "canvas-phone.png"))
        browser.close()
    engine.dispose()
    print("wrote", ", ".join(f"docs/{name}" for name in ("canvas-seed.png", "canvas-200.png", "canvas-phone.png")))


if __name__ == "__main__":
    main()
