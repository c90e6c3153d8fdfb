"""Reading documents: JSON by the JSON parser, YAML by libyaml; aliases, nesting, repeated keys and size caps
are refused with a message before any part is validated."""

import json
import time

import pytest

from app.engine.caps import DocumentCaps
from app.engine.loading import (
    MAX_ALIAS_EXPANSION,
    MAX_LISTED_PROBLEMS,
    DocumentFormat,
    DocumentOverCaps,
    LabDocumentError,
    format_for_path,
    lab_from_data,
    lab_from_text,
)
from tests.engine.helpers import lab, vm


def refusal(text: str, fmt: DocumentFormat = DocumentFormat.YAML) -> str:
    with pytest.raises(LabDocumentError) as caught:
        lab_from_text(text, fmt)
    return str(caught.value)


def alias_bomb(width: int) -> str:
    """A few kilobytes naming width × width VMs: every host lists the same VMs through one alias."""
    vms = ", ".join(f"{{name: v{i}, adapters: [{{network: Local only}}]}}" for i in range(width))
    hosts = "".join(f"  - {{name: h{i}, product: virtual_pc_2007, vms: *vms}}\n" for i in range(1, width))
    return f"vnetlab: 1\nname: bomb\nhosts:\n  - {{name: h0, product: virtual_pc_2007, vms: &vms [{vms}]}}\n{hosts}"


def test_aliases_that_multiply_the_document_are_refused_at_once():
    started = time.perf_counter()
    message = refusal(alias_bomb(200))
    assert f"repeat more than {MAX_ALIAS_EXPANSION:,} values" in message
    assert time.perf_counter() - started < 1  # refused from the node graph, not after building 40,000 VMs


def test_a_few_aliases_are_fine():
    text = "vnetlab: 1\nname: ok\nlans:\n  - {name: a, subnet: 10.0.0.0/24, dns_servers: &dns [10.0.0.2]}\n"
    text += "  - {name: b, subnet: 10.0.1.0/24, dns_servers: *dns}\n"
    doc = lab_from_text(text)
    assert [str(ip) for ip in doc.lans[1].dns_servers] == ["10.0.0.2"]


def test_an_alias_inside_itself_is_refused():
    assert "refers to the value that contains it" in refusal("vnetlab: 1\nname: &n [*n]\n")


@pytest.mark.parametrize(
    ("fmt", "depth"), [(DocumentFormat.YAML, 200), (DocumentFormat.YAML, 50_000), (DocumentFormat.JSON, 50_000)]
)
def test_deep_nesting_is_refused(fmt, depth):
    message = refusal("[" * depth + "]" * depth, fmt)
    assert "nested more than 64 levels" in message or "maximum nesting depth" in message  # libyaml's own limit


def test_repeated_keys_are_refused_not_silently_dropped():
    assert 'key "name" appears twice' in refusal('{"vnetlab": 1, "name": "a", "name": "b"}', DocumentFormat.JSON)
    assert 'line 3, column 1: key "name" appears twice' in refusal("vnetlab: 1\nname: a\nname: b\n")


def test_json_is_read_by_the_json_parser():
    assert "line 1, column 15: not valid JSON" in refusal('{"vnetlab": 1,}', DocumentFormat.JSON)
    # YAML-only syntax is not JSON
    assert "not valid JSON" in refusal("vnetlab: 1\nname: x\n", DocumentFormat.JSON)
    assert lab_from_text('{"vnetlab": 1, "name": "x"}', DocumentFormat.JSON).name == "x"


def test_broken_yaml_names_the_line():
    assert "line 3, column 1: not valid YAML" in refusal("vnetlab: 1\nname: [broken\n")


def test_file_suffix_chooses_the_parser():
    assert format_for_path("lab.JSON") == DocumentFormat.JSON
    assert format_for_path("lab.yaml") == format_for_path("lab.yml") == format_for_path("lab") == DocumentFormat.YAML


@pytest.mark.parametrize(
    ("data", "place", "words"),
    [
        ({"lans": [{"name": f"l{i}"} for i in range(4)]}, "lans", "4 LANs is over this server's cap of 3"),
        ({"hosts": [{"name": f"h{i}"} for i in range(4)]}, "hosts", "4 hosts is over this server's cap of 3"),
        (
            {"hosts": [{"name": "h", "networks": [{}] * 4}]},
            "hosts[0].networks",
            "4 networks is over this server's cap of 3 (VNETLAB_MAX_NETWORKS_PER_HOST)",
        ),
        (
            {"hosts": [{"name": "h", "vms": [{}] * 2}, {"name": "g", "vms": [{}] * 2}]},
            "hosts",
            "4 VMs in all hosts together is over this server's cap of 3 (VNETLAB_MAX_VMS)",
        ),
        ({"goals": [{}] * 4}, "goals", "4 goals is over this server's cap of 3"),
    ],
)
def test_caps_name_the_cap_and_the_count(data, place, words):
    caps = DocumentCaps(lans=3, hosts=3, networks_per_host=3, vms=3, goals=3)
    with pytest.raises(DocumentOverCaps) as caught:
        lab_from_data({"vnetlab": 1, "name": "big", **data}, caps)
    assert [e.path for e in caught.value.errors if words in e.message] == [place]


def test_adapters_beyond_the_products_limit_are_refused_before_validation():
    host = {"name": "h", "product": "hyper_v", "vms": [{"name": "v", "adapters": [{"network": "x"}] * 3000}]}
    with pytest.raises(DocumentOverCaps) as caught:
        lab_from_data(lab(host))
    [error] = caught.value.errors
    assert error.path == "hosts[0].vms[0].adapters"
    assert error.message == "Hyper-V gives a VM at most 8 network adapters, not 3,000"


def test_at_most_a_hundred_problems_are_listed_then_how_many_more():
    host = {"name": "vs", "product": "virtual_server_2005_r2", "vms": [vm(f"v{i}", "nowhere") for i in range(250)]}
    with pytest.raises(LabDocumentError) as caught:
        lab_from_data(lab(host))
    assert len(caught.value.errors) == 250
    errors = caught.value.shown()
    assert len(errors) == MAX_LISTED_PROBLEMS + 1
    assert errors[-1].message == "… and 150 more problems"


def test_json_and_yaml_documents_are_equal():
    data = lab({"name": "h", "product": "virtual_pc_2007", "vms": [vm("xp", "Local only")]})
    assert lab_from_text(json.dumps(data), DocumentFormat.JSON) == lab_from_text(json.dumps(data))
