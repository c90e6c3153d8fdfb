"""Keys never reach a log: the access log shows `?key=…` links (and any other key-like query value) redacted."""

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

SECRET_QUERY = re.compile(r"(?i)([?&](?:key|token)=)[^&\s\"]*")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return SECRET_QUERY.sub(rf"\g<1>{REDACTED}", text)


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
