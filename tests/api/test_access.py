"""Lab keys and the admin token (SPEC §12) through the API and the designer: who may read, who may change,
and that what is stored and logged cannot open a lab."""

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.access.logs import redact
from app.main import create_app
from tests.api.conftest import EXAMPLES, settings_for
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN, bearer

API = "/api/v1"
SEED = (EXAMPLES / "01-seed-virtual-pc.yaml").read_bytes()
YAML = {"Content-Type": "application/yaml"}
KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")  # 192 bits, URL-safe


def import_seed(client: TestClient) -> dict:
    made = client.post(f"{API}/labs/import", content=SEED, headers=YAML)
    assert made.status_code == 201, made.text
    return made.json()


def test_creating_and_importing_need_no_key_and_answer_two_keys_once(anyone):  # [AC]
    created = anyone.post(f"{API}/labs", json={"name": "Week 3"})
    imported = import_seed(anyone)
    assert created.status_code == 201
    for lab in (created.json(), imported):
        assert KEY.match(lab["keys"]["edit"]) and KEY.match(lab["keys"]["view"])
        assert lab["keys"]["edit"] != lab["keys"]["view"]
    assert created.json()["keys"] != imported["keys"]
    read = anyone.get(f"{API}/labs/{imported['id']}", headers=bearer(imported["keys"]["view"])).json()
    assert "keys" not in read  # answered once, at creation


def test_the_database_holds_no_key(anyone, engine):  # [AC] only hashes
    lab = import_seed(anyone)
    with engine.connect() as connection:
        stored = " ".join(
            str(row)
            for table in ("labs", "lab_keys", "lab_versions", "instance")
            for row in connection.execute(text(f"SELECT * FROM {table}")).all()
        )
    assert lab["keys"]["edit"] not in stored and lab["keys"]["view"] not in stored
    assert hashlib.sha256(lab["keys"]["edit"].encode()).hexdigest() in stored  # what it keeps instead


def test_no_key_401_wrong_key_404_view_key_on_a_write_403(anyone):  # [AC]
    lab = import_seed(anyone)
    other = import_seed(anyone)
    url = f"{API}/labs/{lab['id']}"
    no_key = anyone.get(url)
    assert no_key.status_code == 401 and no_key.headers["www-authenticate"] == "Bearer"
    assert "key" in no_key.json()["detail"]
    assert anyone.get(url, headers=bearer(other["keys"]["edit"])).status_code == 404
    assert anyone.get(url, headers=bearer("not-a-key")).status_code == 404
    missing = anyone.get(f"{API}/labs/999999", headers=bearer(lab["keys"]["edit"]))
    wrong = anyone.get(url, headers=bearer(other["keys"]["edit"]))
    assert missing.status_code == 404 and wrong.json()["detail"].replace(str(lab["id"]), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")  # a lab that is not there and one that the keys do not open look alike
    view = bearer(lab["keys"]["view"])
    for read in ("", "/document", "/simulation", "/versions", "/checks", "/vms"):
        assert anyone.get(url + read, headers=view).status_code == 200, read
    refused = anyone.patch(url, json={"name": "taken over"}, headers=view)
    assert refused.status_code == 403 and "edit key" in refused.json()["detail"]
    assert anyone.delete(url, headers=view).status_code == 403
    assert anyone.get(url, headers=view).json()["name"] == lab["name"]  # nothing changed
    renamed = anyone.patch(url, json={"name": "Week 4"}, headers=bearer(lab["keys"]["edit"]))
    assert renamed.status_code == 200 and renamed.json()["name"] == "Week 4"


def test_one_header_carries_many_keys(anyone):  # [AC] at least 64
    labs = [anyone.post(f"{API}/labs", json={"name": f"lab {n}"}).json() for n in range(3)]
    decoys = [f"decoy-{n:02d}-xxxxxxxxxxxxxxxxxxxxxxxx" for n in range(62)]
    keyring = bearer(*decoys, labs[0]["keys"]["view"], labs[1]["keys"]["edit"])
    assert anyone.get(f"{API}/labs/{labs[0]['id']}", headers=keyring).status_code == 200
    assert anyone.patch(f"{API}/labs/{labs[0]['id']}", json={"name": "x"}, headers=keyring).status_code == 403
    assert anyone.patch(f"{API}/labs/{labs[1]['id']}", json={"name": "y"}, headers=keyring).status_code == 200
    assert anyone.get(f"{API}/labs/{labs[2]['id']}", headers=keyring).status_code == 404
    listed = anyone.get(f"{API}/labs", headers=keyring)
    assert [lab["id"] for lab in listed.json()] == [labs[0]["id"], labs[1]["id"]]
    too_many = anyone.get(f"{API}/labs", headers=bearer(*(f"k{n}" for n in range(300))))
    assert too_many.status_code == 400 and too_many.json()["detail"][0]["loc"] == ["header", "Authorization"]
    assert anyone.get(f"{API}/labs", headers={"Authorization": "Basic abc"}).status_code == 400


def test_listing_labs_needs_keys_and_the_admin_token_lists_every_lab(anyone):  # [AC]
    mine, theirs = import_seed(anyone), import_seed(anyone)
    assert anyone.get(f"{API}/labs").status_code == 401
    assert [lab["id"] for lab in anyone.get(f"{API}/labs", headers=bearer(mine["keys"]["view"])).json()] == [mine["id"]]
    every = anyone.get(f"{API}/labs", headers=ADMIN_HEADERS).json()
    assert [lab["id"] for lab in every] == [mine["id"], theirs["id"]]


def test_the_admin_reads_a_labs_keys_and_nobody_else_does(anyone):  # [AC]
    lab = import_seed(anyone)
    url = f"{API}/labs/{lab['id']}/keys"
    assert anyone.get(url, headers=ADMIN_HEADERS).json() == lab["keys"]
    assert anyone.get(url, headers=bearer(lab["keys"]["edit"])).status_code == 403
    assert anyone.get(url).status_code == 401
    assert anyone.patch(f"{API}/labs/{lab['id']}", json={"name": "admin"}, headers=ADMIN_HEADERS).status_code == 200


def test_keys_made_with_another_admin_token_still_open_the_lab_but_are_not_shown(engine):
    first = settings_for(str(engine.url))
    with TestClient(create_app(first, engine)) as client:
        lab = import_seed(client)
    rotated = first.model_copy(update={"admin_token": type(first.admin_token)(ADMIN_TOKEN + "-rotated")})
    with TestClient(create_app(rotated, engine)) as client:
        assert client.get(f"{API}/labs/{lab['id']}", headers=bearer(lab["keys"]["edit"])).status_code == 200
        shown = client.get(f"{API}/labs/{lab['id']}/keys", headers=bearer(ADMIN_TOKEN + "-rotated"))
        assert shown.status_code == 409 and "another admin token" in shown.json()["detail"]


def test_a_copy_takes_either_key_and_has_keys_of_its_own(anyone):  # [AC]
    lab = import_seed(anyone)
    copy = anyone.post(f"{API}/labs/{lab['id']}/copy", headers=bearer(lab["keys"]["view"]))
    assert copy.status_code == 201
    own = copy.json()["keys"]
    assert own != lab["keys"]
    assert anyone.patch(
        f"{API}/labs/{copy.json()['id']}", json={"name": "mine"}, headers=bearer(own["edit"])
    ).is_success
    assert anyone.get(f"{API}/labs/{copy.json()['id']}", headers=bearer(lab["keys"]["edit"])).status_code == 404
    assert anyone.post(f"{API}/labs/{lab['id']}/copy").status_code == 401


def test_stateless_simulation_needs_no_key(anyone):
    simulated = anyone.post(f"{API}/simulate", content=SEED, headers=YAML)
    assert simulated.status_code == 200


def test_openapi_declares_the_bearer_keys(anyone):  # [AC] /docs gets its Authorize button
    schema = anyone.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["labKeys"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["labKeys"]["description"],
    }
    assert schema["paths"]["/api/v1/labs/{lab_id}"]["patch"]["security"] == [{"labKeys": []}]
    assert schema["paths"]["/api/v1/labs"]["get"]["security"] == [{"labKeys": []}]
    assert schema["paths"]["/api/v1/labs/import"]["post"]["security"] == []
    assert schema["paths"]["/api/v1/simulate"]["post"]["security"] == []


# The designer


def test_a_key_link_keeps_the_key_in_a_cookie_and_goes_to_the_clean_address(anyone):  # [AC]
    lab = import_seed(anyone)
    page = f"/labs/{lab['id']}"
    opened = anyone.get(f"{page}?key={lab['keys']['edit']}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == page
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith(f"vnetlab_lab_{lab['id']}={lab['keys']['edit']};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    shown = anyone.get(page)
    assert shown.status_code == 200 and lab["name"] in shown.text and 'data-mode="edit"' in shown.text
    labs = anyone.get("/").text
    assert f'href="/labs/{lab["id"]}"' in labs


def test_without_a_key_the_page_says_a_link_is_needed_and_shows_nothing_of_the_lab(anyone):  # [AC]
    lab = import_seed(anyone)
    page = anyone.get(f"/labs/{lab['id']}")
    assert page.status_code == 401
    assert "opens with a link that has its key" in page.text
    assert lab["name"] not in page.text and "host1" not in page.text
    wrong = anyone.get(f"/labs/{lab['id']}?key=guess", follow_redirects=True)
    assert wrong.status_code == 404 and "does not open this lab" in wrong.text
    assert lab["name"] not in anyone.get("/").text  # not among this browser's labs
    fragment = anyone.get(f"/labs/{lab['id']}/panel/lab", headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and lab["name"] not in fragment.text


def test_a_view_key_shows_the_lab_read_only_and_a_designer_change_gets_403(anyone):  # [AC]
    lab = import_seed(anyone)
    anyone.get(f"/labs/{lab['id']}?key={lab['keys']['view']}")
    page = anyone.get(f"/labs/{lab['id']}")
    assert page.status_code == 200 and 'data-mode="view"' in page.text
    posts = re.findall(r'hx-post="([^"]+)"', page.text)
    assert posts == [f"/labs/{lab['id']}/duplicate"]  # "Make my own copy": nothing else sends a change
    assert "<form" not in page.text and "History" not in page.text
    assert f'data-events="/labs/{lab["id"]}/events?since=1"' in page.text
    renamed = anyone.post(f"/labs/{lab['id']}/rename", data={"name": "taken over", "version": 1})
    assert renamed.status_code == 403
    deleted = anyone.post(f"/labs/{lab['id']}/delete")
    assert deleted.status_code == 403
    assert anyone.get(f"{API}/labs/{lab['id']}", headers=bearer(lab["keys"]["view"])).json()["version"] == 1


def test_opening_the_view_link_keeps_the_edit_key_this_browser_holds(anyone):
    lab = import_seed(anyone)
    anyone.get(f"/labs/{lab['id']}?key={lab['keys']['edit']}")
    anyone.get(f"/labs/{lab['id']}?key={lab['keys']['view']}")
    assert 'data-mode="edit"' in anyone.get(f"/labs/{lab['id']}").text


def test_designer_pages_take_bearer_keys_too(anyone):  # [AC]
    lab = import_seed(anyone)
    assert anyone.get(f"/labs/{lab['id']}", headers=bearer(lab["keys"]["view"])).status_code == 200


def test_the_admin_link_opens_every_lab_in_the_designer(anyone):  # [AC]
    lab = import_seed(anyone)
    assert anyone.get("/?key=wrong", follow_redirects=False).headers.get("set-cookie") is None
    anyone.get(f"/?key={ADMIN_TOKEN}")
    assert f'href="/labs/{lab["id"]}"' in anyone.get("/").text
    assert anyone.get(f"/labs/{lab['id']}").status_code == 200


def test_labs_made_in_the_designer_are_this_browsers(anyone):  # [AC] My labs
    made = anyone.post("/labs/new", data={"name": "Mine"}, follow_redirects=False)
    assert made.status_code == 303
    lab_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert "HttpOnly" in made.headers["set-cookie"]
    assert anyone.get(f"/labs/{lab_id}").status_code == 200
    assert ">Mine</a>" in anyone.get("/").text
    someone_else = import_seed(anyone)
    assert someone_else["name"] not in anyone.get("/").text


@pytest.mark.parametrize("written", ["+{id}", "{id}.0", "%20{id}", "{id}%20", "0000{id}", "%2B{id}"])
def test_a_lab_id_written_otherwise_is_still_checked(anyone, written):  # [AC] the guard reads ids as routes do
    lab = import_seed(anyone)
    lab_path = written.format(id=lab["id"])
    assert anyone.get(f"{API}/labs/{lab_path}").status_code == 401
    assert anyone.patch(f"{API}/labs/{lab_path}", json={"name": "taken"}).status_code == 401
    assert anyone.get(f"{API}/labs/{lab_path}/keys", headers=bearer(lab["keys"]["edit"])).status_code == 403
    assert anyone.get(f"/labs/{lab_path}").status_code == 401
    assert anyone.get(f"{API}/labs/{lab_path}", headers=bearer(lab["keys"]["view"])).json()["name"] == lab["name"]


def test_a_proxys_basic_login_does_not_hide_the_designers_cookie(anyone):
    lab = import_seed(anyone)
    anyone.get(f"/labs/{lab['id']}?key={lab['keys']['edit']}")
    basic = {"Authorization": "Basic dGVhY2hlcjpzZWNyZXQ="}
    assert anyone.get(f"/labs/{lab['id']}", headers=basic).status_code == 200
    assert anyone.get(f"{API}/labs/{lab['id']}", headers=basic).status_code == 400  # the API says what it takes


def test_the_admin_token_in_a_lab_link_is_kept_as_the_admin_token(anyone):
    lab = import_seed(anyone)
    opened = anyone.get(f"/labs/{lab['id']}?key={ADMIN_TOKEN}", follow_redirects=False)
    assert opened.headers["set-cookie"].startswith(f"vnetlab_admin={ADMIN_TOKEN};")


def test_keys_and_join_tokens_are_redacted_from_the_access_log():
    assert redact('"GET /labs/1?key=abc HTTP/1.1" 303') == '"GET /labs/1?key=[redacted] HTTP/1.1" 303'
    assert redact("/labs/1/document.yaml?ke%79=abc&format=yaml") == "/labs/1/document.yaml?ke%79=[redacted]&format=yaml"
    assert redact("/?%6Bey=abc") == "/?%6Bey=[redacted]"
    assert redact("/api/v1/assignments/s1EF2cKK/join") == "/api/v1/assignments/[redacted]/join"
    assert redact("/assignments/12/results?format=csv") == "/assignments/12/results?format=csv"
