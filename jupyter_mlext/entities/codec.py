"""Entities to JSON-safe values and back: the one codec every layer uses (REST answers, the CLI's --json, the HTTP
transport's decoding).

JSON has no NaN or infinities: they travel as the strings "NaN", "Infinity" and "-Infinity" and come back as
floats. Decoding is generic: a dataclass is rebuilt from its type hints (enums, nested entities, lists and dicts
of them, optional fields), so a new entity needs no decoder of its own.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def jsonable(value: Any) -> Any:
    """`value` with floats that JSON cannot spell written as strings, enums as their values, tuples as lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def number(value: Any) -> Any:
    """A float from its JSON spelling ("NaN", "Infinity", "-Infinity" or a number); anything else unchanged."""
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    return value


class Entity:
    """Base of every entity: `to_dict()` is the JSON shape the API documents (api/openapi.yaml)."""

    def to_dict(self) -> dict[str, Any]:
        return jsonable(dataclasses.asdict(self))  # type: ignore[call-overload,no-any-return]


def decode(cls: type[T], data: Mapping[str, Any]) -> T:
    """An entity of type `cls` from its `to_dict()` form; keys the entity does not have are ignored (a newer
    server may send more), missing keys take the field's default."""
    entity: type = cls  # mypy does not see that type[T] is Hashable, as the cached _hints needs
    hints = _hints(entity)
    values = {name: _value(hints[name], data[name]) for name in hints if name in data}
    return cls(**values)


@cache
def _hints(cls: type) -> dict[str, Any]:
    names = {field.name for field in dataclasses.fields(cls)}
    return {name: hint for name, hint in typing.get_type_hints(cls).items() if name in names}


def _value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _value(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple):
        (item,) = typing.get_args(hint)[:1] or (Any,)
        return [_value(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _value(item, v) for k, v in value.items()}
    if hint is float:
        return float(number(value))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode(hint, value)
    return value
