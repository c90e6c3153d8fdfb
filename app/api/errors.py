"""Every failure a client can cause becomes a 4xx with a readable message; nothing leaks as a 500."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

from app.engine.document import UNION_TAGS
from app.engine.loading import MAX_LISTED_PROBLEMS
from app.errors import ClientError, RuleViolation


def problem(status: int, detail, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RuleViolation)
    async def _rules(_request: Request, error: RuleViolation) -> JSONResponse:
        return problem(error.status, [{"loc": list(p.loc), "msg": p.message, "type": p.type} for p in error.problems])

    @app.exception_handler(ClientError)
    async def _client(_request: Request, error: ClientError) -> JSONResponse:
        return problem(error.status, error.message, getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {
                "loc": [part for part in item["loc"] if part not in UNION_TAGS],
                "msg": str(item["msg"]).removeprefix("Value error, "),
                "type": item["type"],
            }
            for item in error.errors()[:MAX_LISTED_PROBLEMS]
        ]
        more = len(error.errors()) - MAX_LISTED_PROBLEMS
        if more > 0:
            details.append({"loc": ["body"], "msg": f"… and {more:,} more problems", "type": "more"})
        return problem(422, details)

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, error: IntegrityError) -> JSONResponse:
        # The checks before each write should catch clashes; this is the database's own backstop.
        return problem(409, "the change clashes with the lab as stored (a name or a reference); reload and retry")

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, error: OperationalError) -> JSONResponse:
        if "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower():
            return problem(503, "the database is busy; retry shortly", {"Retry-After": "1"})
        raise error
