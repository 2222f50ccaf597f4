"""An MLflow request's fields, from the JSON body (POST, PATCH, DELETE) or the query string (GET), checked as
they are read: a missing or mistyped field is INVALID_PARAMETER_VALUE naming it, as MLflow's server answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..entities import InvalidInput


class Request:
    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields

    def has(self, name: str) -> bool:
        return self.fields.get(name) not in (None, "")

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.fields.get(name)
        if value is None or value == "":
            if required:
                raise InvalidInput(f"Missing value for required parameter '{name}'", field=name)
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidInput(f"Invalid value for parameter '{name}': expected a string", field=name)
        return str(value)

    def required(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None  # text() raised otherwise
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.fields.get(name)
        if value is None or value == "":
            return default
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise InvalidInput(
                f"Invalid value {value!r} for parameter '{name}': expected an integer", field=name
            ) from None

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.fields.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise InvalidInput(f"Invalid value {value!r} for parameter '{name}': expected true or false", field=name)

    def items(self, name: str) -> list[Any]:
        """A repeated field: a JSON list, or a query parameter given once or more."""
        value = self.fields.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        return value

    def texts(self, name: str) -> list[str]:
        values = self.items(name)
        if any(isinstance(v, (dict, list, bool)) or v is None for v in values):
            raise InvalidInput(f"Invalid value for parameter '{name}': expected a list of strings", field=name)
        return [str(v) for v in values]

    def key_values(self, name: str) -> dict[str, str]:
        """A list of {"key", "value"} (tags, params) as a mapping."""
        result: dict[str, str] = {}
        for item in self.items(name):
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise InvalidInput(
                    f"Invalid value for parameter '{name}': expected a list of {{key, value}}", field=name
                )
            value = item.get("value")
            result[item["key"]] = "" if value is None else str(value)
        return result

    def objects(self, name: str) -> list[dict[str, Any]]:
        values = self.items(name)
        if any(not isinstance(v, dict) for v in values):
            raise InvalidInput(f"Invalid value for parameter '{name}': expected a list of objects", field=name)
        return values
