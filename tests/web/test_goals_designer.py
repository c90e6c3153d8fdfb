"""The editor's goals (SPEC §12) through its own routes: added and removed as changes (history, undo), refused
with the reason when they name what the lab does not have, and only with the edit key."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app

HTMX = {"HX-Request": "true"}


@pytest.fixture
def browser(tmp_path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/goals.db", offline=True)
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    with TestClient(create_app(settings, engine)) as client:
        yield client
    engine.dispose()


def open_seed(client: TestClient) -> int:
    made = client.post("/labs/from-example", data={"example": "01-seed-virtual-pc.yaml"}, follow_redirects=False)
    return int(made.headers["location"].rsplit("/", 1)[1])


def goals_of(client: TestClient, lab_id: int) -> list[tuple[str, str]]:
    page = client.get(f"/labs/{lab_id}").text
    return re.findall(r'<li class="goal (pass|fail)"[^>]*>.*?<strong>([^<]+)</strong>', page, flags=re.DOTALL)


def test_add_and_remove_goals_as_changes(browser):
    lab_id = open_seed(browser)
    added = browser.post(
        f"/labs/{lab_id}/goals",
        data={"version": 1, "kind": "reach", "from": "vm:host1/xp-nat", "to": "internet"},
        headers=HTMX,
    )
    assert added.status_code == 200 and 'data-passed="yes"' in added.text
    browser.post(
        f"/labs/{lab_id}/goals",
        data={"version": 2, "kind": "address", "from": "host1/xp-local#1", "to": "192.168.11.0/24"},
        headers=HTMX,
    )
    assert goals_of(browser, lab_id) == [
        ("pass", "vm:host1/xp-nat reaches internet"),
        ("fail", "host1/xp-local#1 gets an address in 192.168.11.0/24"),
    ]
    document = browser.get(f"/labs/{lab_id}/document.yaml").text
    assert "in: 192.168.11.0/24" in document
    browser.post(f"/labs/{lab_id}/goals/0/delete", data={"version": 3}, headers=HTMX)
    assert goals_of(browser, lab_id) == [("fail", "host1/xp-local#1 gets an address in 192.168.11.0/24")]
    history = browser.get(f"/labs/{lab_id}/history").text
    assert "removed goal: vm:host1/xp-nat reaches internet" in history
    browser.post(f"/labs/{lab_id}/undo", data={"version": 4}, headers=HTMX)
    assert len(goals_of(browser, lab_id)) == 2


def test_a_goal_naming_what_the_lab_lacks_is_refused_with_the_reason(browser):
    lab_id = open_seed(browser)
    refused = browser.post(
        f"/labs/{lab_id}/goals",
        data={"version": 1, "kind": "no_reach", "from": "vm:host1/nobody", "to": "internet"},
        headers=HTMX,
    )
    assert "The goal was not added: no endpoint &#39;vm:host1/nobody&#39; in this lab" in refused.text
    empty = browser.post(f"/labs/{lab_id}/goals", data={"version": 1, "kind": "reach", "to": "x"}, headers=HTMX)
    assert "from: fill it in" in empty.text
    assert goals_of(browser, lab_id) == []
    missing = browser.post(f"/labs/{lab_id}/goals/5/delete", data={"version": 1}, headers=HTMX)
    assert missing.status_code == 200 and "this lab has no goal 6" in missing.text


def test_a_view_key_cannot_add_or_remove_goals(browser):
    lab_id = open_seed(browser)
    keys = browser.get(f"/labs/{lab_id}/panel/share", headers=HTMX).text
    view_link = re.search(r'id="view-link" value="([^"]+)"', keys).group(1).replace("&amp;", "&")
    with TestClient(browser.app) as viewer:
        viewer.get(view_link.split("testserver", 1)[1])
        page = viewer.get(f"/labs/{lab_id}").text
        assert 'data-mode="view"' in page and "goal-form" not in page
        refused = viewer.post(
            f"/labs/{lab_id}/goals", data={"version": 1, "kind": "reach", "from": "vm:host1/xp-nat", "to": "internet"}
        )
        assert refused.status_code == 403
    assert goals_of(browser, lab_id) == []
