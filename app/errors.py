"""Failures a client causes, raised by the service layer and turned into HTTP answers at the edge."""

from dataclasses import dataclass
from typing import Any, ClassVar

from app.engine.loading import MAX_LISTED_PROBLEMS

Loc = tuple[str | int, ...]


class ClientError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ClientError):
    status = 404


class AccessRefused(ClientError):
    """A lab's keys did not let the request through (SPEC §12)."""

    headers: ClassVar[dict[str, str] | None] = None


class Unauthorized(AccessRefused):
    status = 401
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


class Forbidden(AccessRefused):
    status = 403


class LabClosed(AccessRefused, NotFound):
    """No lab by that id opens with the keys sent (whether it exists is not said)."""


class ServerBusy(ClientError):
    """The server is at one of its limits for now: the client may try again later."""

    status = 503
    headers: ClassVar[dict[str, str] | None] = {"Retry-After": "10"}


class Conflict(ClientError):
    status = 409


class PreconditionFailed(ClientError):
    status = 412


class UnsupportedMediaType(ClientError):
    status = 415


@dataclass(frozen=True)
class FieldProblem:
    loc: Loc
    message: str
    type: str = "lab_rule"
    value: Any = None


class RuleViolation(ClientError):
    """The change would leave the lab invalid: field-level problems, answered with 422 (409 for deletes)."""

    status = 422

    def __init__(self, problems: list[FieldProblem], status: int = 422):
        if len(problems) > MAX_LISTED_PROBLEMS:
            more = len(problems) - MAX_LISTED_PROBLEMS
            problems = [*problems[:MAX_LISTED_PROBLEMS], FieldProblem(("body",), f"… and {more:,} more problems")]
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
        self.status = status
