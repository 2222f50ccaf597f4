"""Metric series: the write path (points, per-run summary, rollup blocks) and history reads with downsampling.

Three tables serve three readers. `metric_points` holds every point. `metric_series` holds one row per
(run, key) with last/min/max, so run lists and searches never touch the points. `metric_blocks` rolls
up every BLOCK_SIZE consecutive points into min/max/last, so a chart of a million points is answered from ~16k
block rows instead of a million point rows; both downsampling paths are one GROUP BY in SQL.

SQLite stores NaN as NULL: a NULL value reads back as NaN, and min/max skip it the way numpy's nanmin does.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..entities import MetricHistory, MetricSummary, NotFound
from .events import MAX_POINTS_PER_EVENT
from .validation import Point

BLOCK_SIZE = 64


def _nan_min(values: Iterable[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return min(finite) if finite else None


def _nan_max(values: Iterable[float]) -> float | None:
    finite = [v for v in values if not math.isnan(v)]
    return max(finite) if finite else None


def _as_float(value: float | None) -> float:
    return math.nan if value is None else value


def write_points(conn: sqlite3.Connection, run_id: str, points: Sequence[Point]) -> dict[str, dict[str, Any]]:
    """Append points to their series; the caller holds the write transaction.

    Returns, per key, what the change feed reports: the count and the newest points with their resolved steps.
    """
    by_key: dict[str, list[Point]] = {}
    for point in points:
        by_key.setdefault(point[0], []).append(point)
    return {key: _write_series(conn, run_id, key, series_points) for key, series_points in by_key.items()}


def _write_series(conn: sqlite3.Connection, run_id: str, key: str, points: list[Point]) -> dict[str, Any]:
    row = conn.execute(
        "SELECT id, count, last_step FROM metric_series WHERE run_id = ? AND key = ?", (run_id, key)
    ).fetchone()
    if row is None:
        inserted = conn.execute(
            "INSERT INTO metric_series (run_id, key, count, last_step, last_timestamp) VALUES (?, ?, 0, ?, 0)",
            (run_id, key, -(2**63)),
        )
        assert inserted.lastrowid is not None  # set by every successful INSERT
        series_id: int = inserted.lastrowid
        count, last_step = 0, -(2**63)
    else:
        series_id, count, last_step = row

    steps = [count + i if p[2] is None else p[2] for i, p in enumerate(points)]
    values = [p[1] for p in points]
    timestamps = [p[3] for p in points]
    conn.executemany(
        "INSERT INTO metric_points (series_id, step, timestamp, value) VALUES (?, ?, ?, ?)",
        zip([series_id] * len(points), steps, timestamps, values),
    )
    _write_blocks(conn, series_id, count, steps, timestamps, values)

    # "last" is the point with the greatest step; among equal steps, the one logged last.
    newest = max(range(len(points)), key=lambda i: (steps[i], i))
    is_newer = steps[newest] >= last_step
    conn.execute(
        """
        UPDATE metric_series SET
            count = count + ?,
            min_value = min(coalesce(min_value, ?), coalesce(?, min_value)),
            max_value = max(coalesce(max_value, ?), coalesce(?, max_value)),
            last = CASE WHEN ? THEN ? ELSE last END,
            last_step = CASE WHEN ? THEN ? ELSE last_step END,
            last_timestamp = CASE WHEN ? THEN ? ELSE last_timestamp END
        WHERE id = ?
        """,
        (
            len(points),
            *(2 * [_nan_min(values)]),
            *(2 * [_nan_max(values)]),
            is_newer,
            values[newest],
            is_newer,
            steps[newest],
            is_newer,
            timestamps[newest],
            series_id,
        ),
    )
    tail = slice(-MAX_POINTS_PER_EVENT, None)
    return {
        "count": len(points),
        "truncated": len(points) > MAX_POINTS_PER_EVENT,
        "steps": steps[tail],
        "timestamps": timestamps[tail],
        "values": values[tail],
    }


def _write_blocks(
    conn: sqlite3.Connection,
    series_id: int,
    first_ordinal: int,
    steps: list[int],
    timestamps: list[float],
    values: list[float],
) -> None:
    rows = []
    start = 0
    while start < len(steps):
        block = (first_ordinal + start) // BLOCK_SIZE
        end = min(len(steps), (block + 1) * BLOCK_SIZE - first_ordinal)
        chunk = values[start:end]
        rows.append(
            (
                series_id,
                block,
                end - start,
                steps[start],
                steps[end - 1],
                timestamps[end - 1],
                chunk[-1],
                _nan_min(chunk),
                _nan_max(chunk),
            )
        )
        start = end
    conn.executemany(
        """
        INSERT INTO metric_blocks
            (series_id, block, count, first_step, last_step, last_timestamp, last, min_value, max_value)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (series_id, block) DO UPDATE SET
            count = count + excluded.count,
            last_step = excluded.last_step,
            last_timestamp = excluded.last_timestamp,
            last = excluded.last,
            min_value = min(coalesce(min_value, excluded.min_value), coalesce(excluded.min_value, min_value)),
            max_value = max(coalesce(max_value, excluded.max_value), coalesce(excluded.max_value, max_value))
        """,
        rows,
    )


def summaries(conn: sqlite3.Connection, run_ids: Sequence[str]) -> dict[str, dict[str, MetricSummary]]:
    result: dict[str, dict[str, MetricSummary]] = {run_id: {} for run_id in run_ids}
    if not run_ids:
        return result
    marks = ",".join("?" * len(run_ids))
    for run_id, key, count, last, vmin, vmax, step, ts in conn.execute(
        "SELECT run_id, key, count, last, min_value, max_value, last_step, last_timestamp "
        f"FROM metric_series WHERE run_id IN ({marks}) ORDER BY key",
        list(run_ids),
    ):
        result[run_id][key] = MetricSummary(key, _as_float(last), vmin, vmax, step, ts, count)
    return result


def history(conn: sqlite3.Connection, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
    """The whole series, or at most `max_points` buckets of equal step width (min, max and last of each)."""
    row = conn.execute("SELECT id, count FROM metric_series WHERE run_id = ? AND key = ?", (run_id, key)).fetchone()
    if row is None:
        raise NotFound(f"run {run_id} has no metric {key!r}", field="key")
    series_id, count = row
    if max_points is None or count <= max_points:
        rows = conn.execute(
            "SELECT step, timestamp, value, value, value FROM metric_points WHERE series_id = ? ORDER BY step, rowid",
            (series_id,),
        ).fetchall()
        return _history(run_id, key, rows, count, downsampled=False)
    # Two queries, because min() and max() together defeat SQLite's one-index-probe optimisation.
    (lo,) = conn.execute("SELECT min(step) FROM metric_points WHERE series_id = ?", (series_id,)).fetchone()
    (hi,) = conn.execute("SELECT max(step) FROM metric_points WHERE series_id = ?", (series_id,)).fetchone()
    bucket_args = {"sid": series_id, "lo": lo, "m": max_points, "span": hi - lo + 1}
    query = _BUCKETS_FROM_POINTS if count <= BLOCK_SIZE * max_points else _BUCKETS_FROM_BLOCKS
    return _history(run_id, key, conn.execute(query, bucket_args).fetchall(), count, downsampled=True)


def _history(run_id: str, key: str, rows: list[tuple[Any, ...]], count: int, downsampled: bool) -> MetricHistory:
    steps, timestamps, values, mins, maxs = (list(column) for column in zip(*rows)) if rows else ([], [], [], [], [])
    return MetricHistory(
        run_id=run_id,
        key=key,
        steps=steps,
        timestamps=timestamps,
        values=[_as_float(v) for v in values],
        mins=[_as_float(v) for v in mins],
        maxs=[_as_float(v) for v in maxs],
        total_points=count,
        downsampled=downsampled,
    )


# Buckets are equal slices of the step range; float arithmetic keeps huge steps from overflowing.
_BUCKET = "CAST((({step} - :lo) * 1.0 * :m) / :span AS INTEGER)"

_BUCKETS_FROM_POINTS = f"""
WITH buckets AS (
    SELECT {_BUCKET.format(step="step")} AS bucket, min(value) AS vmin, max(value) AS vmax, max(step) AS last_step
    FROM metric_points WHERE series_id = :sid GROUP BY bucket
)
SELECT p.step, p.timestamp, p.value, buckets.vmin, buckets.vmax
FROM buckets JOIN metric_points p ON p.rowid = (
    SELECT max(rowid) FROM metric_points WHERE series_id = :sid AND step = buckets.last_step
)
ORDER BY buckets.bucket
"""

_BUCKETS_FROM_BLOCKS = f"""
WITH buckets AS (
    SELECT {_BUCKET.format(step="first_step")} AS bucket, min(min_value) AS vmin, max(max_value) AS vmax,
           max(block) AS last_block
    FROM metric_blocks WHERE series_id = :sid GROUP BY bucket
)
SELECT b.last_step, b.last_timestamp, b.last, buckets.vmin, buckets.vmax
FROM buckets JOIN metric_blocks b ON b.series_id = :sid AND b.block = buckets.last_block
ORDER BY buckets.bucket
"""
