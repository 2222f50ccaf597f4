"""Checks applied before anything is written, so bad input is refused whole and names the field at fault."""

from __future__ import annotations

import math
import numbers
import posixpath
import re
import unicodedata
from array import array
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from ..entities import InvalidInput
from ..entities.limits import INT64_MAX, MAX_NAME_LENGTH, MAX_PATH_LENGTH, MAX_TEXT_LENGTH, MAX_VALUE_BYTES

_DRIVE = re.compile(r"^[A-Za-z]:")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def check_encodable(text: str, field: str) -> str:
    """Text that is valid Unicode: a lone surrogate ("\\ud800", which JSON can spell) has no UTF-8 form."""
    if _SURROGATE.search(text):
        raise InvalidInput(f"{field} contains a lone UTF-16 surrogate, which is not a character", field=field)
    return text


def check_name(value: Any, field: str) -> str:
    """Experiment, run, metric, param and tag names: non-empty, at most 250 characters, printable."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string, got {type(value).__name__}", field=field)
    if not value.strip():
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {MAX_NAME_LENGTH}", field=field)
    check_encodable(value, field)
    if _has_control_characters(value):
        raise InvalidInput(f"{field} {value!r} contains control characters", field=field)
    return value


def check_text(value: Any, field: str, limit: int = MAX_TEXT_LENGTH) -> str | None:
    """Optional free text a run records (user, source, commit, error): at most `limit` characters, no NUL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string, got {type(value).__name__}", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {limit}", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character", field=field)
    return check_encodable(value, field)


def check_metric_value(value: Any, field: str) -> float:
    """Any real number (Python, NumPy, a 0-d tensor) becomes a float; NaN and ±inf are kept as they are."""
    if isinstance(value, (bool, str, bytes)) or not (isinstance(value, numbers.Real) or hasattr(value, "__float__")):
        raise InvalidInput(f"{field} must be a number, got {type(value).__name__} {value!r:.40}", field=field)
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{field} must be a number, got {type(value).__name__}: {exc}", field=field) from None


def check_step(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInput(f"{field} must be an integer, got {type(value).__name__} {value!r:.40}", field=field)
    step = int(value)
    if not -INT64_MAX <= step <= INT64_MAX:
        raise InvalidInput(f"{field} {step} does not fit in 64 bits", field=field)
    return step


def check_timestamp(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InvalidInput(
            f"{field} must be a finite number of seconds since the epoch, got {value!r:.40}", field=field
        )
    return float(value)


def check_value(value: Any, field: str) -> str:
    """Param and tag values are stored as text, up to 8 KB of UTF-8."""
    text = value if isinstance(value, str) else str(value)
    check_encodable(text, field)
    size = len(text.encode("utf-8"))
    if size > MAX_VALUE_BYTES:
        raise InvalidInput(f"{field} is {size} bytes long; the limit is {MAX_VALUE_BYTES} bytes", field=field)
    if "\x00" in text:
        raise InvalidInput(f"{field} contains a NUL character", field=field)
    return text


def numeric_value(text: str) -> float | None:
    """The number a param or tag value spells, so filters can compare `params.alpha < 0.5` numerically."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def check_relative_path(value: Any, field: str) -> str:
    """An artifact path that stays inside its run's folder, in normal form ("a/b.txt")."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{field} must be a non-empty relative path", field=field)
    if len(value) > MAX_PATH_LENGTH:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {MAX_PATH_LENGTH}", field=field)
    check_encodable(value, field)
    if _has_control_characters(value):
        raise InvalidInput(f"{field} {value!r} contains control characters", field=field)
    if "\\" in value:
        raise InvalidInput(f"{field} {value!r} contains a backslash; use '/' to separate folders", field=field)
    if value.startswith("/") or _DRIVE.match(value):
        raise InvalidInput(f"{field} {value!r} is absolute; it must be relative to the run's folder", field=field)
    parts = [part for part in value.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(f"{field} {value!r} contains '..' and would leave the run's folder", field=field)
    if not parts:
        raise InvalidInput(f"{field} {value!r} names no file", field=field)
    long_part = next((part for part in parts if len(part.encode("utf-8")) > 255), None)
    if long_part is not None:
        raise InvalidInput(f"{field}: the name {long_part[:40]!r}… is longer than 255 bytes", field=field)
    return posixpath.join(*parts)


# One point as the metric writer hands it over: (key, value, step or None for "next", timestamp).
Point = tuple[str, float, "int | None", float]
# Points of one metric logged with a float value, the default step and the call's time, as two float64 columns
# (values, timestamps) of equal length: what `Run.log`'s fast path appends to, and the writer hands over whole.
Column = tuple[str, "array[float]", "array[float]"]
# Metric names already checked in this process (at most 10,000): their points skip the name checks.
known_metric_names: set[str] = set()


def validate_point(key: Any, value: Any, step: Any, timestamp: Any, now: float) -> Point:
    """A checked (key, float value, step or None, timestamp) point.

    It runs once per logged point, so the common case (a known name, a float, an int step) is kept to a few
    type checks; everything else goes through the full checks, which name the field at fault.
    """
    if key not in known_metric_names:
        check_name(key, "metric name")
        if len(known_metric_names) < 10_000:
            known_metric_names.add(key)
    if type(value) is not float:
        value = check_metric_value(value, f"metrics.{key}")
    if step is not None and (type(step) is not int or not -INT64_MAX <= step <= INT64_MAX):
        step = check_step(step, f"metrics.{key} step")
    if timestamp is None:
        timestamp = now
    elif type(timestamp) is not float or not math.isfinite(timestamp):
        timestamp = check_timestamp(timestamp, f"metrics.{key} timestamp")
    return key, value, step, timestamp


def common_points(points: list[Any]) -> list[Point] | None:
    """The batch as it is when every point is the common one: a 4-tuple of a known name, a float, an int step
    within 64 bits and a finite float timestamp; else None (then each point gets validate_point).

    Each condition is one C-level pass over the batch (map, set, min, max, sum), so a bulk log costs tens of
    nanoseconds a point instead of a Python loop's hundreds.
    """
    if not points or set(map(type, points)) != {tuple} or set(map(len, points)) != {4}:
        return None
    keys, values, steps, timestamps = (list(map(itemgetter(i), points)) for i in range(4))
    if (
        set(map(type, values)) != {float}
        or set(map(type, steps)) != {int}
        or set(map(type, timestamps)) != {float}
        or not known_metric_names.issuperset(keys)
        or min(steps) < -INT64_MAX
        or max(steps) > INT64_MAX
        or not math.isfinite(sum(timestamps))  # a NaN or an infinity anywhere makes the sum one
    ):
        return None
    return points


def check_texts(values: Mapping[str, Any] | None, family: str) -> dict[str, str]:
    """Params, tags or properties: names checked, values as the text the store keeps."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InvalidInput(f"{family} must be a mapping of names to values", field=family)
    return {check_name(key, f"{family} key"): check_value(value, f"{family}.{key}") for key, value in values.items()}
