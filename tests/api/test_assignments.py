"""Assignments (SPEC §12): made from a lab with goals, joined with the join token (no key) — each student gets a
copy of their own —, and results read with the lab's edit key, as JSON or CSV."""

import csv
import io

from tests.api.test_goals import GOALS, seed_with
from tests.keys import bearer

API = "/api/v1"


def lab_with_goals(client, goals=GOALS[:2]) -> dict:
    made = client.post(f"{API}/labs/import", json=seed_with(goals))
    assert made.status_code == 201, made.text
    return made.json()


def test_an_assignment_is_joined_by_students_who_each_get_their_own_copy(anyone):  # [AC]
    lab = lab_with_goals(anyone)
    teacher = bearer(lab["keys"]["edit"])
    made = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "Week 3: NAT"}, headers=teacher)
    assert made.status_code == 201, made.text
    assignment = made.json()
    assert assignment["student_link"].endswith(f"/assignments/{assignment['join_token']}")
    assert assignment["results_link"].endswith(f"/assignments/{assignment['id']}/results")
    ana = anyone.post(f"{API}/assignments/{assignment['join_token']}/join", json={"student": "Ana"})
    ben = anyone.post(f"{API}/assignments/{assignment['join_token']}/join", json={"student": " Ben "})
    assert ana.status_code == 201 and ben.status_code == 201, ana.text
    ana, ben = ana.json(), ben.json()
    assert ana["student"] == "Ana" and ben["student"] == "Ben"  # the name as written, trimmed
    assert ana["id"] != ben["id"] != lab["id"] and ana["keys"] != ben["keys"]
    # Ana's key opens Ana's copy only.
    assert anyone.get(f"{API}/labs/{ana['id']}", headers=bearer(ana["keys"]["edit"])).status_code == 200
    assert anyone.get(f"{API}/labs/{ben['id']}", headers=bearer(ana["keys"]["edit"])).status_code == 404
    assert anyone.get(f"{API}/labs/{lab['id']}", headers=bearer(ana["keys"]["edit"])).status_code == 404
    # The teacher's edit key views every copy, and changes none.
    assert anyone.get(f"{API}/labs/{ana['id']}/simulation", headers=teacher).status_code == 200
    assert anyone.patch(f"{API}/labs/{ana['id']}", json={"name": "x"}, headers=teacher).status_code == 403

    # Ana drags her local-only adapter onto the NAT network: her second goal now passes.
    ana_key = bearer(ana["keys"]["edit"])
    adapters = anyone.get(f"{API}/labs/{ana['id']}/adapters", headers=ana_key).json()
    nat = next(n for n in anyone.get(f"{API}/labs/{ana['id']}/networks", headers=ana_key).json() if n["kind"] == "nat")
    vms = {vm["name"]: vm["id"] for vm in anyone.get(f"{API}/labs/{ana['id']}/vms", headers=ana_key).json()}
    local = next(a for a in adapters if a["vm_id"] == vms["xp-local"])
    anyone.patch(f"{API}/labs/{ana['id']}/adapters/{local['id']}", json={"network_id": nat["id"]}, headers=ana_key)

    results = anyone.get(f"{API}/assignments/{assignment['id']}/results", headers=teacher)
    assert results.status_code == 200, results.text
    rows = results.json()
    assert [(r["student"], r["goals_passed"], r["goals_total"]) for r in rows] == [("Ana", 2, 2), ("Ben", 1, 2)]
    assert rows[0]["lab_id"] == ana["id"] and rows[0]["version"] == 2
    assert [c["passed"] for c in rows[1]["checks"]] == [True, False]

    table = anyone.get(f"{API}/assignments/{assignment['id']}/results?format=csv", headers=teacher)
    assert table.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert [(line["student"], line["passed"]) for line in lines] == [
        ("Ana", "yes"),
        ("Ana", "yes"),
        ("Ben", "yes"),
        ("Ben", "no"),
    ]


def test_who_may_make_assignments_and_read_results(anyone):  # [AC]
    lab = lab_with_goals(anyone)
    url = f"{API}/labs/{lab['id']}/assignments"
    assert anyone.post(url, json={"title": "t"}).status_code == 401
    assert anyone.post(url, json={"title": "t"}, headers=bearer(lab["keys"]["view"])).status_code == 403
    assert anyone.get(url, headers=bearer(lab["keys"]["view"])).status_code == 403  # it lists join tokens
    assignment = anyone.post(url, json={"title": "t"}, headers=bearer(lab["keys"]["edit"])).json()
    assert [a["id"] for a in anyone.get(url, headers=bearer(lab["keys"]["edit"])).json()] == [assignment["id"]]
    results = f"{API}/assignments/{assignment['id']}/results"
    assert anyone.get(results).status_code == 401
    assert anyone.get(results, headers=bearer(lab["keys"]["view"])).status_code == 403
    student = anyone.post(f"{API}/assignments/{assignment['join_token']}/join", json={"student": "Eve"}).json()
    assert anyone.get(results, headers=bearer(student["keys"]["edit"])).status_code == 404
    assert anyone.get(f"{API}/assignments/999/results", headers=bearer(lab["keys"]["edit"])).status_code == 404


def test_bad_assignments_and_joins_are_refused_at_their_fields(anyone):  # [AC]
    plain = anyone.post(f"{API}/labs", json={"name": "no goals"}).json()
    refused = anyone.post(
        f"{API}/labs/{plain['id']}/assignments", json={"title": "t"}, headers=bearer(plain["keys"]["edit"])
    )
    assert refused.status_code == 422 and "no goals" in refused.json()["detail"][0]["msg"]
    lab = lab_with_goals(anyone)
    edit = bearer(lab["keys"]["edit"])
    blank = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "  "}, headers=edit)
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"] == ["body", "title"]
    token = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "t"}, headers=edit).json()["join_token"]
    for name, where in (("", "student"), ("a\u0000b", "student"), ("x" * 101, "student")):
        answer = anyone.post(f"{API}/assignments/{token}/join", json={"student": name})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", where], name
    assert anyone.post(f"{API}/assignments/not-a-token/join", json={"student": "Ana"}).status_code == 404


def test_a_formula_for_a_name_stays_text_in_the_csv(anyone):
    lab = lab_with_goals(anyone)
    edit = bearer(lab["keys"]["edit"])
    assignment = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "t"}, headers=edit).json()
    anyone.post(f"{API}/assignments/{assignment['join_token']}/join", json={"student": "=HYPERLINK(1)"})
    table = anyone.get(f"{API}/assignments/{assignment['id']}/results?format=csv", headers=edit).text
    assert "'=HYPERLINK(1)" in table


def test_students_are_checked_against_the_assignments_goals_not_their_copys(anyone):  # [AC]
    lab = lab_with_goals(anyone)
    teacher = bearer(lab["keys"]["edit"])
    assignment = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "t"}, headers=teacher).json()
    token = assignment["join_token"]
    eve = anyone.post(f"{API}/assignments/{token}/join", json={"student": "Eve"}).json()
    eve_key = bearer(eve["keys"]["edit"])
    # Eve replaces her copy's goals with one she already meets, and deletes the VM the other goal names.
    document = anyone.get(f"{API}/labs/{eve['id']}/document", headers=eve_key).json()
    document["goals"] = [{"reach": ["vm:host1/xp-nat", "internet"]}]
    host = document["hosts"][0]
    host["vms"] = [vm for vm in host["vms"] if vm["name"] != "xp-local"]
    assert anyone.put(f"{API}/labs/{eve['id']}/document", json=document, headers=eve_key).status_code == 200
    anyone.post(f"{API}/assignments/{token}/join", json={"student": "Finn"})
    results = anyone.get(f"{API}/assignments/{assignment['id']}/results", headers=teacher).json()
    assert [(r["student"], r["goals_passed"], r["goals_total"]) for r in results] == [("Eve", 1, 2), ("Finn", 1, 2)]
    assert results[0]["checks"][1]["detail"] == "vm:host1/xp-local is not in this lab"
    assert anyone.get(f"/assignments/{assignment['id']}/results", headers=teacher).status_code == 200


def test_a_long_lab_name_leaves_room_for_the_students_name(anyone):
    data = seed_with(GOALS[:1])
    data["name"] = "x" * 100
    lab = anyone.post(f"{API}/labs/import", json=data).json()
    teacher = bearer(lab["keys"]["edit"])
    token = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "t"}, headers=teacher).json()[
        "join_token"
    ]
    copy = anyone.post(f"{API}/assignments/{token}/join", json={"student": "Ana"}).json()
    assert copy["name"].endswith(" · Ana") and len(copy["name"]) == 100


def test_results_say_the_same_of_a_missing_assignment_and_a_closed_one(anyone):
    lab = lab_with_goals(anyone)
    teacher = bearer(lab["keys"]["edit"])
    assignment = anyone.post(f"{API}/labs/{lab['id']}/assignments", json={"title": "t"}, headers=teacher).json()
    closed = anyone.get(f"{API}/assignments/{assignment['id']}/results", headers=bearer("guess"))
    missing = anyone.get(f"{API}/assignments/999/results", headers=bearer("guess"))
    assert closed.status_code == missing.status_code == 404
    assert closed.json()["detail"].replace(str(assignment["id"]), "N") == missing.json()["detail"].replace("999", "N")
    assert anyone.get(f"{API}/assignments/{assignment['id']}/results").status_code == 401
