"""The run filter language, compiled to parameterised SQL.

    metrics.mse < 3 and (params.alpha = 0.1 or tags.team != 'vision') and status = 'Completed'

Fields are `metrics.KEY` (the latest value), `params.KEY`, `tags.KEY` (keys with spaces or symbols go in
backticks) and run attributes (`status`, `name`, `id`, `experiment`, `user`, `compute`, `source_type`,
`source_name`, `git_commit`, `parent_id`, `created_at`, `started_at`, `ended_at`, `duration`). Operators:
= != < <= > >= LIKE (case-sensitive) ILIKE, IN (...), NOT IN (...); combine with and/or/not and parentheses.
A numeric literal compares params and tags as numbers, a quoted one as text. Values never enter the SQL text:
every literal becomes a bound parameter, and keys are bound too.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence

from ..entities import InvalidInput, RunStatus
from ..entities.limits import MAX_FILTER_CONDITIONS, MAX_FILTER_NESTING, MAX_IN_VALUES, MAX_QUERY_LENGTH


class FilterSyntaxError(InvalidInput):
    """A malformed filter or order_by; `position` is the 0-based offset of the offending character."""

    def __init__(self, message: str, position: int, text: str, field: str = "filter") -> None:
        super().__init__(f"{field}: {message} at position {position} of {text!r}", field=field)
        self.position = position


@dataclasses.dataclass(frozen=True)
class _Token:
    kind: str  # "ident", "string", "number", "op", "lparen", "rparen", "comma", "end"
    text: str
    value: object
    position: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<ident>(?:[A-Za-z_][\w]*|`[^`]+`)(?:\.(?:[\w\-]+(?:\.[\w\-]+)*|`[^`]+`))?)
  | (?P<op>==|!=|<>|<=|>=|=|<|>)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "not", "in", "like", "ilike"}
_ATTRIBUTES = {
    "id": "r.id",
    "run_id": "r.id",
    "name": "r.name",
    "status": "r.status",
    "experiment": "e.name",
    "user": "r.user",
    "compute": "r.compute",
    "source_type": "r.source_type",
    "source_name": "r.source_name",
    "git_commit": "r.git_commit",
    "parent_id": "r.parent_id",
    "created_at": "r.created_at",
    "started_at": "r.started_at",
    "ended_at": "r.ended_at",
    "start_time": "r.started_at",
    "end_time": "r.ended_at",
    "duration": "(r.ended_at - r.started_at)",
}
_TIME_ATTRIBUTES = {"created_at", "started_at", "ended_at", "start_time", "end_time"}
_NUMERIC_ATTRIBUTES = _TIME_ATTRIBUTES | {"duration"}
_OPERATORS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _describe(token: _Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text)


def _tokenize(text: str, field: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if not match:
            raise FilterSyntaxError(f"unexpected character {text[position]!r}", position, text, field)
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "string":
            tokens.append(_Token("string", raw, raw[1:-1].replace(raw[0] * 2, raw[0]), position))
        elif kind == "number":
            tokens.append(_Token("number", raw, float(raw), position))
        elif kind == "ident" and raw.lower() in _KEYWORDS:
            tokens.append(_Token("keyword", raw, raw.lower(), position))
        elif kind != "space":
            tokens.append(_Token(kind, raw, raw, position))
        position = match.end()
    tokens.append(_Token("end", "", None, len(text)))
    return tokens


@dataclasses.dataclass(frozen=True)
class _Field:
    """A parsed field: its family (metrics/params/tags/attribute) and key."""

    family: str
    key: str
    position: int


def _parse_field(token: _Token, text: str, field: str) -> _Field:
    if token.kind != "ident":
        raise FilterSyntaxError(f"expected a field name, found {_describe(token)}", token.position, text, field)
    head, _, rest = token.text.partition(".")
    head = head.lower()
    if rest and head in ("metrics", "metric", "params", "param", "tags", "tag"):
        family = {"metric": "metrics", "param": "params", "tag": "tags"}.get(head, head)
        return _Field(family, rest.strip("`"), token.position)
    name = (rest if head in ("attributes", "attribute", "attr") and rest else token.text).lower()
    if name not in _ATTRIBUTES:
        raise FilterSyntaxError(
            f"unknown field {_describe(token)} (use metrics.KEY, params.KEY, tags.KEY or one of "
            f"{', '.join(sorted(_ATTRIBUTES))})",
            token.position,
            text,
            field,
        )
    return _Field("attribute", name, token.position)


class _Parser:
    """Recursive descent: or → and → not → comparison | ( or )."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text, "filter")
        self.index = 0
        self.params: list[object] = []
        self.depth = 0
        self.conditions = 0

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _error(self, message: str, token: _Token) -> FilterSyntaxError:
        return FilterSyntaxError(message, token.position, self.text)

    def _is_keyword(self, word: str) -> bool:
        token = self._peek()
        return token.kind == "keyword" and token.value == word

    def parse(self) -> str:
        sql = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._error(f"expected 'and', 'or' or the end, found {_describe(token)}", token)
        return sql

    def _or(self) -> str:
        parts = [self._and()]
        while self._is_keyword("or"):
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._not()]
        while self._is_keyword("and"):
            self._take()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _not(self) -> str:
        if self._is_keyword("not") or self._peek().kind == "lparen":
            self.depth += 1
            if self.depth > MAX_FILTER_NESTING:
                raise self._error(f"filter nests more than {MAX_FILTER_NESTING} parentheses or 'not's", self._peek())
            opening = self._take()
            if opening.kind == "keyword":
                inner = f"NOT {self._not()}"
            else:
                inner = self._or()
                token = self._take()
                if token.kind != "rparen":
                    raise self._error(f"expected ')', found {_describe(token)}", token)
            self.depth -= 1
            return inner
        self.conditions += 1
        if self.conditions > MAX_FILTER_CONDITIONS:
            raise self._error(f"filter has more than {MAX_FILTER_CONDITIONS} comparisons", self._peek())
        return self._comparison()

    def _comparison(self) -> str:
        field = _parse_field(self._take(), self.text, "filter")
        token = self._take()
        if token.kind == "op":
            return self._compile(field, _OPERATORS[token.text], [self._literal()])
        if token.kind == "keyword" and token.value in ("like", "ilike"):
            return self._compile(field, str(token.value).upper(), [self._literal(kind="string")])
        if token.kind == "keyword" and token.value == "in":
            return self._compile(field, "IN", self._literal_list())
        if token.kind == "keyword" and token.value == "not" and self._is_keyword("in"):
            self._take()
            return self._compile(field, "NOT IN", self._literal_list())
        raise self._error(
            f"expected a comparison operator after {self.text[field.position : token.position].strip()!r}, "
            f"found {_describe(token)}",
            token,
        )

    def _literal(self, kind: str | None = None) -> _Token:
        token = self._take()
        if token.kind not in ("string", "number") or (kind and token.kind != kind):
            expected = "a quoted pattern" if kind == "string" else "a number or a quoted string"
            raise self._error(f"expected {expected}, found {_describe(token)}", token)
        return token

    def _literal_list(self) -> list[_Token]:
        token = self._take()
        if token.kind != "lparen":
            raise self._error(f"expected '(' to start a list, found {_describe(token)}", token)
        values = [self._literal()]
        while self._peek().kind == "comma":
            comma = self._take()
            if len(values) == MAX_IN_VALUES:
                raise self._error(f"a list holds at most {MAX_IN_VALUES} values", comma)
            values.append(self._literal())
        token = self._take()
        if token.kind != "rparen":
            raise self._error(f"expected ',' or ')', found {_describe(token)}", token)
        return values

    def _bind(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def compile_literals(self, field: _Field, op: str, literals: list[_Token]) -> str:
        """One comparison parsed elsewhere (compile_comparisons), compiled as the parser compiles its own."""
        return self._compile(field, op, literals)

    def _compile(self, field: _Field, op: str, literals: list[_Token]) -> str:
        if field.family == "metrics":
            for literal in literals:
                if literal.kind != "number":
                    raise self._error(f"metrics.{field.key} compares to numbers, not {literal.text}", literal)
            if op in ("LIKE", "ILIKE"):
                raise self._error(f"metrics.{field.key} cannot be matched with {op}", literals[0])
            key = self._bind(field.key)
            return (
                f"EXISTS (SELECT 1 FROM metric_series ms WHERE ms.run_id = r.id AND ms.key = {key} "
                f"AND {self._condition('ms.last', op, literals, numeric=True)})"
            )
        if field.family in ("params", "tags"):
            numeric = all(literal.kind == "number" for literal in literals)
            column = "kv.value_num" if numeric else "kv.value"
            key = self._bind(field.key)
            return (
                f"EXISTS (SELECT 1 FROM {field.family} kv WHERE kv.run_id = r.id AND kv.key = {key} "
                f"AND {self._condition(column, op, literals, numeric=numeric)})"
            )
        return self._condition(
            _ATTRIBUTES[field.key],
            op,
            [self._attribute_value(field, t) for t in literals],
            numeric=field.key in _NUMERIC_ATTRIBUTES,
        )

    def _attribute_value(self, field: _Field, literal: _Token) -> _Token:
        if field.key in _TIME_ATTRIBUTES and literal.kind == "string":
            try:
                moment = datetime.datetime.fromisoformat(str(literal.value))
            except ValueError:
                raise self._error(
                    f"{field.key} needs a number of seconds or an ISO date, not {literal.text}", literal
                ) from None
            if moment.tzinfo is None:
                moment = moment.astimezone()
            return dataclasses.replace(literal, kind="number", value=moment.timestamp())
        if field.key in _NUMERIC_ATTRIBUTES and literal.kind != "number":
            raise self._error(f"{field.key} compares to numbers, not {literal.text}", literal)
        if field.key == "status" and literal.kind == "string":
            known = {status.value.lower(): status.value for status in RunStatus}
            if str(literal.value).lower() not in known:
                raise self._error(f"unknown status {literal.text} (one of {', '.join(known.values())})", literal)
            return dataclasses.replace(literal, value=known[str(literal.value).lower()])
        return literal

    def _condition(self, column: str, op: str, literals: list[_Token], numeric: bool) -> str:
        values = [literal.value if numeric or literal.kind == "string" else literal.text for literal in literals]
        if op in ("IN", "NOT IN"):
            return f"{column} {op} ({', '.join(self._bind(v) for v in values)})"
        if op == "LIKE":
            return f"{column} GLOB {self._bind(_like_to_glob(str(values[0])))}"
        if op == "ILIKE":
            return f"{column} LIKE {self._bind(values[0])}"
        return f"{column} {op} {self._bind(values[0])}"


def _like_to_glob(pattern: str) -> str:
    """SQL LIKE is case-insensitive in SQLite; GLOB is not, so LIKE patterns are translated to GLOB."""
    out = []
    for ch in pattern:
        if ch == "%":
            out.append("*")
        elif ch == "_":
            out.append("?")
        elif ch in "*?[]":
            out.append(f"[{ch}]")
        else:
            out.append(ch)
    return "".join(out)


def compile_filter(text: str | None) -> tuple[str, list[object]]:
    """SQL for a WHERE clause over `runs r JOIN experiments e`, and its parameters."""
    if text is None or not text.strip():
        return "1", []
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"filter is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}", field="filter")
    parser = _Parser(text)
    return parser.parse(), parser.params


_ORDER_RE = re.compile(r"^\s*(?P<field>.+?)(?:\s+(?P<direction>asc|desc))?\s*$", re.IGNORECASE)


def compile_order_by(order_by: str | Sequence[str] | None) -> tuple[str, str, list[object]]:
    """SQL JOINs, an ORDER BY list and its parameters; runs without the ordered metric or param sort last."""
    clauses = [order_by] if isinstance(order_by, str) else list(order_by or [])
    joins: list[str] = []
    orders: list[str] = []
    params: list[object] = []
    for index, clause in enumerate(clauses):
        match = _ORDER_RE.match(clause)
        tokens = _tokenize(match.group("field") if match else clause, "order_by")
        if not match or len(tokens) != 2:
            raise FilterSyntaxError("expected FIELD [ASC|DESC]", 0, clause, "order_by")
        field = _parse_field(tokens[0], clause, "order_by")
        direction = (match.group("direction") or "asc").upper()
        alias = f"o{index}"
        if field.family == "metrics":
            joins.append(f"LEFT JOIN metric_series {alias} ON {alias}.run_id = r.id AND {alias}.key = ?")
            params.append(field.key)
            orders.append(f"{alias}.last IS NULL, {alias}.last {direction}")
        elif field.family in ("params", "tags"):
            joins.append(f"LEFT JOIN {field.family} {alias} ON {alias}.run_id = r.id AND {alias}.key = ?")
            params.append(field.key)
            orders.append(f"{alias}.value IS NULL, {alias}.value_num {direction}, {alias}.value {direction}")
        else:
            column = _ATTRIBUTES[field.key]
            orders.append(f"{column} IS NULL, {column} {direction}")
    orders.append("r.created_at DESC, r.id")
    return " ".join(joins), ", ".join(orders), params


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One comparison parsed by another front end (mlflow_compat/filters.py parses MLflow's filter syntax):
    `family` is metrics, params, tags or attribute (then `key` is one of the attributes above), `op` one of
    = != < <= > >= LIKE ILIKE IN "NOT IN", and `values` the literals (str or float)."""

    family: str
    key: str
    op: str
    values: tuple[str | float, ...]


def compile_comparisons(comparisons: Sequence[Comparison], text: str) -> tuple[str, list[object]]:
    """SQL for the conjunction of `comparisons` (from the filter `text`, named in errors), with the same
    parameterised compilation as the filter language: literals and keys are bound, never pasted."""
    if len(comparisons) > MAX_FILTER_CONDITIONS:
        raise InvalidInput(f"filter has more than {MAX_FILTER_CONDITIONS} comparisons", field="filter")
    parser = _Parser("")
    parser.text = text
    parts = []
    for comparison in comparisons:
        if comparison.family == "attribute" and comparison.key not in _ATTRIBUTES:
            raise InvalidInput(f"filter: unknown attribute {comparison.key!r}", field="filter")
        if comparison.op not in {*_OPERATORS.values(), "LIKE", "ILIKE", "IN", "NOT IN"}:
            raise InvalidInput(f"filter: unknown operator {comparison.op!r}", field="filter")
        literals = [
            _Token("string", repr(value), value, 0)
            if isinstance(value, str)
            else _Token("number", repr(value), float(value), 0)
            for value in comparison.values
        ]
        if len(literals) > MAX_IN_VALUES:
            raise InvalidInput(f"filter: a list holds at most {MAX_IN_VALUES} values", field="filter")
        parts.append(parser.compile_literals(_Field(comparison.family, comparison.key, 0), comparison.op, literals))
    return (" AND ".join(parts) or "1"), parser.params
