"""Web security, in-process: headers on every response, the pages' Content-Security-Policy, no inline script,
the topology SVG escaped, cross-site changes refused, /docs from the vendored Swagger UI, and designer routes
that do database, engine or template work run in worker threads (plain `def`)."""

import inspect
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web import canvas_routes, pages
from app.web.security import HTMX_CDN_URL, HTMX_SRI, HTMX_VERSION, PAGE_CSP, SVG_CSP
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = 'x" onload="alert(1)'


def make_client(tmp_path: Path, offline: bool) -> TestClient:
    settings = Settings(
        admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path}/security-{offline}.db", offline=offline
    )
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    return TestClient(create_app(settings, engine), headers=ADMIN_HEADERS)


@pytest.fixture(params=[True, False], ids=["offline", "online"])
def client(request, tmp_path) -> Iterator[TestClient]:
    with make_client(tmp_path, request.param) as test_client:
        yield test_client


def new_lab(client: TestClient, name: str = "Week 3") -> int:
    response = client.post("/labs/new", data={"name": name}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def import_lab(client: TestClient, document: bytes) -> int:
    response = client.post("/api/v1/labs/import", content=document, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def test_every_response_carries_the_security_headers(client: TestClient):
    lab_id = new_lab(client)
    answers = [
        client.get("/"),
        client.get(f"/labs/{lab_id}"),
        client.get(f"/labs/{lab_id}/forms/lan"),
        client.get(f"/labs/{lab_id}/topology.svg"),
        client.get("/static/app.js"),
        client.get("/static/vendor/htmx.min.js"),
        client.get("/api/v1/labs"),
        client.get("/api/v1/labs/999999"),
        client.get("/healthz"),
        client.get("/openapi.json"),
        client.get("/docs"),
        client.get("/no/such/page"),
        client.post("/labs/new", data={"name": "x"}, headers={"Origin": "https://evil.example"}),
        client.post(f"/labs/{lab_id}/attach", data={"adapter_id": "²"}),
    ]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path} → {answer.status_code}"
        assert answer.status_code < 500, where
        assert answer.headers["x-content-type-options"] == "nosniff", where
        assert answer.headers["referrer-policy"] == "same-origin", where
        assert answer.headers["x-frame-options"] == "DENY", where
        assert directives(answer.headers["content-security-policy"])["frame-ancestors"] == ["'none'"], where


def test_even_an_unexpected_500_carries_the_security_headers(tmp_path):
    app = make_client(tmp_path, offline=True).app

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        answer = test_client.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"] == PAGE_CSP


def test_page_csp_allows_scripts_only_from_this_server_and_the_pinned_cdn_file():
    policy = directives(PAGE_CSP)
    assert sorted(policy["script-src"]) == sorted(["'self'", HTMX_CDN_URL, f"'{HTMX_SRI}'"])
    assert policy["default-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "unsafe" not in PAGE_CSP  # no 'unsafe-inline', no 'unsafe-eval'
    assert HTMX_CDN_URL.endswith(f"/htmx.org@{HTMX_VERSION}/dist/htmx.min.js")


def test_pages_have_no_inline_script_style_or_event_handler(client: TestClient):
    lab_id = import_lab(client, (ROOT / "examples/03-hyper-v-switches-and-vlans.yaml").read_bytes())
    vm_id = client.get(f"/api/v1/labs/{lab_id}/vms").json()[0]["id"]
    adapter_id = client.get(f"/api/v1/labs/{lab_id}/adapters").json()[0]["id"]
    for url in [
        "/",
        f"/labs/{lab_id}",
        f"/labs/{lab_id}/forms/lan",
        f"/labs/{lab_id}/forms/adapter/{adapter_id}",
        f"/labs/{lab_id}/pair?from=internet&to=internet",
        f"/labs/{lab_id}/vms/{vm_id}/ipconfig-panel",
        f"/labs/{lab_id}/panel/vm/{vm_id}",
        f"/labs/{lab_id}/panel/lab",
        f"/labs/{lab_id}/reach?from=internet",
        f"/labs/{lab_id}/matrix?from=0&to=1",
        f"/labs/{lab_id}/handout",
    ]:
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<style\b|\sstyle\s*=", html), url
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), url
        assert "javascript:" not in html.lower(), url
    for script in re.findall(r'<script[^>]*\bsrc="([^"]+)"', client.get("/").text):
        assert script.startswith("/static/") or script == HTMX_CDN_URL, script


def test_the_topology_svg_escapes_a_hostile_lab_name(client: TestClient):
    lab_id = import_lab(
        client,
        b"vnetlab: 1\nname: 'x\" onload=\"alert(1)'\nhosts:\n  - name: '<img src=x onerror=alert(2)>'\n"
        b"    product: virtual_pc_2007\n    vms:\n      - name: \"v' onclick='alert(3)\"\n"
        b"        adapters: [{network: Local only}]\n",
    )
    response = client.get(f"/labs/{lab_id}/topology.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-security-policy"] == SVG_CSP
    root = ET.fromstring(response.text)  # well-formed XML
    elements = list(root.iter())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not [e for e in elements if any(name.lower().startswith("on") for name in e.attrib)]
    assert not [e for e in elements if e.tag.endswith("script")]
    texts = [e.text or "" for e in elements if e.tag.endswith("text")]
    assert f"{HOSTILE} — legend" in texts
    assert any(text.startswith("<img src=x onerror=alert(2)> — ") for text in texts)
    assert "v' onclick='alert(3)" in texts  # the VM's node
    assert root.attrib["aria-label"] == f"Diagram of {HOSTILE}"


def test_names_with_control_characters_never_reach_a_page_or_the_svg(client: TestClient):
    """XML cannot carry most control characters even escaped, and PostgreSQL refuses NUL: the document refuses
    them at the edge, so no page or picture ever has to show one."""
    response = client.post(
        "/api/v1/labs/import",
        content=json.dumps({"vnetlab": 1, "name": "a\u0001b\u001bc"}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert "control characters" in response.json()["detail"][0]["msg"]


def test_every_template_is_autoescaped_the_svg_included():
    env = pages.templates.env
    for name in ("canvas/parts.svg", "canvas/diagram.svg", "labs.html", "editor/workspace.html", "editor/parts.html"):
        assert env.autoescape is True or env.autoescape(name), name


def test_a_cross_site_post_to_delete_a_lab_is_refused_and_the_lab_survives(client: TestClient):
    lab_id = new_lab(client)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver.evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver:8080"},  # another port: another origin
    ):
        refused = client.post(f"/labs/{lab_id}/delete", headers=headers, follow_redirects=False)
        assert refused.status_code == 403, headers
        assert refused.headers["content-type"].startswith("text/html")
        assert "Refused: a change asked for by another site" in refused.text
        assert "This change was not made" in refused.text
        assert client.get(f"/api/v1/labs/{lab_id}").status_code == 200  # the lab survives
    same_origin = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    deleted = client.post(f"/labs/{lab_id}/delete", headers=same_origin, follow_redirects=False)
    assert deleted.status_code == 303
    assert client.get(f"/api/v1/labs/{lab_id}").status_code == 404


def test_requests_without_origin_and_the_api_are_not_refused(client: TestClient):
    assert client.post("/labs/new", data={"name": "scripted"}, follow_redirects=False).status_code == 303
    api = client.post("/api/v1/labs", json={"name": "from a script"}, headers={"Origin": "https://elsewhere.example"})
    assert api.status_code == 201, api.text
    # Reading is never refused, whoever links to it.
    assert client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_docs_are_served_from_the_vendored_swagger_ui_with_a_csp_for_its_start_up_script(client: TestClient):
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/swagger-ui-dist"]["version"].startswith("5.")
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.text
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    policy = directives(response.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert len(inline) == 1 and len(policy["script-src"]) == 2  # 'self' and that script's hash
    assert policy["script-src"][1].startswith("'sha256-")
    assert "'unsafe-inline'" not in policy["script-src"]
    assert client.get("/redoc").status_code == 404  # ReDoc would need its CDN


def test_designer_routes_run_in_worker_threads():
    """Routes that read the database, simulate or render must be plain `def` (FastAPI runs them in its
    threadpool); an `async def` would block the event loop for every other request."""
    routes = [route for r in (pages, canvas_routes) for route in r.router.routes if hasattr(route, "endpoint")]
    assert len(routes) >= 12
    for route in routes:
        assert not inspect.iscoroutinefunction(route.endpoint), route.path
