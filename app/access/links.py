"""The links a lab's keys and an assignment's join token are handed out as (SPEC §12)."""

from urllib.parse import quote

from fastapi import Request


def base_url(request: Request) -> str:
    public = request.app.state.settings.public_url
    return (public or str(request.base_url)).rstrip("/")


def lab_link(request: Request, lab_id: int, key: str) -> str:
    return f"{base_url(request)}/labs/{lab_id}?key={quote(key)}"


def student_link(request: Request, join_token: str) -> str:
    return f"{base_url(request)}/assignments/{quote(join_token)}"


def results_link(request: Request, assignment_id: int) -> str:
    return f"{base_url(request)}/assignments/{assignment_id}/results"


def is_loopback(url: str) -> bool:
    """A link naming this machine only: nobody else can open it."""
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")
