"""RunComparison: the metrics of several runs in one chart, and which params differ between them."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from .. import readable
from ..entities import RunInfo
from ..sdk import run as sdk
from ._data import as_keys, as_runs, chart_keys, read_panels
from ._draw import ChartRenderer, chart_image, show_chart
from ._html import note, run_title, table


class RunComparison(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no type information: VBox is Any
    """Charts of every metric the runs logged (one line per run) and a table of their params: those that differ
    first and in bold, those equal in all runs after them. `%mlrun compare` and `RunsTable` show one."""

    def __init__(self, runs: Sequence[sdk.Run | str], keys: str | Sequence[str] | None = None) -> None:
        self.runs = as_runs(runs)
        self.metric_keys = as_keys(keys)
        self._title = widgets.HTML()
        self._chart = chart_image()
        self._params = widgets.HTML()
        super().__init__([self._title, self._chart, self._params])
        self.refresh()

    def __repr__(self) -> str:
        return f"<RunComparison of {', '.join(run.id[:8] for run in self.runs)}>"

    def refresh(self) -> None:
        infos = [run.info for run in self.runs]
        keys, total = chart_keys(infos, self.metric_keys)
        panels = [(key, series) for key, series in read_panels(self.runs, infos, keys) if series]
        shown = note(f" (showing {len(keys)} of {total} metrics)") if total > len(keys) else ""
        with self.hold_sync():
            self._title.value = "Comparing " + ", ".join(run_title(info) for info in infos) + shown
            if panels:
                renderer = ChartRenderer()
                show_chart(self._chart, renderer.render(panels), renderer.css_width)
            self._params.value = _params_table(infos)

    @property
    def differing_params(self) -> list[str]:
        """Names of the params whose values are not the same in every run (a missing param counts as a value)."""
        return _differing([run.info for run in self.runs])


def _param_keys(infos: Sequence[RunInfo]) -> list[str]:
    return sorted({key for info in infos for key in info.params})


def _differing(infos: Sequence[RunInfo]) -> list[str]:
    return [key for key in _param_keys(infos) if len({info.params.get(key) for info in infos}) > 1]


def _params_table(infos: Sequence[RunInfo]) -> str:
    """Params that differ (bold) before those equal in every run, then the latest value of each metric."""
    keys = _param_keys(infos)
    differing = _differing(infos)
    same = [key for key in keys if key not in differing]
    rows = [[key, *(info.params.get(key, "–") for info in infos)] for key in differing + same]
    metric_keys = sorted({key for info in infos for key in info.metrics})
    rows += [
        [f"metrics.{key}", *(readable.number(info.metrics[key].last) if key in info.metrics else "–" for info in infos)]
        for key in metric_keys
    ]
    caption = note(f"{len(differing)} of {len(keys)} params differ" if keys else "no params")
    if not rows:
        return caption
    headers = ["", *(f"{info.name} ({info.id[:6]})" for info in infos)]
    return caption + table(headers, rows, right=range(1, len(headers)), emphasised_rows=range(len(differing)))
