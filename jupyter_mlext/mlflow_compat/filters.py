"""MLflow's search filter and order-by syntax, parsed into the comparisons of our filter engine (store/search.py).

    metrics.rmse < 0.5 and params.alpha = '0.1' and tags.`team` = 'vision' and attributes.status = 'FINISHED'

MLflow joins comparisons with AND only. Fields are `metrics.KEY`, `params.KEY`, `tags.KEY` (a key with dots or
spaces in backticks or double quotes) and attributes (`run_id`, `run_name`, `status`, `start_time`, `end_time`,
`user_id`; `attributes.` in front is optional). MLflow's names are translated to ours: statuses (FINISHED →
Completed, …), times in milliseconds to seconds, and the system tags we keep as run fields
(`tags.mlflow.runName` is the run's name, `tags.mlflow.parentRunId` its parent). The comparisons are compiled
by the store with bound parameters; nothing here writes SQL.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import InvalidInput
from ..store.search import Comparison
from .statuses import our_statuses

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<backtick>`[^`]*`)
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<ident>[A-Za-z_][\w\-]*)
  | (?P<dot>\.)
  | (?P<op>==|!=|<>|<=|>=|=|<|>)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)
_FAMILIES = {
    "metric": "metrics",
    "metrics": "metrics",
    "param": "params",
    "params": "params",
    "parameter": "params",
    "parameters": "params",
    "tag": "tags",
    "tags": "tags",
    "attribute": "attribute",
    "attributes": "attribute",
    "attr": "attribute",
    "run": "attribute",
}
# MLflow's attribute names → ours (store/search.py).
_ATTRIBUTES = {
    "run_id": "id",
    "run_name": "name",
    "status": "status",
    "start_time": "started_at",
    "created": "created_at",
    "end_time": "ended_at",
    "user_id": "user",
}
_MILLISECONDS = {"started_at", "created_at", "ended_at"}
# System tags kept as run fields.
SYSTEM_TAGS = {
    "mlflow.runName": "name",
    "mlflow.parentRunId": "parent_id",
    "mlflow.user": "user",
    "mlflow.source.name": "source_name",
    "mlflow.source.type": "source_type",
    "mlflow.source.git.commit": "git_commit",
}
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclasses.dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    position: int


def _error(message: str, position: int, text: str, field: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message} at position {position} of {text!r}", field=field)


def _tokens(text: str, field: str) -> list[_Tok]:
    found: list[_Tok] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _error(f"unexpected character {text[position]!r}", position, text, field)
        if match.lastgroup != "space":
            found.append(_Tok(match.lastgroup or "", match.group(), position))
        position = match.end()
    found.append(_Tok("end", "", len(text)))
    return found


@dataclasses.dataclass(frozen=True)
class Field:
    """A parsed field: `family` metrics/params/tags/attribute, and its MLflow key."""

    family: str
    key: str


class _Reader:
    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self.tokens = _tokens(text, field)
        self.index = 0

    def peek(self) -> _Tok:
        return self.tokens[self.index]

    def take(self) -> _Tok:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: _Tok) -> InvalidInput:
        return _error(message, token.position, self.text, self.field)

    def field_name(self) -> Field:
        first = self.take()
        if first.kind not in ("ident", "backtick"):
            raise self.fail(f"expected a field, found {first.text or 'the end'!r}", first)
        parts = [_unquote(first)]
        while self.peek().kind == "dot":
            self.take()
            part = self.take()
            if part.kind not in ("ident", "backtick", "string", "number"):
                raise self.fail("expected a key after '.'", part)
            parts.append(_unquote(part) if part.kind != "number" else part.text)
        head = parts[0].lower()
        if len(parts) > 1 and head in _FAMILIES:
            return Field(_FAMILIES[head], ".".join(parts[1:]))
        if len(parts) == 1:
            return Field("attribute", parts[0])
        raise self.fail(f"unknown field {'.'.join(parts)!r} (use metrics., params., tags. or attributes.)", first)


def _unquote(token: _Tok) -> str:
    if token.kind == "backtick":
        return token.text[1:-1]
    if token.kind == "string":
        return token.text[1:-1].replace(token.text[0] * 2, token.text[0])
    return token.text


@dataclasses.dataclass(frozen=True)
class Condition:
    """One MLflow comparison before translation: field, operator, literal values (str or float)."""

    field: Field
    op: str
    values: tuple[str | float, ...]


def parse(text: str | None, field: str = "filter") -> list[Condition]:
    """The comparisons of an MLflow filter (joined by AND)."""
    if text is None or not text.strip():
        return []
    reader = _Reader(text, field)
    conditions = []
    while True:
        name = reader.field_name()
        token = reader.take()
        op = token.text.upper() if token.kind == "ident" else token.text
        if token.kind == "op":
            conditions.append(Condition(name, _OPS[token.text], (_value(reader),)))
        elif op in ("LIKE", "ILIKE"):
            conditions.append(Condition(name, op, (_value(reader, strings_only=True),)))
        elif op == "IN" or (op == "NOT" and reader.peek().text.upper() == "IN"):
            if op == "NOT":
                reader.take()
            conditions.append(Condition(name, "IN" if op == "IN" else "NOT IN", _values(reader)))
        else:
            raise reader.fail(f"expected a comparison operator, found {token.text or 'the end'!r}", token)
        token = reader.take()
        if token.kind == "end":
            return conditions
        if token.text.upper() != "AND":
            raise reader.fail(f"expected AND or the end, found {token.text!r} (MLflow filters join with AND)", token)


def _value(reader: _Reader, strings_only: bool = False) -> str | float:
    token = reader.take()
    if token.kind == "string":
        return _unquote(token)
    if token.kind == "number" and not strings_only:
        return float(token.text)
    raise reader.fail(f"expected {'a quoted pattern' if strings_only else 'a value'}, found {token.text!r}", token)


def _values(reader: _Reader) -> tuple[str | float, ...]:
    token = reader.take()
    if token.kind != "lparen":
        raise reader.fail("expected '(' to start a list", token)
    values = [_value(reader)]
    while reader.peek().kind == "comma":
        reader.take()
        values.append(_value(reader))
    token = reader.take()
    if token.kind != "rparen":
        raise reader.fail("expected ',' or ')'", token)
    return tuple(values)


# -- runs --------------------------------------------------------------------------------------------------------


def run_comparisons(text: str | None) -> list[Comparison]:
    """An MLflow run filter as comparisons our engine compiles."""
    return [_run_comparison(condition, text or "") for condition in parse(text)]


def _run_comparison(condition: Condition, text: str) -> Comparison:
    family, key = condition.field.family, condition.field.key
    if family == "tags" and key in SYSTEM_TAGS:
        family, key = "attribute", SYSTEM_TAGS[key]
    elif family == "attribute":
        if key.lower() not in _ATTRIBUTES:
            raise InvalidInput(
                f"filter: unknown attribute {key!r} (one of {', '.join(sorted(_ATTRIBUTES))})", field="filter"
            )
        key = _ATTRIBUTES[key.lower()]
    values = condition.values
    op = condition.op
    if family == "attribute" and key == "status":
        if op not in ("=", "!=", "IN", "NOT IN"):
            raise InvalidInput(f"filter: status compares with =, != or IN, not {op}", field="filter")
        values = tuple(ours for value in values for ours in our_statuses(str(value)))
        op = "IN" if op in ("=", "IN") else "NOT IN"
    elif family == "attribute" and key in _MILLISECONDS:
        values = tuple(float(v) / 1000.0 if isinstance(v, float) else v for v in values)
    return Comparison(family, key, op, values)


def run_order_by(clauses: Sequence[str]) -> list[str]:
    """MLflow order-by clauses (`metrics.rmse DESC`, `attributes.start_time`) in our order-by language."""
    result = []
    for clause in clauses:
        reader = _Reader(clause, "order_by")
        name = reader.field_name()
        direction = reader.take()
        if direction.kind == "ident" and direction.text.upper() in ("ASC", "DESC"):
            end = reader.take()
        else:
            end, direction = direction, _Tok("ident", "ASC", 0)
        if end.kind != "end":
            raise reader.fail("expected FIELD [ASC|DESC]", end)
        family, key = name.family, name.key
        if family == "tags" and key in SYSTEM_TAGS:
            family, key = "attribute", SYSTEM_TAGS[key]
        if family == "attribute":
            if key.lower() not in _ATTRIBUTES and key not in SYSTEM_TAGS.values():
                raise InvalidInput(f"order_by: unknown attribute {key!r}", field="order_by")
            result.append(f"{_ATTRIBUTES.get(key.lower(), key)} {direction.text.upper()}")
        else:
            if "`" in key:
                raise InvalidInput(f"order_by: a key cannot hold a backtick: {key!r}", field="order_by")
            result.append(f"{family}.`{key}` {direction.text.upper()}")
    return result


# -- experiments, logged models, registered models: few enough to filter in Python --------------------------------


def matches(conditions: Sequence[Condition], attributes: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    """Whether an object with these attributes (name, creation_time, …) and tags meets every condition."""
    for condition in conditions:
        if condition.field.family == "tags":
            actual: Any = tags.get(condition.field.key)
        elif condition.field.family == "attribute":
            if condition.field.key.lower() not in attributes:
                raise InvalidInput(
                    f"filter: unknown attribute {condition.field.key!r} (one of {', '.join(sorted(attributes))})",
                    field="filter",
                )
            actual = attributes[condition.field.key.lower()]
        else:
            raise InvalidInput(f"filter: {condition.field.family} cannot filter these objects", field="filter")
        if not _holds(actual, condition.op, condition.values):
            return False
    return True


def _holds(actual: Any, op: str, values: tuple[str | float, ...]) -> bool:
    if actual is None:
        return op in ("!=", "NOT IN")
    if op in ("IN", "NOT IN"):
        found = any(_compare(actual, "=", value) for value in values)
        return found if op == "IN" else not found
    return _compare(actual, op, values[0])


def _compare(actual: Any, op: str, value: str | float) -> bool:
    if op in ("LIKE", "ILIKE"):
        pattern = "".join("*" if c == "%" else "?" if c == "_" else f"[{c}]" if c in "*?[" else c for c in str(value))
        if op == "ILIKE":
            return fnmatch.fnmatchcase(str(actual).lower(), pattern.lower())
        return fnmatch.fnmatchcase(str(actual), pattern)
    if isinstance(value, float):
        try:
            left: Any = float(actual)
        except (TypeError, ValueError):
            return False
    else:
        left = str(actual)
    right: Any = value
    return bool(
        {
            "=": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]
    )
