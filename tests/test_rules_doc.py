"""Every rule id a message can cite is explained in docs/rules.md, under a heading of its own."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE_ID = re.compile(r"\[((?:P|NAT|VSD|LL|ADDR|ST|MAC|SVC|IPC|RES|DOC|CAPS|R)(?:-\d+)?)\]")


def test_every_cited_rule_has_a_section():
    headings = set(re.findall(r"^## (\S+)$", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), re.M))
    cited = {match for path in (ROOT / "app").rglob("*.py") for match in RULE_ID.findall(path.read_text())}
    assert {"P-1", "P-4", "NAT-6", "VSD-4", "LL-4"} <= cited  # the pattern finds what messages cite
    assert cited - headings == set()
