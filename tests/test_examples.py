"""Every example under examples/ is a valid lab that simulates, and shows what its header says."""

import runpy
from pathlib import Path

import pytest

from app.engine.loading import lab_from_text
from app.engine.simulate import Simulation
from tests.engine.helpers import adapter, pair, reason

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))


def simulate(name: str):
    path = next(p for p in EXAMPLES if p.name.startswith(name))
    return Simulation(lab_from_text(path.read_text(encoding="utf-8"))).result()


def test_there_are_at_least_six_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_simulates_and_explains_itself(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "each example opens with a comment saying what it shows"
    res = Simulation(lab_from_text(text)).result()
    assert res.adapters and res.reachability


def test_seed_example_shows_all_four_modes():
    res = simulate("01")
    assert [a.source for a in res.adapters] == ["apipa", "dhcp", "dhcp", "none"]
    assert adapter(res, "xp-nat").ip == "192.168.131.64"
    assert pair(res, "vm:host1/xp-nat", "internet").via == "nat"


def test_virtual_server_example():
    res = simulate("02")
    assert adapter(res, "web1").ip == "10.237.0.16" and adapter(res, "test1").source == "apipa"
    assert reason(res, "vm:vs1/static1", "vm:vs1/web1") == "different_segment"


def test_hyper_v_example():
    res = simulate("03")
    assert reason(res, "vm:hv1/web", "host:hv1") == "mgmt_os_not_shared"
    assert reason(res, "vm:hv1/app2", "host:hv1") == "vlan_mismatch"
    assert reason(res, "vm:hv1/node1", "host:hv1") == "host_not_on_segment"
    assert (
        pair(res, "vm:hv1/node1", "vm:hv1/node2").reachable and not pair(res, "vm:hv1/node1", "vm:hv1/node3").reachable
    )


def test_dhcp_server_example():
    res = simulate("04")
    assert [adapter(res, n).ip for n in ("client1", "client2")] == ["192.168.100.100", "192.168.100.101"]


def test_ics_example():
    res = simulate("05")
    assert pair(res, "vm:pc01/student1", "internet").reachable
    assert reason(res, "lan:Classroom", "vm:pc01/student1") == "nat_inbound_blocked"


def test_exhausted_pool_example():
    res = simulate("06")
    assert [w.code for w in adapter(res, "vm-c").warnings] == ["dhcp_pool_exhausted"]


EXPECTED_IPCONFIG = runpy.run_path(str(Path(__file__).resolve().parent.parent / "scripts" / "expected-ipconfig.py"))


def test_every_vm_of_every_example_prints_its_expected_ipconfig():  # [IPC] [W7R]
    expected = EXPECTED_IPCONFIG["expected_texts"]()
    stored = set(EXPECTED_IPCONFIG["EXPECTED"].rglob("*.txt"))
    assert stored == set(expected), "run scripts/expected-ipconfig.py and read the diff"
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, path.name


def test_examples_show_both_families():  # [W7R-13] XP and Windows 7 side by side in the ICS example
    expected = EXPECTED_IPCONFIG["EXPECTED"] / "05-ics-gateway"
    xp = (expected / "pc01-student1.txt").read_text(encoding="utf-8")
    seven = (expected / "pc01-student2.txt").read_text(encoding="utf-8")
    assert "        Dhcp Enabled. . . . . . . . . . . : Yes" in xp and "Tunnel adapter" not in xp
    assert "   DHCP Enabled. . . . . . . . . . . : Yes" in seven and "Tunnel adapter isatap.mshome.net:" in seven


def test_readme_side_by_side_is_what_the_engine_prints():  # [W7R] the README shows real output
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    expected = EXPECTED_IPCONFIG["EXPECTED"] / "07-windows-virtual-pc-xp-and-7"
    for name in ("win7-host-xp-mode.txt", "win7-host-win7.txt"):
        text = (expected / name).read_text(encoding="utf-8").strip("\n")
        assert f"```\n{text}\n```" in readme, name
