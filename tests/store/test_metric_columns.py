"""Column writes (what `Run.log`'s fast path hands over: float64 arrays with default steps) store exactly what
the same points written one tuple each would: same history, same summary, same blocks, in every mix with
explicit steps, NaN and infinities, short and long batches."""

from __future__ import annotations

import math
import random
from array import array

import pytest

from jupyter_mlext.store.events import EventFeed
from jupyter_mlext.store.metric_blocks import BLOCK_POINTS, encode, encode_column


def _dump(ws, run_id: str) -> tuple[list, list, list]:
    with ws.db.read() as conn:
        series = conn.execute(
            "SELECT key, count, sealed, last, min_value, max_value, last_step, last_timestamp, overlapping "
            "FROM metric_series WHERE run_id = ? ORDER BY key",
            (run_id,),
        ).fetchall()
        blocks = conn.execute(
            "SELECT s.key, b.block, b.count, b.first_step, b.last_step, b.last_timestamp, b.last, b.min_value, "
            "b.max_value, b.data FROM metric_blocks b JOIN metric_series s ON s.id = b.series_id "
            "WHERE s.run_id = ? ORDER BY s.key, b.block",
            (run_id,),
        ).fetchall()
        rows = conn.execute(
            "SELECT s.key, p.step, p.timestamp, p.value FROM metric_points p JOIN metric_series s "
            "ON s.id = p.series_id WHERE s.run_id = ? ORDER BY s.key, p.step, p.rowid",
            (run_id,),
        ).fetchall()
    return series, blocks, rows


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN."""
    return repr(a) == repr(b)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_columns_store_what_the_same_points_as_tuples_store(ws, seed):
    rng = random.Random(seed)
    by_columns = ws.tracking.create_run("columns").id
    by_points = ws.tracking.create_run("points").id
    for _ in range(30):
        points, columns = [], []
        for key in rng.sample("abc", rng.randint(1, 3)):
            for _ in range(rng.choice([0, 1, 2])):
                step = rng.choice([None, rng.randrange(0, 5000)])
                points.append((key, rng.uniform(-5, 5), step, 1e9 + rng.random()))
            n = rng.choice([0, 1, 7, BLOCK_POINTS - 1, BLOCK_POINTS, 3 * BLOCK_POINTS + 11])
            values = array(
                "d", (rng.choice([math.nan, math.inf, 0.5]) if rng.random() < 0.05 else rng.random() for _ in range(n))
            )
            constant = rng.random() < 0.3
            timestamps = array("d", (1e9 if constant else 1e9 + i * 0.001 for i in range(n)))
            columns.append((key, values, timestamps))
        ws.tracking.write_metric_columns({by_columns: (points, columns)})
        as_points = [*points, *((k, v, None, t) for k, vs, ts in columns for v, t in zip(vs, ts))]
        if as_points:
            ws.tracking.write_metrics({by_points: as_points})
    assert _same(_dump(ws, by_columns), _dump(ws, by_points))
    for key in "abc":
        ours, theirs = ws.tracking.metric_history(by_columns, key), ws.tracking.metric_history(by_points, key)
        assert _same((ours.steps, ours.timestamps, ours.values), (theirs.steps, theirs.timestamps, theirs.values))


def test_a_packed_column_block_is_the_block_of_the_same_points():
    rng = random.Random(7)
    for constant, few in ((True, False), (False, False), (False, True)):
        values = array("d", (float(rng.randrange(3)) if few else rng.random() for _ in range(BLOCK_POINTS)))
        timestamps = array("d", (1e9 if constant else 1e9 + rng.random() for _ in range(BLOCK_POINTS)))
        first = rng.randrange(10_000)
        steps = list(range(first, first + BLOCK_POINTS))
        assert encode_column(first, timestamps, values) == encode(steps, timestamps.tolist(), values.tolist())


def test_a_column_write_emits_one_change_entry_per_key(ws):
    run_id = ws.tracking.create_run("events").id
    feed = EventFeed(ws.db)
    cursor = feed.latest()
    ws.tracking.write_metric_columns(
        {run_id: ([("loss", 1.0, 5, 1e9)], [("loss", array("d", [2.0, 3.0]), array("d", [1e9 + 1, 1e9 + 2]))])}
    )
    history = ws.tracking.metric_history(run_id, "loss")
    assert history.steps == [1, 2, 5] and history.values == [2.0, 3.0, 1.0]
    (event,) = [e for e in feed.since(cursor) if e.run_id == run_id]
    assert event.data["series"]["loss"] == {
        "count": 3,
        "truncated": False,
        "steps": [5, 1, 2],
        "timestamps": [1e9, 1e9 + 1, 1e9 + 2],
        "values": [1.0, 2.0, 3.0],
    }
