"""Assignments (SPEC §12): a lab with goals handed out by a join token; each student who joins gets a copy of
their own (through the one change path: `copy_lab`), and the results are every copy's goals checked."""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session, col, select

from app.access.keys import IssuedKeys, derive_token, key_hash, new_nonce
from app.db.convert import document_from_rows, load_rows
from app.db.labs import get_lab, utcnow
from app.db.models import AssignmentRow, LabRow, StudentCopyRow
from app.engine.checks import Check, check_goals, parse_goals
from app.engine.document import MAX_NAME_LENGTH
from app.engine.simulate import Simulation
from app.errors import FieldProblem, NotFound, RuleViolation
from app.labs.changes import Change, copy_lab

JOIN = "join"


def join_token(secret: str, assignment: AssignmentRow) -> str | None:
    """The assignment's join token, made again from the admin token (None if that has changed since)."""
    token = derive_token(secret, assignment.token_nonce, JOIN)
    return token if key_hash(token) == assignment.join_hash else None


def create_assignment(session: Session, lab_id: int, title: str, secret: str) -> AssignmentRow:
    """An assignment of the lab as it now is: its goals are kept with the assignment, so that what students are
    checked against is the teacher's, whatever a student does to the goals of their copy."""
    lab = get_lab(session, lab_id)
    if not lab.goals:
        raise RuleViolation(
            [
                FieldProblem(
                    ("body", "title"),
                    f"lab {lab_id} has no goals: add the goals students' work is checked against first",
                    "no_goals",
                )
            ]
        )
    nonce = new_nonce()
    token = derive_token(secret, nonce, JOIN)
    assignment = AssignmentRow(
        lab_id=lab_id,
        title=title,
        token_nonce=nonce,
        join_hash=key_hash(token),
        created_at=utcnow(),
        goals=list(lab.goals),
    )
    session.add(assignment)
    session.flush()
    return assignment


def assignments_of(session: Session, lab_id: int) -> list[AssignmentRow]:
    return list(
        session.exec(select(AssignmentRow).where(AssignmentRow.lab_id == lab_id).order_by(col(AssignmentRow.id)))
    )


def get_assignment(session: Session, assignment_id: int) -> AssignmentRow:
    found = session.get(AssignmentRow, assignment_id)
    if found is None:
        raise NotFound(f"no assignment {assignment_id}")
    return found


def by_token(session: Session, token: str) -> AssignmentRow:
    found = session.exec(select(AssignmentRow).where(AssignmentRow.join_hash == key_hash(token))).first()
    if found is None:
        raise NotFound("no assignment has this link: it may be mistyped, or the assignment was deleted")
    return found


def join(session: Session, assignment: AssignmentRow, student: str, keys: IssuedKeys) -> Change[None]:
    """A copy of the assignment's lab as it is now, for `student`, opened by `keys`."""
    source = get_lab(session, assignment.lab_id)
    suffix = f" · {student}"
    made = copy_lab(session, assignment.lab_id, keys, source.name[: max(0, MAX_NAME_LENGTH - len(suffix))] + suffix)
    session.add(
        StudentCopyRow(assignment_id=assignment.id, lab_id=made.lab.id, student=student, joined_at=utcnow())  # type: ignore[arg-type]
    )
    return made


@dataclass(frozen=True)
class StudentResult:
    student: str
    lab_id: int
    version: int
    updated_at: datetime
    checks: list[Check]

    @property
    def goals_passed(self) -> int:
        return sum(check.passed for check in self.checks)


class Cache(Protocol):
    def get(self, key: Hashable) -> Any: ...
    def put(self, key: Hashable, value: Any, size: int) -> None: ...


def results(session: Session, assignment: AssignmentRow, cache: Cache | None = None) -> list[StudentResult]:
    """Every student's copy checked now against the assignment's goals, in the order they joined; a copy's checks
    are kept in `cache` by its version (a results page asks every few seconds)."""
    goals = parse_goals(assignment.goals)
    rows = session.exec(
        select(StudentCopyRow, LabRow)
        .join(LabRow, col(LabRow.id) == col(StudentCopyRow.lab_id))
        .where(StudentCopyRow.assignment_id == assignment.id)
        .order_by(col(StudentCopyRow.id))
    ).all()
    found = []
    for copy, lab in rows:
        key = ("assignment checks", assignment.id, lab.id, lab.created_at, lab.version)
        checks = cache.get(key) if cache is not None else None
        if checks is None:
            checks = check_goals(Simulation(document_from_rows(load_rows(session, lab))), goals)
            if cache is not None:
                cache.put(key, checks, 1000 + sum(len(c.detail) + 300 for c in checks))
        found.append(StudentResult(copy.student, lab.id, lab.version, lab.updated_at, checks))  # type: ignore[arg-type]
    return found
