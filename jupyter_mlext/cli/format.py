"""Shared by the `mlext` commands: what a command returns, aligned tables, KEY=VALUE options."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import Any, NamedTuple

from ..entities import InvalidInput
from ..readable import duration, number, size, time

__all__ = ["Output", "duration", "key_values", "number", "printable", "size", "table", "time"]

_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp"})


class Output(NamedTuple):
    data: Any  # what --json prints
    text: str  # what a person reads
    status: int = 0  # the exit status: 1 when a command's answer is "no" (`mlext workspace check` found problems)


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` safe for a terminal: control and format characters (an escape sequence that would recolour or
    retitle the terminal, a NUL, a right-to-left override) are shown as Python escapes (`\\x1b`, `\\u202e`)
    instead of acting; `keep_newlines` keeps line breaks (a traceback)."""
    if text.isprintable():
        return text
    return "".join(
        ch if (ch == "\n" and keep_newlines) or unicodedata.category(ch) not in _UNSAFE else ascii(ch)[1:-1]
        for ch in text
    )


def table(rows: list[list[str]], right: Collection[int] = ()) -> str:
    """Rows as columns two spaces apart, left-aligned except the column indexes in `right` (numbers); cells are
    made `printable`."""
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width) for i, (cell, width) in enumerate(zip(row, widths))
        ).rstrip()
        for row in rows
    )


def key_values(items: list[str], option: str) -> dict[str, str]:
    """Repeated `--OPTION KEY=VALUE` arguments as a mapping."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--{option} takes KEY=VALUE, got {item!r}", field=option)
        pairs[key] = value
    return pairs
