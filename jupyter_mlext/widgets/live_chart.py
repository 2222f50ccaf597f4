"""LiveChart: metrics of one or more runs, redrawn while they run.

    chart = mlx.LiveChart([run_a, run_b], keys=["loss", "val_loss"])

It is a stock `VBox` holding an `HTML` status line and a PNG `Image` drawn by matplotlib, so it renders wherever
ipywidgets do (JupyterLab, Notebook 7, VS Code) without a frontend extension of ours. Each redraw reads the
series downsampled in SQL (`Run.history(key, max_points)`), and only when a run's status or series changed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from ..entities import RunInfo
from ..sdk import run as sdk
from ._data import CHART_POINTS, as_keys, as_runs, chart_keys, read_panels, series_signature
from ._draw import ChartRenderer, chart_image, show_chart
from ._follow import Follower
from ._html import escape, note, status_badge

REDRAW_INTERVAL_S = 0.25  # at most ~4 redraws a second


class LiveChart(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no type information: VBox is Any
    """One panel per metric, one line per run; follows the runs until they have all ended.

    `keys` picks metrics (default: every metric the runs have, up to six panels); with `include_children`
    the child runs of the given runs are drawn too (a `%%mlrun` sweep cell's trials).
    """

    def __init__(
        self,
        runs: sdk.Run | str | Sequence[sdk.Run | str],
        keys: str | Sequence[str] | None = None,
        *,
        include_children: bool = False,
        max_points: int = CHART_POINTS,
        follow: bool = True,
    ) -> None:
        self.runs = as_runs(runs)
        self.metric_keys = as_keys(keys)
        self.include_children = include_children
        self.max_points = max_points
        self._status = widgets.HTML(note("waiting for metrics…"))
        self._image = chart_image()
        super().__init__([self._status, self._image])
        self._signature: tuple[Any, ...] | None = None
        self._refresh_guard = threading.Lock()
        self._renderer = ChartRenderer()
        self._follower = Follower(self.refresh, REDRAW_INTERVAL_S)
        started = time.monotonic()
        if not self.refresh() and follow:
            self._follower.start(last_took=time.monotonic() - started)

    def __repr__(self) -> str:
        keys = ", ".join(self.metric_keys) if self.metric_keys else "all metrics"
        return f"<LiveChart of {', '.join(run.id[:8] for run in self.runs)}: {keys}>"

    @property
    def following(self) -> bool:
        """True while a background thread redraws the chart (until every run has ended, or `stop()`)."""
        return self._follower.running

    def refresh(self) -> bool:
        """Redraw if anything changed since the last drawing; returns True once every run has ended."""
        with self._refresh_guard:
            runs = self._all_runs()
            infos = [run.info for run in runs]
            signature = series_signature(infos)
            if signature != self._signature:
                self._draw(runs, infos)
                self._signature = signature
            return all(info.status.is_terminal for info in infos)

    def stop(self) -> None:
        """Stop following and draw the final state now, from the calling thread."""
        self._follower.stop()
        self.refresh()

    def _all_runs(self) -> list[sdk.Run]:
        if not self.include_children:
            return self.runs
        found = list(self.runs)
        for run in self.runs:
            found += [child for child in run.children() if child not in found]
        return found

    def _draw(self, runs: list[sdk.Run], infos: list[RunInfo]) -> None:
        keys, total = chart_keys(infos, self.metric_keys)
        panels = [(key, series) for key, series in read_panels(runs, infos, keys, self.max_points) if series]
        status = _status_line(infos, total, len(keys))
        if not panels:
            self._status.value = status + " " + note("no metrics yet")
            return
        png = self._renderer.render(panels)
        with self.hold_sync():
            show_chart(self._image, png, self._renderer.css_width)
            self._status.value = status


def _status_line(infos: list[RunInfo], total_keys: int, shown_keys: int) -> str:
    if len(infos) == 1:
        info = infos[0]
        points = sum(metric.count for metric in info.metrics.values())
        text = f"<b>{escape(info.name)}</b> {status_badge(info.status)} {note(f'{points:,} points')}"
    else:
        running = sum(not info.status.is_terminal for info in infos)
        text = f"<b>{len(infos)} runs</b> " + note(f"{running} running" if running else "all ended")
    if total_keys > shown_keys:
        text += " " + note(f"(showing {shown_keys} of {total_keys} metrics; pass keys=[…] to choose)")
    return text
