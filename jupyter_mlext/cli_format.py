"""Shared by the `mlext` commands: aligned tables, short renderings of times and sizes, KEY=VALUE options."""
from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any, NamedTuple

from .errors import InvalidInput


class Output(NamedTuple):
    data: Any  # what --json prints
    text: str  # what a person reads


def table(rows: list[list[str]], right: Collection[int] = ()) -> str:
    """Rows as columns two spaces apart, left-aligned except the column indexes in `right` (numbers)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(width) if i in right else cell.ljust(width)
                  for i, (cell, width) in enumerate(zip(row, widths))).rstrip()
        for row in rows
    )


def time(timestamp: float | None) -> str:
    """Local time to the second: what a person compares with their clock."""
    return "-" if timestamp is None else datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours:02d}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def number(value: float | None) -> str:
    return "-" if value is None else format(value, ".6g")


def size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


def key_values(items: list[str], option: str) -> dict[str, str]:
    """Repeated `--OPTION KEY=VALUE` arguments as a mapping."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--{option} takes KEY=VALUE, got {item!r}", field=option)
        pairs[key] = value
    return pairs
