"""Reading a lab document from YAML or JSON text, with errors a person can act on."""

import json
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from app.engine.document import UNION_TAGS, LabDocument

MAX_VALUE_SHOWN = 60


@dataclass(frozen=True)
class DocumentError:
    path: str  # e.g. hosts[0].vms[2].adapters[1].address.ip; empty for the whole document
    message: str
    value: Any = None
    has_value: bool = False

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        shown = f" (got {_shown(self.value)})" if self.has_value else ""
        return f"{where}{self.message}{shown}"


class LabDocumentError(Exception):
    def __init__(self, errors: list[DocumentError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"


def error_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if part in UNION_TAGS:
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def errors_from_validation(error: ValidationError) -> list[DocumentError]:
    found = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        has_value = item["type"] != "missing"
        value = item.get("input") if has_value else None
        if isinstance(value, dict | list) and item["type"] != "lab_rule":
            has_value = False  # a whole sub-document says nothing a person can use
        found.append(DocumentError(error_path(item["loc"]), message, value, has_value))
    return found


def lab_from_data(data: Any) -> LabDocument:
    if not isinstance(data, dict):
        raise LabDocumentError([DocumentError("", "a lab document is a mapping with `vnetlab: 1`, `name`, `hosts`…")])
    try:
        return LabDocument.model_validate(data)
    except ValidationError as error:
        raise LabDocumentError(errors_from_validation(error)) from None


def parse_text(text: str) -> Any:
    """YAML is a superset of JSON, so one parser reads both; its errors carry line and column."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise LabDocumentError([DocumentError("", f"{where}not valid YAML/JSON: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise LabDocumentError([DocumentError("", f"not valid YAML/JSON: {error}")]) from None


def lab_from_text(text: str) -> LabDocument:
    return lab_from_data(parse_text(text))


def lab_to_yaml(lab: LabDocument) -> str:
    return yaml.safe_dump(lab.to_data(), sort_keys=False, allow_unicode=True)


def lab_to_json(lab: LabDocument) -> str:
    return json.dumps(lab.to_data(), ensure_ascii=False, indent=2)
