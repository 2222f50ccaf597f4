"""RunDetails: everything about one run in tabs, following it live until it ends.

    mlx.RunDetails(mlx.submit("train.py", args=["--lr", "0.1"]))

Status and timings on top; tabs for params and latest metrics, charts, the log's tail and the output files. A
submitted run is followed from `Queued` to its end (about once a second, charts at most when they changed).
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets

from .. import readable
from ..entities import Artifact, MLExtError, RunInfo
from ..sdk import run as sdk
from ._data import chart_keys, read_panels, series_signature
from ._draw import ChartRenderer, chart_image, show_chart
from ._follow import Follower
from ._html import escape, note, run_title, table

FOLLOW_INTERVAL_S = 1.0
LOG_TAIL_BYTES = 8 * 1024
TABS = ("Overview", "Charts", "Log", "Outputs")


class RunDetails(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no type information: VBox is Any
    """One run (a handle, an id or a unique prefix); with `follow` (the default) a background thread updates
    the view about once a second until the run ends (a run that stays Queued is followed until `stop()`)."""

    def __init__(self, run: sdk.Run | str, *, follow: bool = True) -> None:
        self.run = run if isinstance(run, sdk.Run) else sdk.get_run(run)
        self._header = widgets.HTML()
        self._overview = widgets.HTML()
        self._chart = chart_image()
        self._chart_note = widgets.HTML()
        self._log = widgets.HTML()
        self._outputs = widgets.HTML()
        self._tabs = widgets.Tab(
            children=[self._overview, widgets.VBox([self._chart_note, self._chart]), self._log, self._outputs],
            titles=TABS,
        )
        super().__init__([self._header, self._tabs])
        self._signature: tuple[Any, ...] | None = None
        self._refresh_guard = threading.Lock()
        self._renderer = ChartRenderer()
        self._follower = Follower(self.refresh, FOLLOW_INTERVAL_S)
        if not self.refresh() and follow:
            self._follower.start()

    def __repr__(self) -> str:
        return f"<RunDetails of run {self.run.id}>"

    @property
    def following(self) -> bool:
        """True while a background thread keeps the view up to date (until the run ends, or `stop()`)."""
        return self._follower.running

    def refresh(self) -> bool:
        """Read the run again and update every part; returns True once the run has ended."""
        with self._refresh_guard:
            info = self.run.info
            log_text = self._log_tail()
            outputs = self.run.list_artifacts()
            signature = series_signature([info])
            chart = None if signature == self._signature else self._chart_png(info)
            with self.hold_sync():
                self._header.value = _header(info)
                self._overview.value = _overview(info)
                self._log.value = log_text
                self._outputs.value = _outputs(outputs)
                if chart is not None:
                    self._chart_note.value, png = chart
                    if png:
                        show_chart(self._chart, png, self._renderer.css_width)
            self._signature = signature
            return info.status.is_terminal

    def stop(self) -> None:
        """Stop following the run."""
        self._follower.stop()

    def _chart_png(self, info: RunInfo) -> tuple[str, bytes | None]:
        keys, total = chart_keys([info], None)
        if not keys:
            return note("no metrics"), None
        panels = read_panels([self.run], [info], keys)
        shown = f"showing {len(keys)} of {total} metrics" if total > len(keys) else ""
        return note(shown), self._renderer.render(panels)

    def _log_tail(self) -> str:
        try:
            chunk = self.run.read_log(-LOG_TAIL_BYTES)
        except MLExtError as error:
            return note(error.message, error=True)
        if not chunk.text:
            return note("the log is empty")
        text = chunk.text if chunk.offset == 0 else chunk.text.partition("\n")[2]
        cut = "" if chunk.offset == 0 else note(f"last {chunk.size - chunk.offset:,} of {chunk.size:,} bytes")
        return f'{cut}<pre style="max-height:24em;overflow:auto;margin:0">{escape(text)}</pre>'


def _header(info: RunInfo) -> str:
    facts = [f"experiment <b>{escape(info.experiment)}</b>"]
    if info.started_at is not None:
        facts.append(f"started {escape(readable.time(info.started_at))}")
    if info.ended_at is not None:
        facts.append(f"took {escape(readable.duration(info.duration))}")
    source = " ".join(filter(None, [info.source_type, info.source_name]))
    if source:
        facts.append(escape(source))
    if info.compute:
        facts.append(f"on {escape(info.compute)}")
    return f"{run_title(info)} &nbsp;" + " · ".join(facts)


def _outputs(artifacts: list[Artifact]) -> str:
    if not artifacts:
        return note("no output files")
    return table(
        ["PATH", "SIZE", "SHA256"], [[a.path, readable.size(a.size), a.sha256[:12]] for a in artifacts], right={1}
    )


def _overview(info: RunInfo) -> str:
    params = table(["PARAM", "VALUE"], sorted(info.params.items())) if info.params else note("no params")
    metrics = (
        table(
            ["METRIC", "LAST", "MIN", "MAX", "STEP"],
            [
                [m.key, readable.number(m.last), readable.number(m.min), readable.number(m.max), str(m.last_step)]
                for m in sorted(info.metrics.values(), key=lambda m: m.key)
            ],
            right={1, 2, 3, 4},
        )
        if info.metrics
        else note("no metrics")
    )
    tags = "".join(f"<code>{escape(k)}={escape(v)}</code> " for k, v in sorted(info.tags.items()))
    parts = [f'<div style="display:flex;gap:2em;align-items:flex-start"><div>{params}</div><div>{metrics}</div></div>']
    if tags:
        parts.append(f"<div>tags: {tags}</div>")
    if info.error:
        parts.append(f'<pre style="color:#dc3545;max-height:12em;overflow:auto">{escape(info.error)}</pre>')
    return "".join(parts)
