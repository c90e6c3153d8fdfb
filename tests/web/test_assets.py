"""The pages' htmx: the local copy is the pinned release, and the CDN tag's SRI hash matches it."""

import base64
import hashlib
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web.security import HTMX_SRI, HTMX_VERSION
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[2]


def test_vendored_htmx_is_the_pinned_version_with_the_published_hash():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["version"] == HTMX_VERSION
    digest = hashlib.sha384((ROOT / "static/vendor/htmx.min.js").read_bytes()).digest()
    assert "sha384-" + base64.b64encode(digest).decode() == HTMX_SRI


def test_pages_use_the_cdn_with_sri_online_and_the_local_copy_offline(tmp_path):
    for offline in (False, True):
        settings = Settings(admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path}/{offline}.db", offline=offline)
        engine = make_engine(settings)
        SQLModel.metadata.create_all(engine)
        with TestClient(create_app(settings, engine), headers=ADMIN_HEADERS) as client:
            page = client.get("/").text
            assert ('integrity="' + HTMX_SRI + '"' in page) is not offline
            # Offline the page loads the local copy; online the CDN's, then a fallback file loads the local one.
            local = "/static/vendor/htmx.min.js"
            assert local in (page if offline else client.get("/static/htmx-fallback.js").text)
            assert ("/static/htmx-fallback.js" in page) is not offline
            assert client.get(local).status_code == 200
