"""Goals (SPEC §3, §12): written in the lab document, validated like the rest of it, kept with the lab, and
checked against what the engine works out — `GET /labs/{id}/checks`, as JSON or JUnit XML."""

import xml.etree.ElementTree as ET

import yaml

from tests.api.conftest import EXAMPLES

API = "/api/v1"


def seed_with(goals: list) -> dict:
    data = yaml.safe_load((EXAMPLES / "01-seed-virtual-pc.yaml").read_text(encoding="utf-8"))
    return {**data, "goals": goals}


GOALS = [
    {"name": "NAT guest goes out", "reach": ["vm:host1/xp-nat", "internet"]},
    {"reach": ["vm:host1/xp-local", "internet"]},  # APIPA: never routed
    {"no_reach": ["internet", "vm:host1/xp-nat"]},  # NAT keeps the outside out
    {"address": "host1/xp-nat#1", "source": "dhcp", "in": "192.168.131.0/24"},
    {"address": "host1/xp-local#1", "in": "192.168.11.0/24"},
    {"no_warnings": ["duplicate_ip", "duplicate_mac"]},
]


def test_goals_are_kept_with_the_lab_and_checked(client):  # [AC] goals
    lab = client.post(f"{API}/labs/import", json=seed_with(GOALS))
    assert lab.status_code == 201, lab.text
    lab_id = lab.json()["id"]
    assert client.get(f"{API}/labs/{lab_id}/document").json()["goals"] == GOALS  # as written, `in` included
    checks = client.get(f"{API}/labs/{lab_id}/checks")
    assert checks.status_code == 200 and checks.headers["ETag"] == '"1"'
    found = checks.json()
    assert [c["passed"] for c in found] == [True, False, True, True, False, True]
    assert [c["goal"] for c in found] == GOALS and found[0]["name"] == "NAT guest goes out"
    assert found[0]["detail"] == "reachable via nat"
    assert "link-local" in found[1]["detail"] and "[LL-4]" in found[1]["detail"]
    assert found[4]["detail"].startswith("169.254.") and found[4]["detail"].endswith("(apipa): not in 192.168.11.0/24")


def test_checks_follow_every_change(client):
    lab_id = client.post(f"{API}/labs/import", json=seed_with(GOALS[:2])).json()["id"]
    adapters = client.get(f"{API}/labs/{lab_id}/adapters").json()
    nat = next(n for n in client.get(f"{API}/labs/{lab_id}/networks").json() if n["kind"] == "nat")
    local = next(a for a in adapters if a["vm_id"] == adapters[0]["vm_id"])
    client.patch(f"{API}/labs/{lab_id}/adapters/{local['id']}", json={"network_id": nat["id"]})
    assert [c["passed"] for c in client.get(f"{API}/labs/{lab_id}/checks").json()] == [True, True]


def test_checks_as_junit_xml(client):
    lab_id = client.post(f"{API}/labs/import", json=seed_with(GOALS[:2])).json()["id"]
    answer = client.get(f"{API}/labs/{lab_id}/checks?format=junit")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    suite = ET.fromstring(answer.text)
    assert (suite.tag, suite.attrib["tests"], suite.attrib["failures"]) == ("testsuite", "2", "1")
    cases = suite.findall("testcase")
    assert [case.attrib["name"] for case in cases] == ["NAT guest goes out", "vm:host1/xp-local reaches internet"]
    assert cases[0].find("failure") is None and cases[1].find("failure") is not None


def test_a_goal_naming_what_is_not_in_the_lab_is_refused_at_its_field(client):
    misnamed = seed_with([{"reach": ["vm:host1/nobody", "internet"]}, {"address": "host1/xp-nat#2", "source": "dhcp"}])
    answer = client.post(f"{API}/labs/import", json=misnamed)
    assert answer.status_code == 422
    problems = {tuple(p["loc"]): p["msg"] for p in answer.json()["detail"]}
    assert "no endpoint 'vm:host1/nobody' in this lab" in problems[("body", "goals", 0, "reach", 0)]
    assert "no adapter 'host1/xp-nat#2' in this lab" in problems[("body", "goals", 1, "address")]
    malformed = seed_with([{"address": "host1/xp-nat#1"}, {"sometimes": ["a", "b"]}])
    answer = client.post(f"{API}/labs/import", json=malformed)
    assert answer.status_code == 422
    problems = {tuple(p["loc"])[:3]: p["msg"] for p in answer.json()["detail"]}
    assert "say what the address must be" in problems[("body", "goals", 0)]  # nothing to check
    assert "a goal is one of" in problems[("body", "goals", 1)]
    assert client.get(f"{API}/labs/999999/checks").status_code == 404


def test_a_lab_without_goals_has_no_checks(client):
    lab_id = client.post(f"{API}/labs", json={"name": "empty"}).json()["id"]
    assert client.get(f"{API}/labs/{lab_id}/checks").json() == []
