"""`mlext runs compare RUN RUN…`: what differs between runs — their params side by side (rows that differ
marked), their metrics' last, min and max values, and with `--chart KEY` one metric's histories in a PNG.

The text is the terminal's counterpart of the Runs panel's compare view; `--json` prints the runs themselves.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..entities import InvalidInput, RunInfo
from ..store import TrackingStore
from .format import Output, number, table
from .session import Session

CHART_POINTS = 1000  # per run, downsampled by the store


def add_command(runs: Any, command: Any) -> None:
    """Add `runs compare` to the `runs` group built in runs.py."""
    compare = command(runs, "compare", compare_runs, "params and metrics of several runs side by side")
    compare.add_argument("runs", metavar="RUN", nargs="+", help="two or more run ids or unique prefixes")
    compare.add_argument("--chart", metavar="KEY", help="also draw metric KEY of each run into a PNG")
    compare.add_argument("--out", metavar="FILE", help="the PNG to write (default: compare-KEY.png)")


def compare_runs(session: Session, args: argparse.Namespace) -> Output:
    store = session.store
    if len(args.runs) < 2:
        raise InvalidInput("compare needs two or more runs", field="runs")
    runs = [store.get_run(store.resolve_run_id(ref)) for ref in args.runs]
    text = compared(runs)
    if args.chart:
        out = Path(args.out or f"compare-{args.chart}.png")
        chart(store, runs, args.chart, out)
        text += f"\n\nchart of {args.chart}: {out}"
    return Output({"runs": [run.to_dict() for run in runs]}, text)


def compared(runs: list[RunInfo]) -> str:
    names = [f"{run.id[:8]} {run.name}" for run in runs]
    keys = sorted({key for run in runs for key in run.params})
    params = [
        [("* " if len({run.params.get(key) for run in runs}) > 1 else "  ") + key]
        + [run.params.get(key, "-") for run in runs]
        for key in keys
    ]
    metric_keys = sorted({key for run in runs for key in run.metrics})
    metrics = []
    for key in metric_keys:
        for label, pick in (("last", "last"), ("min", "min"), ("max", "max")):
            cells = [number(getattr(run.metrics[key], pick)) if key in run.metrics else "-" for run in runs]
            metrics.append([f"{key} ({label})", *cells])
    right = set(range(1, len(runs) + 1))
    sections = [
        "params (* differs):\n" + (table([["PARAM", *names], *params]) if params else "  none"),
        "metrics:\n" + (table([["METRIC", *names], *metrics], right=right) if metrics else "  none"),
    ]
    return "\n\n".join(sections)


def chart(store: TrackingStore, runs: list[RunInfo], key: str, out: Path) -> None:
    """One line per run of metric `key` over its steps (downsampled to CHART_POINTS), written to `out`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    with_key = [run for run in runs if key in run.metrics]
    if not with_key:
        raise InvalidInput(f"none of the runs logged metric {key!r}", field="chart")
    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=150)
    try:
        for run in with_key:
            history = store.metric_history(run.id, key, CHART_POINTS)
            axes.plot(history.steps, history.values, label=f"{run.id[:8]} {run.name}")
        axes.set_xlabel("step")
        axes.set_ylabel(key)
        axes.legend()
        figure.tight_layout()
        figure.savefig(out)
    finally:
        pyplot.close(figure)
