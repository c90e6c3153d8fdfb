"""One path for every change [H]: only app/labs writes a lab (app/db/convert.py turns a document into rows for
it); routes and pages call it and nothing else writes."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
WRITES = re.compile(r"session\.(add|add_all|delete|execute|merge)\(|\b(claim_next_version|add_document_rows)\b")
WRITERS = {APP / "db" / "convert.py", *(APP / "labs").glob("*.py")}


def test_only_app_labs_writes_a_lab():
    offenders = [
        f"{path.relative_to(APP.parent)}:{number}: {line.strip()}"
        for path in sorted(APP.rglob("*.py"))
        if path not in WRITERS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if WRITES.search(line)
    ]
    assert offenders == []


def test_the_pattern_finds_writes():  # the test above would pass vacuously if the pattern found nothing
    changes = (APP / "labs" / "changes.py").read_text(encoding="utf-8")
    assert len(WRITES.findall(changes)) >= 4
