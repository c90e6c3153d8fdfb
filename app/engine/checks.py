"""Goals checked (SPEC §12 `GET /labs/{id}/checks`): each of a lab's goals against what the engine works out —
who can open a connection to whom, what address each adapter gets, which warnings arise."""

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pydantic import TypeAdapter

from app.engine.document import AddressGoal, Goal, NoReachGoal, NoWarningsGoal, ReachGoal
from app.engine.result import SimulationResult
from app.engine.simulate import Simulation

_GOALS = TypeAdapter(list[Goal])


@dataclass(frozen=True)
class Check:
    goal: dict[str, Any]  # as the document writes it
    name: str | None
    passed: bool
    detail: str

    @property
    def title(self) -> str:
        return self.name or describe(self.goal)


def describe(goal: dict[str, Any]) -> str:
    if "reach" in goal:
        return f"{goal['reach'][0]} reaches {goal['reach'][1]}"
    if "no_reach" in goal:
        return f"{goal['no_reach'][0]} does not reach {goal['no_reach'][1]}"
    if "address" in goal:
        wanted = ([f"from {goal['source']}"] if "source" in goal else []) + (
            [f"in {goal['in']}"] if "in" in goal else []
        )
        return f"{goal['address']} gets an address {' and '.join(wanted)}"
    return f"no warning {', '.join(goal['no_warnings'])}"


def parse_goals(data: list[dict[str, Any]]) -> list[Goal]:
    """Goals as a document writes them (an assignment keeps them so), read back without a lab to check them by."""
    return _GOALS.validate_python(data)


def check_goals(simulation: Simulation, goals: list | None = None) -> list[Check]:
    """The lab's goals checked — or `goals` (an assignment's, checked against a student's copy, which may lack
    what they name: such a goal is not met)."""
    results: list[SimulationResult] = []

    def result() -> SimulationResult:  # every adapter's address and warnings: worked out once, if a goal asks
        if not results:
            results.append(simulation.overview())
        return results[0]

    goals = simulation.lab.goals if goals is None else goals
    if not goals:
        return []  # and nothing worked out for them
    known = frozenset(simulation.endpoints)
    return [_check_or_missing(simulation, known, result, goal) for goal in goals]


def _check_or_missing(
    simulation: Simulation, known: frozenset[str], result: Callable[[], SimulationResult], goal
) -> Check:
    written = goal.model_dump(mode="json", exclude_none=True, by_alias=True)
    try:
        return _check(simulation, known, result, goal, written)
    except _Missing as missing:
        return Check(written, goal.name, False, f"{missing} is not in this lab")


class _Missing(LookupError):
    """A goal names an endpoint or adapter the lab does not have."""


def _check(
    simulation: Simulation, known: frozenset[str], result: Callable[[], SimulationResult], goal, written: dict[str, Any]
) -> Check:
    if isinstance(goal, ReachGoal | NoReachGoal):
        source, target = goal.reach if isinstance(goal, ReachGoal) else goal.no_reach
        if source == target:
            passed, detail = isinstance(goal, ReachGoal), "the same endpoint"
        else:
            for endpoint in (source, target):
                if endpoint not in known:
                    raise _Missing(endpoint)
            row = simulation.pair(source, target)
            detail = f"reachable via {row.via}" if row.reachable else f"not reachable: {row.reason.message}"  # type: ignore[union-attr]
            passed = row.reachable == isinstance(goal, ReachGoal)
        return Check(written, goal.name, passed, detail)
    if isinstance(goal, AddressGoal):
        return Check(written, goal.name, *_address(result(), goal))
    assert isinstance(goal, NoWarningsGoal)
    overview = result()
    found = [
        f"{a.host}/{a.vm}#{a.index}: {w.code}"
        for a in overview.adapters
        for w in a.warnings
        if w.code in goal.no_warnings
    ] + [f"{w.code}: {w.message}" for w in overview.warnings if w.code in goal.no_warnings]
    return Check(written, goal.name, not found, "; ".join(found) if found else "none of them")


def _address(result: SimulationResult, goal: AddressGoal) -> tuple[bool, str]:
    host_vm, _, index = goal.address.rpartition("#")
    host, _, vm = host_vm.partition("/")
    adapter = next((a for a in result.adapters if (a.host, a.vm, str(a.index)) == (host, vm, index)), None)
    if adapter is None:
        raise _Missing(f"adapter {goal.address}")
    got = f"{adapter.ip}/{adapter.prefix} ({adapter.source})" if adapter.ip else f"no address ({adapter.source})"
    problems = []
    if goal.source is not None and adapter.source != goal.source:
        problems.append(f"source {adapter.source}, not {goal.source}")
    if goal.in_ is not None and (adapter.ip is None or IPv4Address(adapter.ip) not in goal.in_):
        problems.append(f"not in {goal.in_}")
    return not problems, got + (": " + "; ".join(problems) if problems else "")


def junit_xml(lab_name: str, checks: list[Check]) -> str:
    """The checks as JUnit XML: one test case a goal, a failure with its detail when it is not met."""
    failures = sum(not check.passed for check in checks)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name={quoteattr(lab_name)} tests="{len(checks)}" failures="{failures}">',
    ]
    for check in checks:
        case = f"  <testcase classname={quoteattr(lab_name)} name={quoteattr(check.title)}"
        if check.passed:
            lines.append(f"{case}><system-out>{escape(check.detail)}</system-out></testcase>")
        else:
            lines.append(f"{case}><failure message={quoteattr(check.detail)}/></testcase>")
    lines.append("</testsuite>")
    return "\n".join(lines) + "\n"
