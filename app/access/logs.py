"""Keys never reach a log: the access log shows `?key=…` links (and any other key-like query value, its name
percent-encoded or not) and the join tokens in assignments' student links redacted."""

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

from uvicorn.config import LOGGING_CONFIG

QUERY_PAIR = re.compile(r"([?&])([^=&\s\"]*)=([^&\s\"]*)")
SECRET_NAMES = {"key", "token"}
JOIN_TOKEN = re.compile(r"(/assignments/)(?!\d+(?:[/?\s\"]|$))[^/?\s\"]+")  # /assignments/<token>, not /<id>
REDACTED = "[redacted]"


def redact(text: str) -> str:
    def pair(found: re.Match) -> str:
        secret = unquote_plus(found[2]).strip().lower() in SECRET_NAMES
        return f"{found[1]}{found[2]}={REDACTED}" if secret else found[0]

    return JOIN_TOKEN.sub(rf"\g<1>{REDACTED}", QUERY_PAIR.sub(pair, text))


class RedactKeys(logging.Filter):
    """uvicorn's access log record carries the path with its query among its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def logging_config() -> dict[str, Any]:
    """uvicorn's own logging set-up, with the filter on its access log (each worker process sets it up too)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_keys"] = {"()": "app.access.logs.RedactKeys"}
    config["handlers"]["access"]["filters"] = ["redact_keys"]
    return config
