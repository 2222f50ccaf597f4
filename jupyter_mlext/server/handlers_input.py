"""Typed access to the fields of a JSON request body, so every wrong type is a 400 naming its field.

The store checks values (names, ranges, paths); this layer only checks the JSON types it hands over, and refuses
fields the endpoint does not know, so a misspelt field is an error instead of being silently ignored.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..errors import InvalidInput

_MISSING = object()
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "an object"}


def json_type(value: Any) -> str:
    """The JSON name of a value's type, for messages about what was sent instead."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class Body:
    """The fields of one request body. Missing optional fields and JSON null both read as the default."""

    def __init__(self, data: dict[str, Any], allowed: Collection[str]) -> None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise InvalidInput(f"unknown field {unknown[0]!r}; this request takes {sorted(allowed)}",
                               field=unknown[0])
        self.data = data

    def _get(self, name: str, kind: type, required: bool, default: Any) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise InvalidInput(f"{name} is required", field=name)
            return default
        accepted = (int, float) if kind is float else kind
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise InvalidInput(f"{name} must be {_TYPE_NAMES[kind]}, got {json_type(value)}", field=name)
        return value

    def text(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        return self._get(name, str, required, default)

    def integer(self, name: str, *, required: bool = False, default: int | None = None) -> int | None:
        return self._get(name, int, required, default)

    def number(self, name: str, *, required: bool = False, default: float | None = None) -> float | None:
        return self._get(name, float, required, default)

    def texts(self, name: str) -> list[str]:
        """A list of strings (command-line arguments)."""
        values = self._get(name, list, False, [])
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise InvalidInput(f"{name}[{index}] must be a string, got {json_type(value)}", field=name)
        return values

    def scalars(self, name: str) -> dict[str, str | int | float]:
        """Params or tags: an object of names to strings or numbers (the store keeps them as text)."""
        values = self._get(name, dict, False, {})
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise InvalidInput(f"{name}.{key} must be a string or a number, got {json_type(value)}",
                                   field=f"{name}.{key}")
        return values

    def items(self, name: str, *, required: bool = False) -> list[Any]:
        return self._get(name, list, required, [])
