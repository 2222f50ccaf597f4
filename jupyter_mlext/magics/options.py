"""Parsing what follows `%%mlrun` and `%mlrun`: options, KEY=VALUE pairs and typed parameter values.

Every mistake becomes an IPython `UsageError`, which the shell prints as one line (`UsageError: …`) instead of a
traceback through our code: a notebook user who mistypes an option must see what to fix, not where we parse it.
"""

from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, NoReturn

from IPython.core.error import UsageError

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


class _Parser(argparse.ArgumentParser):
    """argparse that raises a one-line UsageError rather than printing usage and exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        usage = " ".join(self.format_usage().split())
        raise UsageError(f"{self.prog}: {message} ({usage})")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise UsageError(f"{self.prog}: {' '.join((message or 'stopped').split())}")


def strip_comment(line: str) -> str:
    """The line without a trailing `# comment`, as a shell reads one: a `#` that starts a word outside quotes
    (`'…'`, `"…"`, or the filter language's backticks) begins a comment, so `%mlrun show 3f2a  # the best` works
    as written while `tags.note = '#1'` and `a#b` keep their `#`. A backslash outside single quotes escapes the
    next character."""
    quote: str | None = None
    escaped = False
    for position, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == "#" and (position == 0 or line[position - 1].isspace()):
            return line[:position].rstrip()
    return line


def split_words(line: str, what: str) -> list[str]:
    """The line split as a shell would (quotes group words), or a UsageError for an unbalanced quote."""
    try:
        return shlex.split(line)
    except ValueError as error:
        raise UsageError(f"{what}: {error}") from None


def parse_value(text: str) -> Any:
    """A `--param` value typed the way papermill types its `-p` values: True/False, then int, then float, else
    the text itself, so `--param epochs=10` gives the cell an int and `--param alpha=1e-3` a float."""
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        return float(text)
    return text


def key_values(items: list[str], option: str, prog: str, identifiers: bool = False) -> dict[str, str]:
    """Repeated `--OPTION KEY=VALUE` words as a mapping; with `identifiers` each KEY must be a Python name
    (params become variables of the cell)."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{prog}: --{option} takes KEY=VALUE, got {item!r}")
        if identifiers and not key.isidentifier():
            raise UsageError(f"{prog}: --{option} {key!r} is not a Python variable name")
        pairs[key] = value
    return pairs


@dataclass(frozen=True)
class CellOptions:
    """What `%%mlrun …` asked for."""

    experiment: str | None = None
    name: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    chart: list[str] | None = None


def _cell_parser() -> _Parser:
    parser = _Parser(prog="%%mlrun", add_help=False)
    parser.add_argument("--experiment", metavar="E")
    parser.add_argument("--name", metavar="N")
    parser.add_argument("--param", action="append", default=[], metavar="k=v")
    parser.add_argument("--tag", action="append", default=[], metavar="k=v")
    parser.add_argument("--chart", metavar="KEYS", help="comma-separated metric names to chart (default: all)")
    return parser


def parse_cell_options(line: str) -> CellOptions:
    args = _cell_parser().parse_args(split_words(strip_comment(line), "%%mlrun"))
    chart = None
    if args.chart is not None:
        chart = [key.strip() for key in args.chart.split(",") if key.strip()]
        if not chart:
            raise UsageError("%%mlrun: --chart takes metric names separated by commas")
    raw_params = key_values(args.param, "param", "%%mlrun", identifiers=True)
    params = {key: parse_value(value) for key, value in raw_params.items()}
    return CellOptions(args.experiment, args.name, params, key_values(args.tag, "tag", "%%mlrun"), chart)


@dataclass(frozen=True)
class SubmitOptions:
    """What `%mlrun submit SCRIPT … [-- ARGS]` asked for."""

    script: str
    args: list[str]
    compute: str
    experiment: str | None
    name: str | None
    params: dict[str, str]
    source_dir: str | None
    timeout: float | None


def parse_submit(words: list[str]) -> SubmitOptions:
    script_args: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, script_args = words[:cut], words[cut + 1 :]
    parser = _Parser(prog="%mlrun submit", add_help=False)
    parser.add_argument("script", metavar="SCRIPT")
    parser.add_argument("--compute", default="local", metavar="T")
    parser.add_argument("--experiment", metavar="E")
    parser.add_argument("--name", metavar="N")
    parser.add_argument("--param", action="append", default=[], metavar="k=v")
    parser.add_argument("--source-dir", metavar="DIR")
    parser.add_argument("--timeout", type=float, metavar="SECONDS")
    args = parser.parse_args(words)
    return SubmitOptions(
        args.script,
        script_args,
        args.compute,
        args.experiment,
        args.name,
        key_values(args.param, "param", "%mlrun submit"),
        args.source_dir,
        args.timeout,
    )


def parse_run_ids(words: list[str], prog: str, at_least: int) -> list[str]:
    """RUN arguments (ids or unique prefixes); `at_least` of them, and no options."""
    options = [word for word in words if word.startswith("-")]
    if options:
        raise UsageError(f"{prog}: unknown option {options[0]!r} (usage: {prog} RUN{' RUN…' * (at_least > 1)})")
    if len(words) < at_least:
        wanted = "a run id" if at_least == 1 else f"at least {at_least} run ids"
        raise UsageError(f"{prog}: give {wanted} (usage: {prog} RUN{' RUN…' * (at_least > 1)})")
    return words
