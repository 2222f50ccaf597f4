"""The contract, api/openapi.yaml, as the code enforces it: the server validates each operation's request body
against the schema the document gives it before a handler reads it, and pipeline definitions (pipeline.yaml or the
Python form) are validated against its `PipelineDefinition` schema, so nothing accepts what the document refuses
and a refusal names the field at fault.

The document is the only hand-written description of the wire shapes: the frontend's types are generated from it
(src/api/schema.d.ts) and the tests check every answer against it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from ..entities import InvalidInput, TooLarge
from ..entities.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_LIST_ITEMS, MAX_STRING_LENGTH

if TYPE_CHECKING:  # jsonschema is imported on first validation: with its format extras installed it costs a
    # second or more (rfc3987_syntax builds a grammar at import), which every `mlext` command would pay at start
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

SPEC_URI = "urn:jupyter-mlext:openapi"
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "null": "null",
}


def spec_path() -> Path:
    """The document: inside the installed package (the wheel build puts it there, see pyproject.toml), else in the
    source tree this package is imported from."""
    packaged = Path(__file__).resolve().parent.parent / "openapi.yaml"
    return packaged if packaged.is_file() else Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"


@functools.cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _registry() -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec(), default_specification=DRAFT202012))
    return cast("Registry[Any]", registry)


@functools.cache
def body_validator(template: str, method: str) -> Draft202012Validator | None:
    """The validator of an operation's JSON request body, or None when the operation takes none."""
    operation = spec()["paths"].get(template, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    pointer = f"{SPEC_URI}#/paths/{_escape(template)}/{method.lower()}/requestBody/content/application~1json/schema"
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": pointer}, registry=_registry())


@functools.cache
def schema_validator(component: str) -> Draft202012Validator:
    """The validator of a named schema of the document (`#/components/schemas/<component>`)."""
    if component not in spec()["components"]["schemas"]:
        raise KeyError(f"api/openapi.yaml has no schema {component!r}")
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{component}"}, registry=_registry())


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


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


def parse_body(raw: bytes) -> Any:
    """The JSON of a request body (an empty body reads as an empty object), within the limits of
    entities/limits.py: its size, its nesting, the length of every string and list, and valid Unicode only."""
    if len(raw) > MAX_BODY_BYTES:
        raise TooLarge(f"request body is {len(raw)} bytes; the limit is {MAX_BODY_BYTES}", field="body")
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InvalidInput(f"request body nests deeper than {MAX_JSON_DEPTH} levels", field="body") from None
    except ValueError as error:
        raise InvalidInput(f"request body is not valid JSON: {error}", field="body") from None
    check_shape(data)
    return data


def check_shape(data: Any) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH, strings longer than MAX_STRING_LENGTH or holding lone
    surrogates, and lists or objects of more than MAX_LIST_ITEMS; iterative, so no input can exhaust the stack."""
    pending: list[tuple[Any, list[Any]]] = [(data, [])]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            _check_string(value, path)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if len(path) >= MAX_JSON_DEPTH:
            raise InvalidInput(f"{_indexed_field(path)} nests deeper than {MAX_JSON_DEPTH} levels", field=_field(path))
        if len(value) > MAX_LIST_ITEMS:
            raise TooLarge(
                f"{_indexed_field(path)} has {len(value)} items; the limit is {MAX_LIST_ITEMS}", field=_field(path)
            )
        if isinstance(value, dict):
            for key, member in value.items():
                _check_string(key, path)
                pending.append((member, [*path, key]))
        else:
            pending.extend((item, [*path, index]) for index, item in enumerate(value))


def _check_string(text: str, path: list[Any]) -> None:
    if len(text) > MAX_STRING_LENGTH:
        raise TooLarge(
            f"{_indexed_field(path)} is {len(text)} characters long; the limit is {MAX_STRING_LENGTH}",
            field=_field(path),
        )
    if _SURROGATE.search(text):
        raise InvalidInput(
            f"{_indexed_field(path)} contains a lone UTF-16 surrogate, which is not a character", field=_field(path)
        )


def check_body(validator: Draft202012Validator, data: Any) -> dict[str, Any]:
    """`data` if the schema accepts it, else InvalidInput for the first fault, naming its field (a request's
    field names stop at the first list: `points` for anything inside the points)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"request body must be a JSON object, got {json_type(data)}", field="body")
    _raise_first_fault(validator, data, _field)
    return data


def check_document(validator: Draft202012Validator, data: Any, what: str) -> None:
    """Raise InvalidInput for the first fault of a document (`what` names it in messages), its field spelt with
    list positions (`steps[0].retries`), since a document's reader looks for the item at fault."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{what} must be a mapping, got {json_type(data)}", field="definition")
    _raise_first_fault(validator, data, _indexed_field)


def _raise_first_fault(validator: Draft202012Validator, data: Any, field_of: Callable[[list[Any]], str]) -> None:
    from jsonschema.exceptions import best_match

    errors = list(validator.iter_errors(data))
    # A misspelt field is also a missing one: name the misspelling, which says what to fix.
    unknown = [e for e in errors if e.validator == "additionalProperties"]
    error = min(unknown, key=lambda e: len(e.absolute_path)) if unknown else best_match(errors)
    if error is not None:
        raise _refusal(error, field_of)


def _field(path: list[Any]) -> str:
    """`params.alpha` for an object's member, `points` for anything inside a list."""
    names: list[str] = []
    for part in path:
        if isinstance(part, int):
            break
        names.append(str(part))
    return ".".join(names) or "body"


def _indexed_field(path: list[Any]) -> str:
    """`steps[0].params.alpha`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "definition"


def _refusal(error: ValidationError, field_of: Callable[[list[Any]], str]) -> InvalidInput:
    path = list(error.absolute_path)
    field = field_of(path)
    where = _indexed_field(path) if path else field
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(known))
        name = field_of([*path, unknown[0]]) if unknown else field
        return InvalidInput(f"unknown field {name!r} (the known fields are {', '.join(known)})", field=name)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next((n for n in error.validator_value if n not in error.instance), "")
        name = field_of([*path, missing])
        return InvalidInput(f"{name} is required", field=name)
    if error.validator == "type":
        wanted: list[str] = (
            error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        )
        expected = " or ".join(_JSON_TYPES.get(kind, kind) for kind in wanted if kind != "null")
        return InvalidInput(f"{where} must be {expected}, got {json_type(error.instance)}", field=field)
    if error.validator in ("anyOf", "oneOf"):
        return InvalidInput(
            f"{where} is not a valid value here: {json_type(error.instance)} {json.dumps(error.instance)[:60]}",
            field=field,
        )
    if error.validator in ("maxLength", "maxItems", "maxProperties") and isinstance(error.instance, (str, list, dict)):
        unit = "characters long" if isinstance(error.instance, str) else "items"
        size = f"is {len(error.instance)} {unit}" if unit.endswith("long") else f"has {len(error.instance)} {unit}"
        return InvalidInput(f"{where} {size}; the limit is {error.validator_value}", field=field)
    if error.validator == "minLength":
        return InvalidInput(f"{where} must not be empty", field=field)
    if error.validator == "pattern":
        rule = error.schema.get("description") or f"a match of {error.validator_value}"
        return InvalidInput(f"{where} must be {rule}, got {error.instance!r}", field=field)
    if error.validator == "enum":
        return InvalidInput(f"{where} must be one of {error.validator_value}, got {error.instance!r}", field=field)
    return InvalidInput(f"{where}: {error.message}", field=field)
