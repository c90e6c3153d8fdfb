"""The fast result JSON is written from pieces that recur from row to row (a source's first steps, a target's
last steps, a failure's start): whatever is shared or not, it is the result model's own JSON [RES]."""

import json
from typing import Any

from pydantic import TypeAdapter

from app.engine.loading import lab_from_data
from app.engine.reachability import MAX_SHOWN_STEPS, Outcome
from app.engine.result import Reachability
from app.engine.simulate import _FAILURES_KEPT, Simulation, _reachability_row, _RowWriter
from bench.labs import ics_chain
from bench.shapes import many_networks

ODD = ' "é\\𝄞'  # a quote, a backslash and characters beyond ASCII: JSON escapes some, UTF-8 keeps the others


def _model_json(data: dict[str, Any]) -> str:
    return Simulation(lab_from_data(data)).result().to_json(indent=None)


def _odd_names(data: dict[str, Any]) -> dict[str, Any]:
    host = data["hosts"][0]
    for vm in host["vms"]:
        vm["name"] += ODD
    for network in host["networks"][1:]:  # all but the external uplink
        network["name"] += ODD
    for vm in host["vms"]:
        for adapter in vm["adapters"]:
            if adapter["network"] != "Uplink":
                adapter["network"] += ODD
    return data


def _elided_paths(text: str) -> list[list[str]]:
    paths = [row["path"] for row in json.loads(text)["reachability"]]
    return [path for path in paths if len(path) == MAX_SHOWN_STEPS and path[20].endswith(" more steps …")]


def test_a_long_ics_chain_is_the_result_model_json():
    data = ics_chain(50)
    text = Simulation(lab_from_data(data)).result_json()
    assert text == _model_json(data)
    assert len({path[0] for path in _elided_paths(text)}) > 1  # long paths from several sources


def test_a_long_ics_chain_with_names_json_escapes_is_the_result_model_json():
    data = _odd_names(ics_chain(45))
    text = Simulation(lab_from_data(data)).result_json()
    assert text == _model_json(data)
    elided = _elided_paths(text)
    assert '\\"é\\\\𝄞' in text
    assert elided and all(ODD in path[0] for path in elided) and any(ODD in path[-1] for path in elided)


def test_long_paths_that_end_differently_at_one_target_are_the_result_model_json():
    data = ics_chain(20)
    other = ics_chain(20)["hosts"][0]  # a second chain of gateways out to the same LAN
    other["name"] = "vs2"
    data["hosts"].append(other)
    text = Simulation(lab_from_data(data)).result_json()
    assert text == _model_json(data)
    to_lan = [row["path"] for row in json.loads(text)["reachability"] if row["to"] == "lan:LAN"]
    elided = [path for path in to_lan if len(path) == MAX_SHOWN_STEPS and path[20].endswith(" more steps …")]
    assert len({tuple(path[21:]) for path in elided}) == 2  # one ending per chain


def test_a_long_ics_chain_built_on_its_previous_version_is_the_result_model_json():
    data = ics_chain(48)
    _, rows = Simulation(lab_from_data(data)).result_json_after(None)
    data["hosts"][0]["vms"][-1]["adapters"][0]["network"] = "net30"  # the deepest client moves up the chain
    after = lab_from_data(data)
    incremental, _ = Simulation(after).result_json_after(rows)
    assert incremental == Simulation(after).result().to_json(indent=None)


def test_more_failures_than_are_kept_is_the_result_model_json():
    data = many_networks(70, 70)  # every VM alone on its network: each pair fails with its own message
    text = Simulation(lab_from_data(data)).result_json()
    assert text == _model_json(data)
    messages = {row["reason"]["message"] for row in json.loads(text)["reachability"] if row["reason"]}
    assert len(messages) > _FAILURES_KEPT


def test_a_failure_whose_details_cannot_be_a_key_is_written_as_the_model_writes_it():
    writer = _RowWriter(["vm:a", "vm:b"])
    outcome = Outcome(False, None, "not_connected", ("a NIC 1",), "not_connected", (["a", "list"],))
    expected = TypeAdapter(Reachability).dump_json(_reachability_row("vm:a", "vm:b", outcome), by_alias=True)
    assert writer.row("vm:a", "vm:b", outcome) == expected.decode()
