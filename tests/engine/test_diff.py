"""The semantic diff between two lab documents and their results [H]."""

import copy

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.engine.diff import DocumentChange, diff_labs, document_changes, summarize
from app.engine.loading import LabDocumentError, lab_from_data
from app.engine.simulate import Simulation
from tests.engine.helpers import NAT, lab, office_lan, run, vm, vpc
from tests.engine.test_properties import _mutated, labs, valid


def seed() -> dict:
    return lab(vpc(vm("xp-off", None), vm("xp-nat", NAT), vm("two", NAT, None)))


def changed(edit) -> tuple[dict, dict]:
    before = run(seed()).lab.to_data()
    after = copy.deepcopy(before)
    edit(after)
    return before, after


def test_paths_name_parts_and_number_adapters():  # [H]
    before, after = changed(lambda d: d["hosts"][0]["vms"][0]["adapters"][0].update(network=NAT))
    (change,) = document_changes(before, after)
    assert change.path == ("hosts", "host1", "vms", "xp-off", "adapters", "1", "network")
    assert change.op == "added" and change.after == NAT
    assert change.pointer == "/hosts/host1/vms/xp-off/adapters/1/network"
    assert summarize([change]) == f"xp-off: not connected → {NAT}"


def test_pointer_escapes_slash_and_tilde():  # RFC 6901
    assert DocumentChange(("hosts", "a/b~c"), "removed", {}, None).pointer == "/hosts/a~1b~0c"


def test_a_part_that_only_changed_its_name_is_a_rename():
    before, after = changed(lambda d: d["hosts"][0]["vms"][1].update(name="xp-nat2"))
    (change,) = document_changes(before, after)
    assert (change.pointer, change.op, change.before, change.after) == (
        "/hosts/host1/vms/xp-nat/name",
        "changed",
        "xp-nat",
        "xp-nat2",
    )
    assert summarize([change]) == "renamed VM xp-nat → xp-nat2"


def test_moving_a_vm_in_the_list_is_no_change():
    before, after = changed(lambda d: d["hosts"][0]["vms"].reverse())
    assert document_changes(before, after) == []
    assert summarize([]) == "no change"


def test_deleted_parts_say_what_went_with_them():
    before, after = changed(lambda d: d["hosts"].clear())
    (change,) = document_changes(before, after)
    assert change.op == "removed" and summarize([change]) == "deleted host host1 (3 VMs)"


def test_second_adapter_is_numbered_and_many_changes_are_counted():
    def edit(d):
        d["hosts"][0]["vms"][2]["adapters"][1]["network"] = "Local only"
        d["hosts"][0]["vms"][0]["os"] = "windows_7"
        d["name"] = "renamed"
        d["description"] = "week 2"

    text = summarize(document_changes(*changed(edit)))
    assert text == "name test lab → renamed; xp-off: os set to windows_7; and 2 more changes"
    (only,) = document_changes(*changed(lambda d: d["hosts"][0]["vms"][2]["adapters"][1].update(network="Local only")))
    assert summarize([only]) == "two#2: not connected → Local only"


def test_diff_of_results_lists_adapters_and_pairs():  # [H]
    before, after = changed(lambda d: d["hosts"][0]["vms"][0]["adapters"][0].update(network=NAT))
    found = diff_labs(before, after, run(before), run(after))
    # xp-off comes first in document order: it takes the NAT's first address and the others move up one [NAT-2]
    assert [(a.adapter, a.after["ip"]) for a in found.adapters] == [
        ("host1/xp-off#1", "192.168.131.64"),
        ("host1/xp-nat#1", "192.168.131.65"),
        ("host1/two#1", "192.168.131.66"),
    ]
    assert found.adapters[0].before == {"network": None, "ip": None, "source": "none"}
    assert found.summary == f"xp-off: not connected → {NAT}; 3 addresses changed"
    detached = diff_labs(after, before, run(after), run(before))
    assert detached.adapters[0].after == {"network": None, "ip": None, "source": "none"}
    with_lan = lab(vpc(vm("a", None), lan="LAN"), lans=[office_lan(name="LAN")])
    attached = copy.deepcopy(with_lan)
    attached["hosts"][0]["vms"][0]["adapters"][0]["network"] = NAT
    gained = diff_labs(with_lan, attached, run(with_lan), run(attached))
    assert ("vm:host1/a", "internet") in gained.gained and gained.lost == [] and gained.pairs_listed
    lost = diff_labs(attached, with_lan, run(attached), run(with_lan))
    assert lost.lost == gained.gained and lost.gained == []


def test_pairs_are_not_compared_over_the_pair_list_cap():  # [RES] 300 endpoints
    big = lab(vpc(*(vm(f"v{i}", "Local only") for i in range(310))))
    simulation = run(big)
    assert simulation.result().reachability is None
    found = diff_labs(simulation.lab.to_data(), simulation.lab.to_data(), simulation, simulation)
    assert not found.pairs_listed and found.summary.endswith("pairs not compared (over the pair-list cap)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(labs(), st.integers(min_value=0, max_value=10_000))
def test_pairs_gained_and_lost_equal_comparing_every_pair(data, choice):  # [H] the selective comparison is exact
    before = valid(data)
    after = _validates_or_skip(_mutated(data, choice))
    was, now = Simulation(before), Simulation(after)
    found = diff_labs(before.to_data(), after.to_data(), was, now)
    if len(now.endpoints) > 300 or len(was.endpoints) > 300:
        assert not found.pairs_listed
        return
    reached = {(s, t) for s, t, outcome in Simulation(before).reachability.all_pairs() if outcome.reachable}
    reaches = {(s, t) for s, t, outcome in Simulation(after).reachability.all_pairs() if outcome.reachable}
    assert found.gained == sorted(reaches - reached) and found.lost == sorted(reached - reaches)


def _validates_or_skip(data: dict):
    try:
        return lab_from_data(data)
    except LabDocumentError:
        assume(False)
        raise
