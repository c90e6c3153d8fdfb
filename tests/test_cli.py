"""The `vnetlab` command line (SPEC §10): output formats, and bad input as messages with exit status 1."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEED = EXAMPLES / "01-seed-virtual-pc.yaml"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_table_for_people(capsys):
    code, out, err = cli(capsys, "simulate", str(SEED))
    assert code == 0 and err == ""
    assert "host1/xp-nat" in out and "192.168.131.64/24" in out and "169.254." in out
    assert "Reachability:" in out and "nat_inbound_blocked" in out


def test_simulate_json_is_the_result_contract(capsys):
    code, out, _ = cli(capsys, "simulate", str(SEED), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["lab"] == "Seed classroom" and data["clock"] == "2009-09-15T10:04:03"
    assert {"from", "to", "reachable", "via", "reason", "path"} == set(data["reachability"][0])


def test_simulate_ipconfig_for_one_vm(capsys):
    code, out, _ = cli(
        capsys,
        "simulate",
        str(SEED),
        "--format",
        "ipconfig",
        "--vm",
        "host1/xp-nat",
        "--locale",
        "ja",
        "--layout",
        "seed",
    )
    assert code == 0
    assert "Ethernet adapter ローカル エリア接続:" in out and "2026年9月20日 4:52:34" in out
    assert "==== " not in out


def test_simulate_ipconfig_for_all_vms_has_headers(capsys):
    code, out, _ = cli(capsys, "simulate", str(SEED), "--format", "ipconfig")
    assert code == 0 and out.count("==== host1/") == 4


def test_table_narrowed_to_one_vm(capsys):
    code, out, _ = cli(capsys, "simulate", str(SEED), "--vm", "xp-nat")
    assert code == 0 and "host1/xp-local" not in out.split("Reachability")[0]
    assert "vm:host1/xp-nat -> internet: yes, nat" in out


def test_validate_ok(capsys):
    code, out, _ = cli(capsys, "validate", str(SEED))
    assert code == 0 and "valid lab 'Seed classroom'" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vnetlab: 1\nname: [broken\n", "not valid YAML"),
        ("- a\n- list\n", "mapping"),
        ("vnetlab: 1\nname: x\nlans: 5\n", "lans: Input should be a valid list"),
        (
            "vnetlab: 1\nname: x\nhosts: [{name: h, product: virtual_server_2005_r2,"
            " networks: [{name: n, kind: nat}]}]\n",
            "hosts[0].networks[0].kind: Virtual Server 2005 R2 offers internal and external networks, not nat",
        ),
    ],
)
def test_bad_documents_print_messages_and_exit_1(capsys, tmp_path, text, expected):
    path = tmp_path / "lab.yaml"
    path.write_text(text, encoding="utf-8")
    for command in ("validate", "simulate"):
        code, out, err = cli(capsys, command, str(path))
        assert code == 1 and out == ""
        assert expected in err and str(path) in err and "Traceback" not in err


def test_missing_file_and_unknown_vm_and_bad_option(capsys, tmp_path):
    assert cli(capsys, "simulate", str(tmp_path / "nope.yaml"))[0] == 1
    code, _, err = cli(capsys, "simulate", str(SEED), "--format", "ipconfig", "--vm", "ghost")
    assert code == 1 and "no VM 'ghost'" in err
    code, _, err = cli(capsys, "simulate", str(SEED), "--format", "xml")
    assert code == 1 and "xml" in err
    code, _, err = cli(capsys, "simulate", str(SEED), "--format", "json", "--vm", "xp-nat")
    assert code == 1 and "--vm" in err


def test_binary_garbage_is_refused_cleanly(capsys, tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = cli(capsys, "validate", str(path))
    assert code == 1 and "cannot read" in err


def test_console_script_runs(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", "from app.cli import run; run()", "validate", str(SEED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0 and "valid lab" in completed.stdout


def test_a_bad_setting_is_named_not_a_traceback(capsys, monkeypatch):
    from app.config import get_settings

    monkeypatch.setenv("VNETLAB_MAX_VMS", "lots")
    get_settings.cache_clear()
    try:
        code, _, err = cli(capsys, "validate", str(EXAMPLES / "01-seed-virtual-pc.yaml"))
    finally:
        get_settings.cache_clear()
    assert code == 1 and "setting VNETLAB_MAX_VMS:" in err and "'lots'" in err and "Traceback" not in err


def test_json_files_are_read_as_json(capsys, tmp_path):
    path = tmp_path / "lab.json"
    path.write_text('{"vnetlab": 1, "name": "x",}', encoding="utf-8")
    code, _, err = cli(capsys, "validate", str(path))
    assert code == 1 and "not valid JSON" in err


def test_caps_apply_to_the_cli(capsys, monkeypatch, tmp_path):
    from app.config import get_settings

    path = tmp_path / "lab.yaml"
    path.write_text("vnetlab: 1\nname: x\nlans: [{name: a, subnet: 10.0.0.0/24}, {name: b, subnet: 10.0.1.0/24}]\n")
    monkeypatch.setenv("VNETLAB_MAX_LANS", "1")
    get_settings.cache_clear()
    try:
        code, _, err = cli(capsys, "validate", str(path))
    finally:
        get_settings.cache_clear()
    assert code == 1 and "2 LANs is over this server's cap of 1 (VNETLAB_MAX_LANS)" in err


def test_layout_and_locale_change_nothing_for_a_windows_7_guest(capsys):  # [W7R-12]
    ics = EXAMPLES / "05-ics-gateway.yaml"
    outputs = set()
    for locale in ("en", "ja"):
        for layout in ("xp", "seed"):
            args = ("simulate", str(ics), "--format", "ipconfig", "--vm", "student2", "--locale", locale)
            code, out, _ = cli(capsys, *args, "--layout", layout)
            assert code == 0
            outputs.add(out)
    (out,) = outputs
    assert "   DHCPv6 IAID . . . . . . . . . . . : " in out and "Local Area Connection" in out
    code, xp, _ = cli(capsys, "simulate", str(ics), "--format", "ipconfig", "--vm", "student1", "--locale", "ja")
    assert code == 0 and "ローカル エリア接続" in xp  # the XP family still follows --locale


def test_help_says_vista_and_later_ignore_layout(capsys):
    code, out, _ = cli(capsys, "simulate", "--help")
    assert code == 0 and "Vista and later" in " ".join(out.split())
