"""RunsTable: find runs with the search language, sort them, pick some and compare them.

    mlx.RunsTable(experiment="diabetes", filter="metrics.mse < 3000", order_by="metrics.mse ASC")

The filter box takes exactly what `mlx.search_runs` takes (a mistake is shown under it with its position); the
order menu offers newest/oldest first and each metric the listed runs have, ascending and descending. Picking
runs in the list and pressing Compare shows a `RunComparison` of them below the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from .. import readable
from ..entities import MLExtError, NotFound, RunInfo
from ..sdk import run as sdk
from ._html import note, status_badge, table
from .compare import RunComparison

ALL_EXPERIMENTS = "(all experiments)"
NEWEST_FIRST = "created_at DESC"
BASE_ORDERS = [("newest first", NEWEST_FIRST), ("oldest first", "created_at ASC"), ("name", "name ASC")]
METRIC_COLUMNS = 4


class RunsTable(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no type information: VBox is Any
    """Runs of one experiment (or all) matching a filter, in a chosen order; `runs` holds what is listed and
    `error` the filter's mistake, if any. The first `max_results` runs are listed."""

    def __init__(
        self,
        experiment: str | None = None,
        filter: str | None = None,
        order_by: str | None = None,
        max_results: int = 100,
        workspace: str | None = None,
    ) -> None:
        self.workspace = workspace
        self.max_results = max_results
        self.runs: list[RunInfo] = []
        self.error: str | None = None
        names = [e.name for e in sdk.list_experiments(workspace)]
        if experiment is not None and experiment not in names:
            raise NotFound(f"no experiment named {experiment!r}", field="experiment")
        self._experiment = widgets.Dropdown(
            options=[ALL_EXPERIMENTS, *names], value=experiment or ALL_EXPERIMENTS, description="Experiment"
        )
        self._filter = widgets.Text(
            value=filter or "",
            continuous_update=False,
            description="Filter",
            placeholder="metrics.loss < 0.2 and params.lr = 0.01",
            layout=widgets.Layout(width="40em"),
        )
        self._order = widgets.Dropdown(
            options=_order_options(order_by, []), value=order_by or NEWEST_FIRST, description="Order"
        )
        self._refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self._message = widgets.HTML()
        self._table = widgets.HTML()
        self._picker = widgets.SelectMultiple(
            options=[], description="Pick", rows=6, layout=widgets.Layout(width="40em")
        )
        self._compare_button = widgets.Button(description="Compare", icon="line-chart", disabled=True)
        self._comparison = widgets.VBox()
        super().__init__(
            [
                widgets.HBox([self._experiment, self._order, self._refresh_button]),
                self._filter,
                self._message,
                self._table,
                widgets.HBox([self._picker, self._compare_button]),
                self._comparison,
            ]
        )
        self._quiet = False  # set while refresh() rewrites option lists, which resets their values
        for control in (self._experiment, self._filter, self._order):
            control.observe(self._control_changed, names="value")
        self._refresh_button.on_click(lambda _button: self.refresh())
        self._picker.observe(self._picked, names="value")
        self._compare_button.on_click(lambda _button: self.compare())
        self.refresh()

    def __repr__(self) -> str:
        return f"<RunsTable: {len(self.runs)} runs, filter {self._filter.value or '(none)'!r}>"

    # -- what the controls do, also callable from code --------------------------------------------------------

    def refresh(self) -> None:
        """Search again with the current experiment, filter and order."""
        experiment = None if self._experiment.value == ALL_EXPERIMENTS else self._experiment.value
        try:
            page = sdk.search_runs(
                experiment,
                filter=self._filter.value.strip() or None,
                order_by=self._order.value,
                max_results=self.max_results,
                workspace=self.workspace,
            )
        except MLExtError as error:
            self.error = error.message
            self._message.value = note(error.message, error=True)
            return
        self.error = None
        self.runs = [run.info for run in page]
        more = " (more match: narrow the filter)" if page.next_page_token else ""
        with self.hold_sync():
            count = len(self.runs)
            self._message.value = note(f"{count} run{'' if count == 1 else 's'}{more}")
            self._table.value = _runs_html(self.runs)
            listed = {run.id for run in self.runs}
            self._replace_options(self._order, _order_options(self._order.value, self.runs), self._order.value)
            self._replace_options(
                self._picker,
                [(f"{run.name} · {run.id[:8]} · {run.status.value}", run.id) for run in self.runs],
                tuple(run_id for run_id in self._picker.value if run_id in listed),
            )

    def set_filter(self, text: str) -> None:
        """Type a filter (as in the box); the table refreshes."""
        self._filter.value = text

    def set_order(self, order_by: str) -> None:
        """Sort by `order_by` ("created_at DESC", "metrics.loss ASC", …); the table refreshes."""
        self._replace_options(self._order, _order_options(order_by, self.runs), self._order.value)
        self._order.value = order_by

    def select(self, run_ids: Sequence[str]) -> None:
        """Pick runs (full ids, as listed) for comparison."""
        self._picker.value = tuple(run_ids)

    def compare(self) -> RunComparison | None:
        """Show the picked runs side by side under the table (and return that view)."""
        if len(self._picker.value) < 1:
            return None
        comparison = RunComparison(list(self._picker.value))
        self._comparison.children = [comparison]
        return comparison

    def _control_changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self.refresh()

    def _replace_options(
        self, control: widgets.Dropdown | widgets.SelectMultiple, options: list[tuple[str, str]], value: object
    ) -> None:
        self._quiet = True
        try:
            control.options = options
            control.value = value
        finally:
            self._quiet = False

    def _picked(self, change: dict[str, Any]) -> None:
        self._compare_button.disabled = not change["new"]


def _order_options(current: str | None, runs: Sequence[RunInfo]) -> list[tuple[str, str]]:
    options = list(BASE_ORDERS)
    for key in sorted({key for run in runs for key in run.metrics}):
        options += [(f"{key} ↑", f"metrics.{key} ASC"), (f"{key} ↓", f"metrics.{key} DESC")]
    if current and current not in {value for _, value in options}:
        options.append((current, current))
    return options


def _runs_html(runs: Sequence[RunInfo]) -> str:
    if not runs:
        return note("no runs match")
    keys = sorted({key for run in runs for key in run.metrics})[:METRIC_COLUMNS]
    param_keys = sorted({key for run in runs for key in run.params})[:METRIC_COLUMNS]
    headers = [
        "ID",
        "NAME",
        "EXPERIMENT",
        "STATUS",
        "STARTED",
        "DURATION",
        *(f"params.{key}" for key in param_keys),
        *(f"metrics.{key}" for key in keys),
    ]
    rows = [
        [
            run.id[:8],
            run.name,
            run.experiment,
            status_badge(run.status),
            readable.time(run.started_at),
            readable.duration(run.duration),
            *(run.params.get(key, "–") for key in param_keys),
            *(readable.number(run.metrics[key].last) if key in run.metrics else "–" for key in keys),
        ]
        for run in runs
    ]
    return table(headers, rows, right=range(5, len(headers)), raw_columns={3})
