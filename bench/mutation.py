"""Mutation testing of the engine's reachability, addressing and product rules (issue 9, item 12). Not in CI.

Run: .venv/bin/python bench/mutation.py [--max-children 2] [--keep] [--survivors]
mutmut (configured in pyproject's [tool.mutmut]) mutates app/engine/reachability.py, addressing.py and
rules.py (the target), and segments.py and simulate.py (reported apart), one change at a time inside mutants/,
and runs the engine tests (tests/engine/ and tests/test_examples.py, without the hypothesis property tests and
the subprocess purity checks: random examples would make the figures move from run to run, and they triple
the time) against each mutant. Target: ≥ 85 % of the three files' mutants killed.

Counted: `killed` = mutants some test fails on, plus timeouts (the mutant hangs the tests, which notices);
`survived` = every test passes, plus mutants no test even runs ("no tests"). Skipped and not-checked
mutants are left out of the ratio and shown apart. ratio = killed / (killed + survived).

mutants/ is wiped first so that the figures are those of the files and tests as they are now; --keep reuses
what an earlier run left there (mutmut re-tests only the functions that changed).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")
FILES = ("app/engine/reachability.py", "app/engine/addressing.py", "app/engine/rules.py")  # the target
ALSO = ("app/engine/segments.py", "app/engine/simulate.py")  # mutated too, reported apart
TARGET = 0.85

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
SURVIVED = {"survived", "no tests", "suspicious"}


def run_mutmut(max_children: int, keep: bool) -> float:
    if not keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    log = ROOT / "mutants" / "run.log"
    log.parent.mkdir(exist_ok=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(max_children)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"mutmut run failed (exit {done.returncode}); see {log}")
    return elapsed


def statuses() -> dict[str, str]:
    """Every mutant's name and status, as `mutmut results --all true` lists them."""
    listing = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in listing.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            found[name] = status
    return found


def file_of(mutant: str) -> str:
    module = mutant.split(".x", 1)[0]  # app.engine.rules.x__check_lan__mutmut_3 → app.engine.rules
    return module.replace(".", "/") + ".py"


def _ratio(counts: Counter[str]) -> tuple[int, int, float]:
    killed = sum(counts[s] for s in KILLED)
    survived = sum(counts[s] for s in SURVIVED)
    return killed, survived, killed / (killed + survived) if killed + survived else 0.0


def report(found: dict[str, str], elapsed: float | None, show_survivors: bool) -> bool:
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in found.items():
        by_file[file_of(name)][status] += 1
    target: Counter[str] = Counter()
    for path in FILES:
        target.update(by_file.get(path, Counter()))
    rows = [(path, by_file.get(path, Counter())) for path in FILES]
    rows += [("the three together (target)", target)]
    rows += [(path, by_file.get(path, Counter())) for path in ALSO if path in by_file]
    columns = ("mutants", "killed", "timeout", "survived", "no tests", "other", "ratio")
    head = f"{'file':<30} " + " ".join(f"{c:>8}" for c in columns)
    print(head)
    print("-" * len(head))
    for path, counts in rows:
        killed, survived, ratio = _ratio(counts)
        other = sum(counts.values()) - killed - survived
        print(
            f"{path:<30} {sum(counts.values()):>8} {killed - counts['timeout']:>8} {counts['timeout']:>8} "
            f"{counts['survived'] + counts['suspicious']:>8} {counts['no tests']:>8} {other:>8} {ratio:>8.1%}"
        )
    if elapsed is not None:
        print(f"\nmutmut run: {elapsed:.0f} s")
    print(
        "ratio = killed / (killed + survived): timeouts count as killed, 'no tests' as survived, 'other' (skipped, "
        f"not checked) is left out. Target {TARGET:.0%} for the three together."
    )
    if show_survivors:
        print("\nsurvivors (`.venv/bin/mutmut show <name>` for the diff):")
        for name, status in sorted(found.items()):
            if status in SURVIVED:
                print(f"  {name}: {status}")
    return _ratio(target)[2] >= TARGET


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default 2)")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from an earlier run")
    parser.add_argument("--report-only", action="store_true", help="only print the figures of the last run")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    args = parser.parse_args()
    elapsed = None if args.report_only else run_mutmut(args.max_children, args.keep)
    ok = report(statuses(), elapsed, args.survivors)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
