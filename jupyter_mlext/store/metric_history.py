"""Reading a metric series back: all of it, or at most `max_points` buckets of equal step width, each with the
min, max and last point it stands for (so spikes survive downsampling).

A series is its sealed blocks in sealing order, then its open tail (metrics.py). Each part is sorted by step;
when the parts do not overlap (steps logged in order, the usual case) the whole series is their
concatenation, otherwise one stable sort by step puts it in order with equal steps in logging order.

Downsampling reads what it must: a series of at least BLOCK_POINTS × max_points points is bucketed from the
blocks' summary columns in SQL (one GROUP BY over the covering summary index, blobs unread) plus the tail's rows,
unless its blocks overlap (steps logged out of order), when a block's first step says little of where its
points lie; a shorter or overlapping one is decoded and bucketed in memory, where the bucket edges are found
by bisection and each bucket's extremes by C-level min/max over a slice.
"""

from __future__ import annotations

import bisect
import sqlite3
from typing import Any

from ..entities import MetricHistory, NotFound
from .metric_blocks import BLOCK_POINTS, Columns, nan_min_max
from .metrics import as_float


def history(conn: sqlite3.Connection, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
    """The whole series, or at most `max_points` buckets of equal step width (min, max and last of each)."""
    row = conn.execute(
        "SELECT id, count, overlapping FROM metric_series WHERE run_id = ? AND key = ?", (run_id, key)
    ).fetchone()
    if row is None:
        raise NotFound(f"run {run_id} has no metric {key!r}", field="key")
    series_id, count, overlapping = row
    if max_points is None or count <= max_points:
        steps, timestamps, values = _points(conn, series_id)
        return MetricHistory(run_id, key, steps, timestamps, values, values[:], values[:], count, False)
    columns = None
    if count >= BLOCK_POINTS * max_points and not overlapping:
        columns = _buckets_from_summaries(conn, series_id, max_points)
    if columns is None:
        columns = _buckets_in_memory(*_points(conn, series_id), max_points)
    return MetricHistory(run_id, key, *columns, total_points=count, downsampled=True)


def _points(conn: sqlite3.Connection, series_id: int) -> tuple[list[int], list[float], list[float]]:
    """Every point of the series as (steps, timestamps, values), sorted by step, equal steps in logging order."""
    columns = Columns()
    in_order = True
    previous_last = None
    for count, first_step, last_step, data in conn.execute(
        "SELECT count, first_step, last_step, data FROM metric_blocks WHERE series_id = ? ORDER BY block",
        (series_id,),
    ):
        in_order = in_order and (previous_last is None or previous_last <= first_step)
        previous_last = last_step
        columns.add_block(count, first_step, last_step, data)
    rows = conn.execute(
        "SELECT step, timestamp, value FROM metric_points WHERE series_id = ? ORDER BY step, rowid", (series_id,)
    ).fetchall()
    if rows:
        steps, timestamps, values = zip(*rows)
        in_order = in_order and (previous_last is None or previous_last <= steps[0])
        columns.add_points(list(steps), list(timestamps), [as_float(v) for v in values])
    all_steps, all_timestamps, all_values = columns.steps, columns.timestamps, columns.values.tolist()
    if not in_order:
        order = sorted(range(len(all_steps)), key=all_steps.__getitem__)
        all_steps = [all_steps[i] for i in order]
        all_timestamps = [all_timestamps[i] for i in order]
        all_values = [all_values[i] for i in order]
    return all_steps, all_timestamps, all_values


Columns5 = tuple[list[int], list[float], list[float], list[float], list[float]]


def _buckets_in_memory(steps: list[int], timestamps: list[float], values: list[float], buckets: int) -> Columns5:
    """Bucket j holds the steps s with (s - lo) * buckets // span == j, span = hi - lo + 1 (exact integers)."""
    out: Columns5 = ([], [], [], [], [])
    lo, span = steps[0], steps[-1] - steps[0] + 1
    start, n = 0, len(steps)
    while start < n:
        bucket = (steps[start] - lo) * buckets // span
        edge = lo - (-(bucket + 1) * span // buckets)  # the smallest step of the next bucket
        end = bisect.bisect_left(steps, edge, start)
        vmin, vmax = nan_min_max(values[start:end])
        last = end - 1
        out[0].append(steps[last])
        out[1].append(timestamps[last])
        out[2].append(values[last])
        out[3].append(as_float(vmin))
        out[4].append(as_float(vmax))
        start = end
    return out


# Buckets are equal slices of the step range; float arithmetic keeps huge steps from overflowing.
_BUCKET = "CAST((({step} - :lo) * 1.0 * :m) / :span AS INTEGER)"

_BLOCK_BUCKETS = f"""
WITH buckets AS (
    SELECT {_BUCKET.format(step="first_step")} AS bucket, min(min_value) AS vmin, max(max_value) AS vmax,
           max(block) AS last_block
    FROM metric_blocks WHERE series_id = :sid GROUP BY bucket
)
SELECT buckets.bucket, b.last_step, b.last_timestamp, b.last, buckets.vmin, buckets.vmax
FROM buckets JOIN metric_blocks b ON b.series_id = :sid AND b.block = buckets.last_block
"""

_TAIL_BUCKETS = f"""
WITH buckets AS (
    SELECT {_BUCKET.format(step="step")} AS bucket, min(value) AS vmin, max(value) AS vmax, max(step) AS last_step
    FROM metric_points WHERE series_id = :sid GROUP BY bucket
)
SELECT buckets.bucket, p.step, p.timestamp, p.value, buckets.vmin, buckets.vmax
FROM buckets JOIN metric_points p ON p.rowid = (
    SELECT max(rowid) FROM metric_points WHERE series_id = :sid AND step = buckets.last_step
)
"""


def _buckets_from_summaries(conn: sqlite3.Connection, series_id: int, buckets: int) -> Columns5 | None:
    """A block counts in the bucket of its first step; the tail's points each in their own. Where both fall in
    one bucket, the tail's point is the last unless a block ends on a greater step. None when the tail reaches
    back before the blocks end (steps logged out of order): that series is bucketed point by point."""
    block_lo, block_hi = conn.execute(
        "SELECT min(first_step), max(last_step) FROM metric_blocks WHERE series_id = ?", (series_id,)
    ).fetchone()
    tail_lo, tail_hi = conn.execute(
        "SELECT min(step), max(step) FROM metric_points WHERE series_id = ?", (series_id,)
    ).fetchone()
    if block_hi is not None and tail_lo is not None and tail_lo < block_hi:
        return None
    lo = min(v for v in (block_lo, tail_lo) if v is not None)
    hi = max(v for v in (block_hi, tail_hi) if v is not None)
    args = {"sid": series_id, "lo": lo, "m": buckets, "span": hi - lo + 1}
    merged: dict[int, list[Any]] = {}
    for query in (_BLOCK_BUCKETS, _TAIL_BUCKETS):
        for bucket, step, timestamp, last, vmin, vmax in conn.execute(query, args):
            seen = merged.get(bucket)
            if seen is None:
                merged[bucket] = [step, timestamp, last, vmin, vmax]
                continue
            if step >= seen[0]:
                seen[0:3] = [step, timestamp, last]
            seen[3] = vmin if seen[3] is None else seen[3] if vmin is None else min(seen[3], vmin)
            seen[4] = vmax if seen[4] is None else seen[4] if vmax is None else max(seen[4], vmax)
    out: Columns5 = ([], [], [], [], [])
    for bucket in sorted(merged):
        step, timestamp, last, vmin, vmax = merged[bucket]
        out[0].append(step)
        out[1].append(timestamp)
        out[2].append(as_float(last))
        out[3].append(as_float(vmin))
        out[4].append(as_float(vmax))
    return out
