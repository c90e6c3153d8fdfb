"""Writes examples/ipconfig/<example>/<host>-<vm>.txt: what `ipconfig /all` prints in every VM of every example.

tests/test_examples.py compares the engine's text with these files byte for byte, so a change to what a guest
prints shows up as a diff to read. Run after such a change: .venv/bin/python scripts/expected-ipconfig.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine.loading import lab_from_text  # noqa: E402
from app.engine.simulate import Simulation  # noqa: E402

EXAMPLES = ROOT / "examples"
EXPECTED = EXAMPLES / "ipconfig"


def expected_texts() -> dict[Path, str]:
    """Each file's path and the text it should hold."""
    texts = {}
    for example in sorted(EXAMPLES.glob("*.yaml")):
        simulation = Simulation(lab_from_text(example.read_text(encoding="utf-8")))
        for ref in simulation.vm_refs():
            texts[EXPECTED / example.stem / f"{ref.replace('/', '-')}.txt"] = simulation.ipconfig(ref)
    return texts


if __name__ == "__main__":
    for path, text in expected_texts().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(path.relative_to(ROOT))
