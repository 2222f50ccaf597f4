"""Small HTML pieces for the `ipywidgets.HTML` parts of the widgets: escaped tables and status badges."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence

from ..entities import RunInfo, RunStatus

STATUS_COLORS = {
    RunStatus.QUEUED: "#6c757d",
    RunStatus.PREPARING: "#6c757d",
    RunStatus.RUNNING: "#0d6efd",
    RunStatus.FINALIZING: "#0d6efd",
    RunStatus.COMPLETED: "#198754",
    RunStatus.FAILED: "#dc3545",
    RunStatus.CANCELED: "#fd7e14",
}
_CELL = "padding:2px 10px 2px 0;text-align:{align};white-space:nowrap;{extra}"


def escape(text: object) -> str:
    return html.escape(str(text))


def status_badge(status: RunStatus) -> str:
    return (
        f'<span style="color:white;background:{STATUS_COLORS[status]};border-radius:3px;padding:0 5px;'
        f'font-size:90%">{escape(status.value)}</span>'
    )


def run_title(info: RunInfo) -> str:
    return f"<b>{escape(info.name)}</b> <code>{escape(info.id[:8])}</code> {status_badge(info.status)}"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Collection[int] = (),
    emphasised_rows: Collection[int] = (),
    raw_columns: Collection[int] = (),
) -> str:
    """An HTML table; cells are escaped except in `raw_columns` (already HTML, e.g. badges)."""

    def cell(tag: str, column: int, value: str, row: int | None) -> str:
        extra = "font-weight:bold;" if row in emphasised_rows else ""
        style = _CELL.format(align="right" if column in right else "left", extra=extra)
        content = value if column in raw_columns and tag == "td" else escape(value)
        return f'<{tag} style="{style}">{content}</{tag}>'

    head = "".join(cell("th", i, h, None) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v, r) for i, v in enumerate(row)) + "</tr>" for r, row in enumerate(rows)
    )
    return f'<table style="border-collapse:collapse;font-size:90%"><tr>{head}</tr>{body}</table>'


def note(text: str, error: bool = False) -> str:
    color = "#dc3545" if error else "#6c757d"
    return f'<span style="color:{color}">{escape(text)}</span>'
