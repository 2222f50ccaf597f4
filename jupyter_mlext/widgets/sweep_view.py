"""SweepView: a sweep in the notebook, kept up to date while it runs.

    mlx.SweepView(sweep)          # or a sweep id

A stock VBox: a status line; the trial table (number, state, values, primary metric, the policy's reason for a
stopped trial); the best value so far over ended trials; and parallel coordinates of the trials with a value,
coloured by the metric. Brushing: one range slider per numeric axis (and a picker per categorical one) keeps
the trials inside highlighted and greys the rest. Axes reorder by dragging their tags in the "axes" box (and
drop out by removing a tag). Reads come from the store through the SDK (`Sweep.describe()`).
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets

from ..entities import NotFound, TrialState
from ..sdk.sweeps import Sweep
from ._follow import Follower
from ._html import escape, table
from ._parallel import best_so_far_png, parallel_png

REFRESH_INTERVAL_S = 1.0
TABLE_ROWS = 50
_LOG_KINDS = ("loguniform", "qloguniform")


class SweepView(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no type information: VBox is Any
    def __init__(self, sweep: Sweep | str, *, follow: bool = True) -> None:
        self.sweep = sweep if isinstance(sweep, Sweep) else Sweep(sweep)
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.best = widgets.Image(format="png")
        self.parallel = widgets.Image(format="png")
        self.axes = widgets.TagsInput(value=[], allowed_tags=[], allow_duplicates=False)
        self._brushes = widgets.VBox()
        self.sliders: dict[str, Any] = {}
        self._guard = threading.Lock()
        self._data: dict[str, Any] = {}
        self._signature: Any = None
        self.axes.observe(lambda _: self.redraw(), names="value")
        super().__init__(
            [
                self.status,
                widgets.HBox([self.best, self.table]),
                widgets.HBox([widgets.Label("axes (drag to reorder):"), self.axes]),
                self.parallel,
                self._brushes,
            ]
        )
        self._follower = Follower(self.refresh, REFRESH_INTERVAL_S, budget=0.1)
        if not self.refresh() and follow:
            self._follower.start()

    def __repr__(self) -> str:
        return f"<SweepView of {self.sweep.id[:8]}>"

    # -- reading -------------------------------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Re-read the sweep; redraw if it changed. True once the sweep has ended (nothing left to follow)."""
        with self._guard:
            described = self.sweep.describe()
            sweep, trials = described["sweep"], described["trials"]
            signature = (sweep["state"], [(t["state"], t["steps"], t["value"]) for t in trials])
            if signature != self._signature:
                self._signature = signature
                self._show(described)
            return sweep["state"] not in ("Running", "Canceling")

    def _show(self, described: dict[str, Any]) -> None:
        sweep, trials = described["sweep"], described["trials"]
        definition = sweep["definition"]
        metric = definition["primary_metric"]
        counts = ", ".join(f"{n} {state}" for state, n in sorted(sweep["trial_counts"].items()))
        best = "" if sweep["best_value"] is None else f" · best {escape(metric)} {sweep['best_value']:.6g}"
        self.status.value = (
            f"<b>sweep {escape(sweep['id'][:8])}</b> {escape(sweep['state'])} · {escape(definition['sampling'])} · "
            f"{len(trials)}/{sweep['max_trials']} trials ({escape(counts or 'none yet')}){best}"
        )
        rows = [
            [
                str(t["number"]),
                t["state"],
                " ".join(f"{k}={_short(v)}" for k, v in t["params"].items()),
                "-" if t["value"] is None else f"{t['value']:.5g}",
                t["termination"] or t["error"] or "",
            ]
            for t in trials[-TABLE_ROWS:]
        ]
        self.table.value = table(["#", "state", "values", metric, "note"], rows, right={0, 3})
        try:
            history = self.sweep.run.history(f"best_{metric}")
            self.best.value = best_so_far_png(history.steps, history.values, metric)
        except NotFound:  # no trial has ended yet
            self.best.value = best_so_far_png([], [], metric)
        ended = (TrialState.COMPLETED.value, TrialState.STOPPED.value)
        done = [t for t in trials if t["value"] is not None and t["state"] in ended]
        names = list(definition["space"])
        self._data = {
            "columns": {**{n: [t["params"].get(n) for t in done] for n in names}, metric: [t["value"] for t in done]},
            "metric": metric,
            "log": frozenset(n for n in names if definition["space"][n]["kind"] in _LOG_KINDS),
            "maximize": definition["goal"] == "maximize",
        }
        if not self.axes.allowed_tags:
            self.axes.allowed_tags = [*names, metric]
            self.axes.value = [*names, metric]
        self._update_brushes()
        self.redraw()

    def _update_brushes(self) -> None:
        for name, column in self._data["columns"].items():
            numeric = [v for v in column if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if not numeric or len(numeric) != len(column):
                options = sorted({str(v) for v in column})
                slider = self.sliders.get(name)
                if slider is None:
                    slider = widgets.SelectMultiple(options=options, value=options, description=name, rows=3)
                    slider.observe(lambda _: self.redraw(), names="value")
                    self.sliders[name] = slider
                elif set(slider.options) != set(options):
                    slider.options, slider.value = options, options
                continue
            low, high = min(numeric), max(numeric)
            slider = self.sliders.get(name)
            if slider is None:
                slider = widgets.FloatRangeSlider(
                    min=low,
                    max=high,
                    value=(low, high),
                    step=(high - low) / 200 or 1,
                    description=name,
                    readout_format=".3g",
                    continuous_update=False,
                    layout=widgets.Layout(width="60%"),
                )
                slider.observe(lambda _: self.redraw(), names="value")
                self.sliders[name] = slider
            elif (slider.min, slider.max) != (low, high):
                whole = slider.value == (slider.min, slider.max)
                slider.min, slider.max = min(low, slider.min), max(high, slider.max)
                if whole:
                    slider.value = (slider.min, slider.max)
        self._brushes.children = list(self.sliders.values())

    # -- drawing -------------------------------------------------------------------------------------------------

    def selected(self) -> list[bool]:
        """Which finished trials lie inside every brush."""
        columns = self._data.get("columns", {})
        count = len(next(iter(columns.values()), []))
        keep = [True] * count
        for name, control in self.sliders.items():
            for i, value in enumerate(columns.get(name, [])):
                if isinstance(control, widgets.FloatRangeSlider):
                    low, high = control.value
                    keep[i] = keep[i] and low <= float(value) <= high
                else:
                    keep[i] = keep[i] and str(value) in control.value
        return keep

    def redraw(self) -> None:
        if not self._data:
            return
        order = [name for name in self.axes.value if name in self._data["columns"]]
        self.parallel.value = parallel_png(
            self._data["columns"],
            order,
            self._data["metric"],
            self.selected(),
            self._data["log"],
            self._data["maximize"],
        )

    def close(self) -> None:
        self._follower.stop()
        super().close()


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
