"""The designer's forms never answer 5xx, whatever is typed, tampered with or left out: a message next to the
field (or a flash), or a 422. The API's schemathesis run cannot see these routes, so hypothesis posts random
values to every POST route of app/web/pages.py here, in-process, against a temporary SQLite database."""

import json
import re
from collections.abc import Iterator
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from app.web import canvas_routes, pages
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
PART_LISTS = {"lan": "lans", "host": "hosts", "network": "networks", "vm": "vms", "adapter": "adapters"}

# Values people (and curious students) type: digits that are not ASCII, signs, sizes past every column, blanks.
NASTY = [
    "",
    " ",
    "²",  # "²".isdigit() is true, int("²") raises
    "¹⁰",
    "١٢",  # Arabic-Indic digits: int() reads them, the database should never see them
    "𝟗",
    "-1",
    "0",
    "1",
    "+1",
    "1.5",
    "1e3",
    "0x10",
    str(2**31 - 1),
    str(2**31),
    str(2**63),
    "9" * 40,
    "\x00",
    "a\tb",
    "*",
    '1", "*',
    "<script>alert(1)</script>",
    'x" onload="alert(1)',
    "192.168.0.1/24",
    "dhcp",
    "static",
]


@st.composite
def value(draw, realistic: list[str]) -> str:
    """Mostly the realistic (a valid id, the lab's version, an offered choice: the request gets past the
    first check) and the nasty; some random text and integers of any size."""
    roll = draw(st.integers(0, 9))
    if realistic and roll < 5:
        return draw(st.sampled_from(realistic))
    if roll < 8:
        return draw(st.sampled_from(NASTY))
    if roll < 9:
        return draw(st.text(max_size=30))
    return str(draw(st.integers(min_value=-(10**30), max_value=10**30)))


@st.composite
def reference(draw, real: list[str]) -> str:
    """A path segment: a real id or kind, now and then anything at all."""
    if real and draw(st.integers(0, 9)) < 8:
        return draw(st.sampled_from(real))
    return draw(value([]))


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    settings_ = Settings(
        admin_token=ADMIN_TOKEN, database_url=f"sqlite:///{tmp_path_factory.mktemp('forms')}/forms.db", offline=True
    )
    engine = make_engine(settings_)
    SQLModel.metadata.create_all(engine)
    # raise_server_exceptions: an exception in a route fails the example with its traceback.
    with TestClient(create_app(settings_, engine), headers=ADMIN_HEADERS) as test_client:
        yield test_client
    engine.dispose()


def designer_post_routes() -> set[str]:
    routes = [route for module in (pages, canvas_routes) for route in module.router.routes]
    return {route.path for route in routes if "POST" in getattr(route, "methods", set())}


COVERED = {
    "/labs/new",
    "/labs/import-file",
    "/labs/from-example",
    "/labs/{lab_id}/delete",
    "/labs/{lab_id}/attach",
    "/labs/{lab_id}/adapters/new",
    "/labs/{lab_id}/forms/{kind}",
    "/labs/{lab_id}/forms/{kind}/{part_id}",
    "/labs/{lab_id}/forms/{kind}/{part_id}/delete",
    "/labs/{lab_id}/move",
    "/labs/{lab_id}/tidy",
    "/labs/{lab_id}/rename",
    "/labs/{lab_id}/duplicate",
}


def test_the_fuzzer_covers_every_designer_post_route():
    assert designer_post_routes() == COVERED


def _fresh_lab(client: TestClient, example: Path) -> tuple[int, int, dict[str, list[int]]]:
    response = client.post(
        "/api/v1/labs/import", content=example.read_bytes(), headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 201, response.text
    lab = response.json()
    parts = {
        kind: [part["id"] for part in client.get(f"/api/v1/labs/{lab['id']}/{plural}").json()]
        for kind, plural in PART_LISTS.items()
    }
    return lab["id"], lab["version"], parts


NUMBERS = ["²", "١٢", "-1", "0", "59", "60", str(2**31 - 1), str(2**31), str(2**63), "9" * 40, "+1", " 7 ", "1e3"]
NUMERIC = "\x00numeric"  # a marker in a field's offered values: the field takes a number


def _form_fields(client: TestClient, url: str) -> dict[str, list[str]]:
    """The fields of the form panel a GET of `url` opens, with the values it offers (its value as shown, or
    a select's options)."""
    html = client.get(url).text
    start = html.find('class="panel form-panel"')
    panel = html[start : html.find("</aside>", start)] if start >= 0 else ""
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", panel):
        name = re.search(r'\bname="([^"]+)"', tag)
        shown = re.search(r'\bvalue="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = [html_unescape(shown.group(1) if shown else "")]
            if 'inputmode="numeric"' in tag:
                fields[name.group(1)].append(NUMERIC)
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', panel, flags=re.DOTALL):
        fields[select.group(1)] = [html_unescape(v) for v in re.findall(r'<option value="([^"]*)"', select.group(2))]
    return fields


@st.composite
def form_data(draw, fields: dict[str, list[str]]) -> dict[str, str]:
    """Either every field as offered but one (which is missing or nasty), or each field left out or drawn
    freely; now and then a field no form has. A number field is mostly given numbers in every shape."""

    def nasty(offered: list[str]) -> str:
        if NUMERIC in offered and draw(st.booleans()):
            return draw(st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**30), 10**30).map(str)))
        return draw(value([v for v in offered if v != NUMERIC]))

    names = sorted(fields)
    target = draw(st.sampled_from(names)) if names and draw(st.booleans()) else None
    data = {}
    for name in names:
        offered = [v for v in fields[name] if v != NUMERIC]
        if target is not None and name != target and offered:
            data[name] = draw(st.sampled_from(offered))
        elif draw(st.integers(0, 5)) > 0:  # else: missing
            data[name] = nasty(fields[name])
    if draw(st.integers(0, 3)) == 0:
        data[draw(st.sampled_from(["bogus", "host_id", "lab_id", "id"]))] = draw(value([]))
    return data


def fuzz(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain" phase
        derandomize=True,  # the same examples on every run and machine: CI never flakes on a new one
    )


PART_FORM_ROUTES = ["/labs/{lab_id}/forms/{kind}", "/labs/{lab_id}/forms/{kind}/{part_id}"]


@fuzz(examples=100)
@given(data=st.data())
def test_part_forms_never_answer_5xx(client: TestClient, data):
    """The editing forms, new and existing parts of every kind: mostly one field nasty and the rest as the
    form offered them, so that requests reach the schemas, the rules and the database."""
    example = data.draw(st.sampled_from(EXAMPLES), label="example")
    lab_id, version, parts = _fresh_lab(client, example)
    route = data.draw(st.sampled_from(PART_FORM_ROUTES), label="route")
    kind = data.draw(reference([k for k in PART_LISTS if parts[k] or k != "adapter"]), label="kind")
    part_ref = data.draw(reference([str(i) for i in parts.get(kind, [])]), label="part in path")
    if route.endswith("{part_id}"):
        url = f"/labs/{lab_id}/forms/{_quote(kind)}/{_quote(part_ref)}"
    else:
        parent = data.draw(st.sampled_from(parts["host"] or [1]), label="parent")
        url = f"/labs/{lab_id}/forms/{_quote(kind)}?parent={parent}"
    fields = _form_fields(client, url) if kind in PART_LISTS else {"name": []}
    fields.setdefault("version", [str(version)])
    body = data.draw(form_data(fields), label="form")
    _post_and_check(client, lab_id, route, str(lab_id), kind, part_ref, body)


@fuzz(examples=80)
@given(data=st.data())
def test_other_designer_posts_never_answer_5xx(client: TestClient, data):
    """Creating, importing and deleting labs; drops; new adapters; deleting parts."""
    example = data.draw(st.sampled_from(EXAMPLES), label="example")
    lab_id, version, parts = _fresh_lab(client, example)
    lab_ref = data.draw(reference([str(lab_id)]), label="lab in path")
    route = data.draw(st.sampled_from(sorted(COVERED - set(PART_FORM_ROUTES))), label="route")
    kind = data.draw(reference(list(PART_LISTS)), label="kind")
    part_ref = data.draw(reference([str(i) for i in parts.get(kind, [])]), label="part in path")
    realistic_version = [str(version)]
    files = None
    if route == "/labs/new":
        body = data.draw(form_data({"name": ["Week 3"]}), label="form")
    elif route == "/labs/import-file":
        body = {}
        content = data.draw(
            st.one_of(st.just(example.read_bytes()), st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
            label="file",
        )
        if data.draw(st.booleans(), label="send a file"):
            files = {"document": (data.draw(st.sampled_from(["lab.yaml", "lab.json", ""])), content)}
        else:
            body = data.draw(form_data({"document": []}), label="form")
    elif route == "/labs/from-example":
        body = data.draw(form_data({"example": [path.name for path in EXAMPLES]}), label="form")
    elif route == "/labs/{lab_id}/attach":
        fields = {
            "adapter_id": [str(i) for i in parts["adapter"]],
            "network_id": [str(i) for i in parts["network"]],
            "version": realistic_version,
        }
        body = data.draw(form_data(fields), label="form")
    elif route == "/labs/{lab_id}/adapters/new":
        body = data.draw(form_data({"vm_id": [str(i) for i in parts["vm"]], "version": realistic_version}), "form")
    elif route == "/labs/{lab_id}/move":
        fields = {
            "kind": ["vm", "host"],
            "part_id": [str(i) for i in parts["vm"] + parts["host"]],
            "x": ["120", "-40.5", NUMERIC],
            "y": ["80", "1e6", NUMERIC],
            "version": realistic_version,
        }
        body = data.draw(form_data(fields), label="form")
    elif route == "/labs/{lab_id}/rename":
        body = data.draw(form_data({"name": ["Week 4"], "version": realistic_version}), label="form")
    else:  # the lab's or a part's delete
        body = data.draw(form_data({"version": realistic_version}), label="form")
    _post_and_check(client, lab_id, route, lab_ref, kind, part_ref, body, files)


def _post_and_check(client, lab_id, route, lab_ref, kind, part_ref, body, files=None) -> None:
    path = route.replace("{lab_id}", lab_ref).replace("{kind}", kind).replace("{part_id}", part_ref)
    path = "/" + "/".join(_quote(piece) for piece in path.strip("/").split("/"))
    response = client.post(path, data=body, files=files, follow_redirects=False)
    assert response.status_code < 500, (path, body, response.text[:2000])
    after = client.get(f"/labs/{lab_id}")  # and nothing stored makes the lab's page fail afterwards
    assert after.status_code in (200, 404), (path, body, after.text[:2000])


def _quote(piece: str) -> str:
    return quote(piece, safe="") or "%20"


def _nasty_values(offered: list[str]) -> list[str | None]:
    """What one field of a form is given in the sweep below (None: left out)."""
    if NUMERIC in offered:
        return ["²", "-1", str(2**63)]
    if len(offered) > 1:  # a select
        return ["bogus"]
    return [None, "\x00"]


@pytest.mark.parametrize("example", EXAMPLES[:5], ids=lambda path: path.name[:2])
def test_every_field_of_every_form_refuses_nasty_values_without_5xx(client: TestClient, example: Path):
    """Deterministic, and deeper than the random runs: the first part of each kind, each field of its form
    in turn given a nasty value (or left out) while the others keep what the form showed."""
    lab_id, version, parts = _fresh_lab(client, example)
    for kind, ids in parts.items():
        for part_ref in ids[:1]:
            url = f"/labs/{lab_id}/forms/{kind}/{part_ref}"
            fields = _form_fields(client, url)
            assert fields, url  # the form panel was found and read
            shown = {name: next(v for v in offered if v != NUMERIC) for name, offered in fields.items()}
            for name, offered in fields.items():
                for nasty in _nasty_values(offered):
                    body = {**shown, "version": str(version)}
                    if nasty is None:
                        body.pop(name)
                    else:
                        body[name] = nasty
                    response = client.post(url, data=body)
                    assert response.status_code < 500, (url, body, response.text[:2000])
                    version = int(re.search(r'data-version="(\d+)"', response.text).group(1))  # a save bumps it


def _shown(client: TestClient, url: str) -> dict[str, str]:
    return {name: next(v for v in offered if v != NUMERIC) for name, offered in _form_fields(client, url).items()}


def _field_error(html: str, name: str) -> str:
    start = html.index(f'data-field="{name}"')
    end = html.find("data-field=", start + 1)
    found = re.search(r'class="field-error"[^>]*>([^<]*)<', html[start : end if end > 0 else None])
    return html_unescape(found.group(1)) if found else ""


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("²", "a whole number from 0 to 2147483647, in the digits 0–9"),
        ("١٢", "a whole number from 0 to 2147483647, in the digits 0–9"),
        ("-5", "a whole number from 0 to 2147483647, in the digits 0–9"),
        (str(2**31), "a whole number from 0 to 2147483647, in the digits 0–9"),
        ("9" * 40, "a whole number from 0 to 2147483647, in the digits 0–9"),
        ("30", "greater than or equal to 60"),
        ("ten", "a whole number from 0 to 2147483647, in the digits 0–9"),
    ],
)
def test_a_bad_number_gets_a_message_next_to_its_field(client: TestClient, typed: str, message: str):
    lab_id, _, parts = _fresh_lab(client, EXAMPLES[0])
    url = f"/labs/{lab_id}/forms/lan/{parts['lan'][0]}"
    response = client.post(url, data={**_shown(client, url), "dhcp_lease_seconds": typed})
    assert response.status_code == 200
    assert message in _field_error(response.text, "dhcp_lease_seconds")
    lan = client.get(f"/api/v1/labs/{lab_id}/lans/{parts['lan'][0]}").json()
    assert lan["dhcp"]["lease_seconds"] == 691200  # unchanged


def test_control_characters_and_unoffered_choices_get_a_message_next_to_their_field(client: TestClient):
    lab_id, _, parts = _fresh_lab(client, EXAMPLES[0])
    url = f"/labs/{lab_id}/forms/host/{parts['host'][0]}"
    response = client.post(url, data={**_shown(client, url), "name": "a\x00b", "product": "vmware"})
    assert "control characters" in _field_error(response.text, "name")
    assert "choose one of the listed values" in _field_error(response.text, "product")
    response = client.post(url, data={**_shown(client, url), "nic": "x" * 600})
    assert "at most 500 characters" in _field_error(response.text, "nic")


def test_a_version_that_is_not_one_is_taken_as_stale(client: TestClient):
    lab_id, _, parts = _fresh_lab(client, EXAMPLES[0])
    url = f"/labs/{lab_id}/forms/lan/{parts['lan'][0]}"
    for version in ("²", "*", '1", "*', "", str(2**70)):
        response = client.post(url, data={**_shown(client, url), "name": "Renamed", "version": version})
        assert response.status_code == 200 and "changed elsewhere" in response.text, version
    assert client.get(f"/api/v1/labs/{lab_id}/lans/{parts['lan'][0]}").json()["name"] == "Office LAN"


def test_drops_and_new_adapters_refuse_what_is_not_an_id(client: TestClient):
    lab_id, version, parts = _fresh_lab(client, EXAMPLES[0])
    adapter = str(parts["adapter"][0])
    drop = client.post(
        f"/labs/{lab_id}/attach", data={"adapter_id": adapter, "version": str(version), "network_id": "²"}
    )
    assert drop.status_code == 200 and "&#39;²&#39; is not a network id" in drop.text
    for bad in ("²", "-1", "0", str(2**31), "9" * 40, ""):
        assert client.post(f"/labs/{lab_id}/attach", data={"adapter_id": bad, "version": "1"}).status_code == 422
        new_adapter = client.post(f"/labs/{lab_id}/adapters/new", data={"vm_id": bad, "version": str(version)})
        assert new_adapter.status_code == 422
    huge = client.post(
        f"/labs/{lab_id}/attach", data={"adapter_id": adapter, "version": str(version), "network_id": "9" * 40}
    )
    assert huge.status_code == 200 and "is not a network id" in huge.text
    missing_parent = client.post(f"/labs/{lab_id}/forms/vm", data={"parent": "²", "name": "v", "version": "1"})
    assert missing_parent.status_code == 200 and "no such part" in missing_parent.text


def test_the_labs_page_explains_what_it_refused(client: TestClient):
    lab_id, _, _ = _fresh_lab(client, EXAMPLES[0])
    name = client.get(f"/api/v1/labs/{lab_id}").json()["name"]
    no_file = client.post("/labs/import-file", data={})
    assert no_file.status_code == 422 and "choose a lab document" in no_file.text
    no_example = client.post("/labs/from-example", data={})
    assert no_example.status_code == 422 and "choose an example" in no_example.text
    assert html_unescape(name) in html_unescape(no_example.text)  # the labs are still listed
    control = client.post("/labs/new", data={"name": "a\x00b"})
    assert control.status_code == 422 and "control characters" in control.text


def test_uploads_are_read_by_their_suffix_and_within_the_caps(client: TestClient, monkeypatch):
    def upload(name: str, content: bytes):
        document = {"document": (name, content, "application/octet-stream")}
        return client.post("/labs/import-file", files=document, follow_redirects=False)

    as_json = upload("lab.json", b'{"vnetlab": 1, "name": "from json"}')
    assert as_json.status_code == 303
    yaml_as_json = upload("lab.json", b"vnetlab: 1\nname: yaml\n")
    assert yaml_as_json.status_code == 422 and "not valid JSON" in yaml_as_json.text
    assert upload("lab.yaml", b"vnetlab: 1\nname: yaml\n").status_code == 303
    latin = upload("lab.yaml", "name: café".encode("latin-1"))
    assert latin.status_code == 422 and "lab.yaml is not UTF-8 text" in latin.text
    monkeypatch.setattr(client.app.state.settings, "max_lans", 1)
    lans = [{"name": "a", "subnet": "10.0.0.0/24"}, {"name": "b", "subnet": "10.0.1.0/24"}]
    over = upload("lab.json", json.dumps({"vnetlab": 1, "name": "x", "lans": lans}).encode())
    assert over.status_code == 422 and "2 LANs is over this server&#39;s cap of 1" in over.text
