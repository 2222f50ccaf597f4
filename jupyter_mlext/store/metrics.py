"""Metric series: the write path (the per-run summary, sealed blocks and the open tail) and the conversion of
series stored before blocks existed.

`metric_series` holds one row per (run, key) with its count and last/min/max, so run lists and searches never
touch the points. Points live in sealed blocks of BLOCK_POINTS points (`metric_blocks`, packed by
metric_blocks.py) and, until a block fills, one row each in `metric_points` (the open tail). `sealed` counts
the points in blocks, so `count - sealed` is the tail's length without a query.

A block is sealed from the BLOCK_POINTS smallest (step, logging order) points of the tail, with the batch
being written when there is one; the points left in the tail are logged later than any sealed point of the same
step, so reading blocks in sealing order then the tail gives every step's points in logging order. A bulk write
seals its full blocks straight from memory: its points never become rows.

A workspace written before blocks existed has every point in `metric_points`; `seal_pending` converts such
series a bounded batch at a time (the daemon calls it), and writes to a series convert it as they go. Reads are
right at every stage, since a half-converted series is blocks followed by a tail, like any other.

SQLite stores NaN as NULL: in the tail a NULL value reads back as NaN; blocks keep NaN as it is.
"""

from __future__ import annotations

import math
import sqlite3
from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from ..entities import MetricSummary
from .events import MAX_POINTS_PER_EVENT
from .metric_blocks import BLOCK_POINTS, Block, encode, encode_column, nan_min_max
from .validation import Column, Point

# At most this many tail points are sealed by one write to a series converted from rows, so no write
# transaction grows with the length of an old series.
SEAL_PER_WRITE = 32 * BLOCK_POINTS
_FIRST_STEP = -(2**63)


def as_float(value: float | None) -> float:
    return math.nan if value is None else value


def write_points(conn: sqlite3.Connection, run_id: str, points: Sequence[Point]) -> dict[str, dict[str, Any]]:
    """Append points to their series; the caller holds the write transaction.

    Returns, per key, what the change feed reports: the count and the newest points with their resolved steps.
    """
    # Columns by C-level map: no Python object per point beyond the values themselves (zip(*points) would make
    # one iterator per point, and the garbage collector would walk them all).
    keys, values, steps, timestamps = (list(map(itemgetter(i), points)) for i in range(4))
    if keys.count(keys[0]) == len(keys):
        return {keys[0]: _write_series(conn, run_id, keys[0], values, steps, timestamps)}
    by_key: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        by_key.setdefault(key, []).append(index)
    return {
        key: _write_series(
            conn,
            run_id,
            key,
            [values[i] for i in indexes],
            [steps[i] for i in indexes],
            [timestamps[i] for i in indexes],
        )
        for key, indexes in by_key.items()
    }


def write_columns(conn: sqlite3.Connection, run_id: str, columns: Sequence[Column]) -> dict[str, dict[str, Any]]:
    """Append column points (default steps: the next ones of each series); what `write_points` returns.

    The columns arrive as float64 arrays and their steps are a range, so whole blocks are packed from array
    slices: no Python object per point (the fast path of `Run.log` relies on it). A series whose tail holds a
    step at or past the next one (explicit steps logged earlier) takes the general path.
    """
    return {
        key: _write_column(conn, run_id, key, values, timestamps)
        for key, values, timestamps in columns
        if len(timestamps)
    }


def _series(conn: sqlite3.Connection, run_id: str, key: str) -> tuple[int, int, int, int]:
    """(id, count, sealed, last_step) of a series, made empty on first use."""
    row = conn.execute(
        "SELECT id, count, sealed, last_step FROM metric_series WHERE run_id = ? AND key = ?", (run_id, key)
    ).fetchone()
    if row is not None:
        return row  # type: ignore[no-any-return]
    inserted = conn.execute(
        "INSERT INTO metric_series (run_id, key, count, last_step, last_timestamp) VALUES (?, ?, 0, ?, 0)",
        (run_id, key, _FIRST_STEP),
    )
    assert inserted.lastrowid is not None  # set by every successful INSERT
    return inserted.lastrowid, 0, 0, _FIRST_STEP


def _write_column(
    conn: sqlite3.Connection,
    run_id: str,
    key: str,
    values: array,  # type: ignore[type-arg]
    timestamps: array,  # type: ignore[type-arg]
) -> dict[str, Any]:
    series_id, count, sealed, last_step = _series(conn, run_id, key)
    n = len(values)
    tail = count - sealed
    steps = range(count, count + n)
    if tail + n < BLOCK_POINTS:
        _insert_rows(conn, series_id, steps, timestamps, values)
        return _summarize(conn, series_id, last_step, steps, timestamps, values, 0, nan_min_max(values))
    rows = []
    if tail:
        rows = conn.execute(
            "SELECT step, timestamp, value FROM metric_points WHERE series_id = ? ORDER BY step, rowid", (series_id,)
        ).fetchall()
    if tail >= BLOCK_POINTS or (rows and rows[-1][0] >= count):
        return _write_series(conn, run_id, key, values.tolist(), None, timestamps.tolist())
    blocks = []
    start = 0
    if rows:
        conn.execute("DELETE FROM metric_points WHERE series_id = ?", (series_id,))
        old_steps, old_timestamps, old_values = zip(*rows)
        start = BLOCK_POINTS - tail
        blocks.append(
            encode(
                [*old_steps, *steps[:start]],
                [*old_timestamps, *timestamps[:start].tolist()],
                [*(as_float(v) for v in old_values), *values[:start].tolist()],
            )
        )
    end = start + (n - start) // BLOCK_POINTS * BLOCK_POINTS
    blocks.extend(
        encode_column(count + at, timestamps[at : at + BLOCK_POINTS], values[at : at + BLOCK_POINTS])
        for at in range(start, end, BLOCK_POINTS)
    )
    _insert_encoded(conn, series_id, sealed, blocks)
    _insert_rows(conn, series_id, steps[end:], timestamps[end:], values[end:])
    mins = [block.min_value for block in blocks if block.min_value is not None]
    maxs = [block.max_value for block in blocks if block.max_value is not None]
    rest_min, rest_max = nan_min_max(values[end:])
    vmin = min([*mins, rest_min]) if rest_min is not None else min(mins, default=None)
    vmax = max([*maxs, rest_max]) if rest_max is not None else max(maxs, default=None)
    return _summarize(conn, series_id, last_step, steps, timestamps, values, tail + end, (vmin, vmax))


def _summarize(
    conn: sqlite3.Connection,
    series_id: int,
    last_step: int,
    steps: range,
    timestamps: array,  # type: ignore[type-arg]
    values: array,  # type: ignore[type-arg]
    newly_sealed: int,
    min_max: tuple[float | None, float | None],
) -> dict[str, Any]:
    """The series row after appending column points with consecutive steps, and their change-feed entry."""
    n = len(steps)
    is_newer = steps[-1] >= last_step
    vmin, vmax = min_max
    conn.execute(
        _UPDATE_SERIES,
        (
            n,
            newly_sealed,
            vmin,
            vmin,
            vmax,
            vmax,
            is_newer,
            values[-1],
            is_newer,
            steps[-1],
            is_newer,
            timestamps[-1],
            series_id,
        ),
    )
    tail = slice(-MAX_POINTS_PER_EVENT, None)
    return {
        "count": n,
        "truncated": n > MAX_POINTS_PER_EVENT,
        "steps": list(steps[tail]),
        "timestamps": timestamps[tail].tolist(),
        "values": values[tail].tolist(),
    }


_UPDATE_SERIES = """
    UPDATE metric_series SET
        count = count + ?,
        sealed = sealed + ?,
        min_value = min(coalesce(min_value, ?), coalesce(?, min_value)),
        max_value = max(coalesce(max_value, ?), coalesce(?, max_value)),
        last = CASE WHEN ? THEN ? ELSE last END,
        last_step = CASE WHEN ? THEN ? ELSE last_step END,
        last_timestamp = CASE WHEN ? THEN ? ELSE last_timestamp END
    WHERE id = ?
"""


def merge_series(earlier: dict[str, dict[str, Any]], later: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The change-feed entries of two writes to the same runs' series in one transaction, as one entry per key."""
    merged = dict(earlier)
    tail = slice(-MAX_POINTS_PER_EVENT, None)
    for key, entry in later.items():
        first = merged.get(key)
        if first is None:
            merged[key] = entry
            continue
        merged[key] = {
            "count": first["count"] + entry["count"],
            "truncated": first["count"] + entry["count"] > MAX_POINTS_PER_EVENT,
            **{name: (first[name] + entry[name])[tail] for name in ("steps", "timestamps", "values")},
        }
    return merged


def _write_series(
    conn: sqlite3.Connection,
    run_id: str,
    key: str,
    values: list[float],
    given_steps: list[int | None] | None,
    timestamps: list[float],
) -> dict[str, Any]:
    """Append to one series; `given_steps` None means every point takes the next step."""
    series_id, count, sealed, last_step = _series(conn, run_id, key)

    n = len(values)
    if given_steps is None or given_steps.count(None) == n:
        steps = list(range(count, count + n))
    else:
        steps = [count + i if s is None else s for i, s in enumerate(given_steps)]
    newly_sealed = _store(conn, series_id, count - sealed, sealed, steps, timestamps, values)

    # "last" is the point with the greatest step; among equal steps, the one logged last.
    top = max(steps)
    newest = n - 1 - steps[::-1].index(top)
    is_newer = top >= last_step
    vmin, vmax = nan_min_max(values)
    conn.execute(
        _UPDATE_SERIES,
        (
            n,
            newly_sealed,
            vmin,
            vmin,
            vmax,
            vmax,
            is_newer,
            values[newest],
            is_newer,
            top,
            is_newer,
            timestamps[newest],
            series_id,
        ),
    )
    tail = slice(-MAX_POINTS_PER_EVENT, None)
    return {
        "count": n,
        "truncated": n > MAX_POINTS_PER_EVENT,
        "steps": steps[tail],
        "timestamps": timestamps[tail],
        "values": values[tail],
    }


def _store(
    conn: sqlite3.Connection,
    series_id: int,
    tail: int,
    sealed: int,
    steps: list[int],
    timestamps: list[float],
    values: list[float],
) -> int:
    """Put new points in blocks or in the tail; returns how many points were sealed into blocks."""
    if tail + len(steps) < BLOCK_POINTS:
        _insert_rows(conn, series_id, steps, timestamps, values)
        return 0
    if tail >= BLOCK_POINTS:  # a series from before blocks: convert a bounded part of it per write
        _insert_rows(conn, series_id, steps, timestamps, values)
        return seal_rows(conn, series_id, sealed, SEAL_PER_WRITE)
    if tail:
        rows = conn.execute(
            "SELECT step, timestamp, value FROM metric_points WHERE series_id = ? ORDER BY step, rowid", (series_id,)
        ).fetchall()
        conn.execute("DELETE FROM metric_points WHERE series_id = ?", (series_id,))
        old_steps, old_timestamps, old_values = zip(*rows)
        steps = [*old_steps, *steps]
        timestamps = [*old_timestamps, *timestamps]
        values = [*(as_float(v) for v in old_values), *values]
    if sorted(steps) != steps:  # a stable sort by step keeps equal steps in logging order
        order = sorted(range(len(steps)), key=steps.__getitem__)
        steps = [steps[i] for i in order]
        timestamps = [timestamps[i] for i in order]
        values = [values[i] for i in order]
    full = len(steps) // BLOCK_POINTS * BLOCK_POINTS
    _insert_blocks(conn, series_id, sealed, steps[:full], timestamps[:full], values[:full])
    _insert_rows(conn, series_id, steps[full:], timestamps[full:], values[full:])
    return full


def _insert_rows(
    conn: sqlite3.Connection,
    series_id: int,
    steps: Sequence[int],
    timestamps: Sequence[float],
    values: Sequence[float],
) -> None:
    if steps:
        conn.executemany(
            "INSERT INTO metric_points (series_id, step, timestamp, value) VALUES (?, ?, ?, ?)",
            zip([series_id] * len(steps), steps, timestamps, values),
        )


def _insert_blocks(
    conn: sqlite3.Connection,
    series_id: int,
    sealed: int,
    steps: list[int],
    timestamps: list[float],
    values: list[float],
) -> None:
    """Seal points (sorted, a whole number of blocks) as the blocks that follow the `sealed` points before them."""
    blocks = [
        encode(
            steps[start : start + BLOCK_POINTS],
            timestamps[start : start + BLOCK_POINTS],
            values[start : start + BLOCK_POINTS],
        )
        for start in range(0, len(steps), BLOCK_POINTS)
    ]
    _insert_encoded(conn, series_id, sealed, blocks)


def _insert_encoded(conn: sqlite3.Connection, series_id: int, sealed: int, blocks: Sequence[Block]) -> None:
    """Store blocks (sorted among themselves) after the `sealed` points before them; mark the series overlapping
    when a new block starts before the block sealed before it ends."""
    if not blocks:
        return
    first_block = sealed // BLOCK_POINTS
    previous_last = None
    if first_block:
        (previous_last,) = conn.execute(
            "SELECT last_step FROM metric_blocks WHERE series_id = ? AND block = ?", (series_id, first_block - 1)
        ).fetchone()
    conn.executemany(
        "INSERT INTO metric_blocks (series_id, block, count, first_step, last_step, last_timestamp, last, "
        "min_value, max_value, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(series_id, number, *block) for number, block in enumerate(blocks, first_block)],
    )
    if previous_last is not None and blocks[0].first_step < previous_last:
        conn.execute("UPDATE metric_series SET overlapping = 1 WHERE id = ?", (series_id,))


def seal_rows(conn: sqlite3.Connection, series_id: int, sealed: int, limit: int) -> int:
    """Seal up to `limit` points (whole blocks) from a long tail, smallest (step, logging order) first."""
    blocks = limit // BLOCK_POINTS
    rows = conn.execute(
        "SELECT rowid, step, timestamp, value FROM metric_points WHERE series_id = ? ORDER BY step, rowid LIMIT ?",
        (series_id, blocks * BLOCK_POINTS),
    ).fetchall()
    full = len(rows) // BLOCK_POINTS * BLOCK_POINTS
    if not full:
        return 0
    rowids, steps, timestamps, values = zip(*rows[:full])
    _insert_blocks(conn, series_id, sealed, list(steps), list(timestamps), [as_float(v) for v in values])
    conn.executemany("DELETE FROM metric_points WHERE rowid = ?", ((rowid,) for rowid in rowids))
    return full


def seal_pending(conn: sqlite3.Connection, limit: int) -> int:
    """Convert up to `limit` points of series whose tail holds a block or more (written before blocks); returns
    how many points were sealed, 0 when no such series is left."""
    done = 0
    while done + BLOCK_POINTS <= limit:
        row = conn.execute(
            "SELECT id, sealed FROM metric_series WHERE count - sealed >= ? LIMIT 1", (BLOCK_POINTS,)
        ).fetchone()
        if row is None:
            break
        series_id, sealed = row
        newly = seal_rows(conn, series_id, sealed, limit - done)
        conn.execute("UPDATE metric_series SET sealed = sealed + ? WHERE id = ?", (newly, series_id))
        done += newly
        if not newly:
            # The series' tail is shorter than its counter says (rows deleted by hand): trust the rows.
            (tail,) = conn.execute("SELECT count(*) FROM metric_points WHERE series_id = ?", (series_id,)).fetchone()
            conn.execute("UPDATE metric_series SET sealed = count - ? WHERE id = ?", (tail, series_id))
    return done


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
        result[run_id][key] = MetricSummary(key, as_float(last), vmin, vmax, step, ts, count)
    return result
