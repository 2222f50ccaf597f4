"""What the widgets read, all through the SDK: runs by id or handle, their metric histories downsampled in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..entities import MetricHistory, RunInfo
from ..sdk import run as sdk

CHART_POINTS = 400  # per series: about one point per pixel column of a chart panel
MAX_PANELS = 6


def as_runs(runs: sdk.Run | str | Sequence[sdk.Run | str]) -> list[sdk.Run]:
    """Run handles from handles, ids or unique id prefixes (one or a sequence)."""
    items: Iterable[sdk.Run | str] = [runs] if isinstance(runs, (sdk.Run, str)) else runs
    return [item if isinstance(item, sdk.Run) else sdk.get_run(item) for item in items]


def as_keys(keys: str | Sequence[str] | None) -> list[str] | None:
    if keys is None:
        return None
    return [keys] if isinstance(keys, str) else list(keys)


@dataclass(frozen=True)
class Series:
    """One line of a chart: one metric of one run."""

    label: str
    history: MetricHistory


def chart_keys(infos: Sequence[RunInfo], wanted: list[str] | None) -> tuple[list[str], int]:
    """The metric keys to draw (the wanted ones, else all the runs have, sorted) and how many exist in all."""
    available = sorted({key for info in infos for key in info.metrics})
    keys = wanted if wanted is not None else available
    return keys[:MAX_PANELS], len(keys)


def read_panels(
    runs: Sequence[sdk.Run], infos: Sequence[RunInfo], keys: Sequence[str], max_points: int = CHART_POINTS
) -> list[tuple[str, list[Series]]]:
    """For each key, the series of every run that has it, downsampled to `max_points` buckets in SQL (a series
    of a million points costs what one of a thousand does)."""
    labels = _labels(infos)
    return [
        (
            key,
            [
                Series(label, run.history(key, max_points))
                for run, info, label in zip(runs, infos, labels)
                if key in info.metrics
            ],
        )
        for key in keys
    ]


def series_signature(infos: Sequence[RunInfo]) -> tuple[Any, ...]:
    """Changes whenever a run's status or any of its series changes: the widgets redraw only then."""
    return tuple(
        (
            info.id,
            info.status.value,
            tuple(sorted((key, m.count, m.last_step, m.last) for key, m in info.metrics.items())),
        )
        for info in infos
    )


def _labels(infos: Sequence[RunInfo]) -> list[str]:
    """Run names, with the id prefix added where two runs share a name."""
    names = [info.name for info in infos]
    return [name if names.count(name) == 1 else f"{name} ({info.id[:6]})" for name, info in zip(names, infos)]
