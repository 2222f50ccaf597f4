"""Shared by the `mlext` commands: what a command returns, its exit status, aligned tables, KEY=VALUE options."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import Any, NamedTuple

from ..entities import InvalidInput
from ..readable import duration, number, size, time

__all__ = ["WAIT_EPILOG", "Output", "duration", "key_values", "number", "outcome", "printable", "size", "table", "time"]

_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp"})

# Exit statuses: 0 done, 1 an error of ours (main.py), 2 a usage error (argparse); a command that waits for a run or
# a pipeline run to end also says how it ended, so a script or CI job can tell a failed run from a typo.
EXIT_FAILED = 3
EXIT_CANCELED = 4
WAIT_EPILOG = (
    "exit status: 0 the run completed, 1 error (e.g. an unknown run), 2 usage error, 3 the run failed, "
    "4 the run was canceled"
)


class Output(NamedTuple):
    data: Any  # what --json prints
    text: str  # what a person reads
    exit_code: int = 0  # 1 when a command's answer is "no" (`workspace check`); a waiting command's `outcome`


def outcome(state: str) -> int:
    """The exit status of a command that waited for a run (RunStatus) or a pipeline run (PipelineState) to end in
    `state`; both spell their ends Completed, Failed and Canceled."""
    return {"Failed": EXIT_FAILED, "Canceled": EXIT_CANCELED}.get(str(state), 0)


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
