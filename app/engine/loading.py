"""Reading a lab document from YAML or JSON text, with errors a person can act on."""

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import yaml
from pydantic import ValidationError

from app.engine.caps import DocumentCaps, cap_problems
from app.engine.document import UNION_TAGS, LabDocument

MAX_VALUE_SHOWN = 60
MAX_LISTED_PROBLEMS = 100
MAX_DEPTH = 64
# What aliases may add to a document beyond the values written in it.
MAX_ALIAS_EXPANSION = 10_000
DEFAULT_CAPS = DocumentCaps()


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
    """A document's problems. Shown to people as the first `MAX_LISTED_PROBLEMS`, then how many more."""

    def __init__(self, errors: list[DocumentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in self.shown()))

    def shown(self) -> list[DocumentError]:
        if len(self.errors) <= MAX_LISTED_PROBLEMS:
            return self.errors
        more = len(self.errors) - MAX_LISTED_PROBLEMS
        return [*self.errors[:MAX_LISTED_PROBLEMS], DocumentError("", f"… and {more:,} more problems")]


class DocumentOverCaps(LabDocumentError):
    """The document is larger than this server takes (see `caps.py`); nothing in it was validated."""


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


def lab_from_data(data: Any, caps: DocumentCaps = DEFAULT_CAPS) -> LabDocument:
    if not isinstance(data, dict):
        raise LabDocumentError([DocumentError("", "a lab document is a mapping with `vnetlab: 1`, `name`, `hosts`…")])
    over = cap_problems(data, caps)
    if over:
        raise DocumentOverCaps([DocumentError(error_path(p.loc), p.message) for p in over])
    try:
        return LabDocument.model_validate(data)
    except ValidationError as error:
        raise LabDocumentError(errors_from_validation(error)) from None


class DocumentFormat(StrEnum):
    JSON = "json"
    YAML = "yaml"


def format_for_path(name: str) -> DocumentFormat:
    """The CLI's and the designer's upload's choice: `*.json` is JSON, anything else YAML."""
    return DocumentFormat.JSON if name.lower().endswith(".json") else DocumentFormat.YAML


def parse_text(text: str, fmt: DocumentFormat = DocumentFormat.YAML) -> Any:
    return parse_json(text) if fmt == DocumentFormat.JSON else parse_yaml(text)


def _refuse(message: str) -> LabDocumentError:
    return LabDocumentError([DocumentError("", message)])


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _refuse(f"key {_shown(repeated)} appears twice in one object; keep one")
    return mapping


def parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as error:
        raise _refuse(f"line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        raise _refuse(f"nested more than {MAX_DEPTH} levels deep; a lab document needs fewer than 10") from None


def parse_yaml(text: str) -> Any:
    """libyaml's safe loader; the node graph is checked before any Python value is built, so that aliases
    cannot multiply the work (a few lines of `&a [*b, *b, …]` name millions of values)."""
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise _refuse(f"{where}not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise _refuse(f"not valid YAML: {error}") from None
    except RecursionError:
        raise _refuse(f"nested more than {MAX_DEPTH} levels deep; a lab document needs fewer than 10") from None
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node) -> None:
    """Counts what the aliases add, and refuses self-reference, deep nesting and repeated keys."""
    sizes: dict[int, int] = {}  # node id -> values under it, aliases expanded
    written = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] - written > MAX_ALIAS_EXPANSION:
                break
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _refuse(f"line {node.start_mark.line + 1}: an alias refers to the value that contains it")
        if depth > MAX_DEPTH:
            raise _refuse(
                f"line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep; "
                "a lab document needs fewer than 10"
            )
        written += 1
        open_nodes.add(key)
        stack.append((node, depth, True))
        if isinstance(node, yaml.MappingNode):
            _no_repeated_yaml_keys(node)
        stack.extend((child, depth + 1, False) for child in reversed(_children(node)) if id(child) not in sizes)
    expanded = sizes.get(id(root))
    if expanded is None or expanded - written > MAX_ALIAS_EXPANSION:
        raise _refuse(
            f"the aliases (*name) in this document repeat more than {MAX_ALIAS_EXPANSION:,} values; "
            "write the parts out instead"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _no_repeated_yaml_keys(node: yaml.MappingNode) -> None:
    seen: set[str] = set()
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in seen:
                raise _refuse(
                    f"line {key.start_mark.line + 1}, column {key.start_mark.column + 1}: "
                    f"key {_shown(key.value)} appears twice in one mapping; keep one"
                )
            seen.add(key.value)


def lab_from_text(
    text: str, fmt: DocumentFormat = DocumentFormat.YAML, caps: DocumentCaps = DEFAULT_CAPS
) -> LabDocument:
    return lab_from_data(parse_text(text, fmt), caps)


def lab_to_yaml(lab: LabDocument) -> str:
    return yaml.safe_dump(lab.to_data(), sort_keys=False, allow_unicode=True)


def lab_to_json(lab: LabDocument) -> str:
    return json.dumps(lab.to_data(), ensure_ascii=False, indent=2)
