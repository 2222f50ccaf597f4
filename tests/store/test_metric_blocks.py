"""Metric points in sealed blocks plus an open tail: what is read back is what was logged, in every shape of
series (steps in order or not, repeated, missing; NaN and infinities; one batch or many), and downsampling
keeps each bucket's extremes and last point."""

from __future__ import annotations

import math
import random

import pytest

from jupyter_mlext.entities import InvalidInput
from jupyter_mlext.store.metric_blocks import BLOCK_POINTS


def _reference(logged: list[tuple[int, float, float]]) -> tuple[list[int], list[float], list[float]]:
    """Points sorted by step, equal steps in the order they were logged (what history must return)."""
    ordered = sorted(logged, key=lambda point: point[0])
    return [p[0] for p in ordered], [p[1] for p in ordered], [p[2] for p in ordered]


def _same_floats(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b))


def _stored_rows(ws) -> tuple[int, int]:
    with ws.db.read() as conn:
        rows = conn.execute("SELECT count(*) FROM metric_points").fetchone()[0]
        blocks = conn.execute("SELECT coalesce(sum(count), 0) FROM metric_blocks").fetchone()[0]
    return rows, blocks


def test_a_bulk_write_is_sealed_into_blocks_and_only_the_remainder_stays_in_rows(ws):
    run_id = ws.tracking.create_run("blocks").id
    n = 10 * BLOCK_POINTS + 7
    ws.tracking.log_metrics(run_id, [("loss", 1.0 / (i + 1), None, 1000.0 + i) for i in range(n)])
    assert _stored_rows(ws) == (7, 10 * BLOCK_POINTS)
    history = ws.tracking.metric_history(run_id, "loss")
    assert history.steps == list(range(n)) and history.values == [1.0 / (i + 1) for i in range(n)]
    assert history.timestamps == [1000.0 + i for i in range(n)] and not history.downsampled
    assert history.mins == history.values == history.maxs

    # Small writes fill the tail until it holds a block, which is then sealed.
    for i in range(n, n + BLOCK_POINTS):
        ws.tracking.log_metrics(run_id, [("loss", float(i), None, None)])
    assert _stored_rows(ws) == (7, 11 * BLOCK_POINTS)
    assert ws.tracking.metric_history(run_id, "loss").steps == list(range(n + BLOCK_POINTS))
    assert ws.tracking.get_run(run_id).metrics["loss"].count == n + BLOCK_POINTS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_mix_of_batches_reads_back_as_logged(ws, seed):
    """Random batch sizes, steps given or defaulted, out of order and repeated, non-finite values, three keys."""
    rng = random.Random(seed)
    run_id = ws.tracking.create_run("mixed").id
    logged: dict[str, list[tuple[int, float, float]]] = {"a": [], "b": [], "c": []}
    specials = [math.nan, math.inf, -math.inf]
    for _ in range(40):
        batch = []
        for _ in range(rng.choice([1, 3, 50, 300, 700, 2 * BLOCK_POINTS + 5])):
            key = rng.choice("aab c".replace(" ", ""))
            count = len(logged[key])
            step = rng.choice([None, None, count, rng.randrange(0, 3000), count - 5])
            value = rng.choice(specials) if rng.random() < 0.02 else rng.uniform(-10, 10)
            timestamp = rng.choice([1e9, 1e9 + rng.random() * 1000])
            logged[key].append((count if step is None else step, timestamp, value))
            batch.append((key, value, step, timestamp))
        ws.tracking.log_metrics(run_id, batch)
    for key, points in logged.items():
        steps, timestamps, values = _reference(points)
        history = ws.tracking.metric_history(run_id, key)
        assert history.steps == steps and history.timestamps == timestamps
        assert _same_floats(history.values, values)
        assert history.total_points == len(points)
        for max_points in (1, 7, 100):
            _check_buckets(ws.tracking.metric_history(run_id, key, max_points), steps, values, max_points)
    rows, sealed = _stored_rows(ws)
    assert rows + sealed == sum(len(p) for p in logged.values()) and rows < 3 * BLOCK_POINTS


def _check_buckets(sampled, steps: list[int], values: list[float], max_points: int) -> None:
    """At most max_points buckets, in step order, each last point a logged point within the bucket's extremes,
    and the series' own extremes and last point kept."""
    assert sampled.downsampled and 1 <= len(sampled.steps) <= max_points
    assert sampled.steps == sorted(sampled.steps)
    finite = [v for v in values if not math.isnan(v)]
    assert max(v for v in sampled.maxs if not math.isnan(v)) == max(finite)
    assert min(v for v in sampled.mins if not math.isnan(v)) == min(finite)
    assert sampled.steps[-1] == steps[-1]
    logged = set(zip(steps, [repr(v) for v in values]))
    for step, last, low, high in zip(sampled.steps, sampled.values, sampled.mins, sampled.maxs):
        assert (step, repr(last)) in logged
        assert math.isnan(last) or low <= last <= high


def test_a_long_series_is_bucketed_from_block_summaries_with_every_extreme(ws):
    run_id = ws.tracking.create_run("long").id
    n = 40 * BLOCK_POINTS + 100
    values = [math.sin(i / 300) + (50.0 if i == 12_345 else 0.0) - (50.0 if i == 777 else 0.0) for i in range(n)]
    for start in range(0, n, 5_000):
        ws.tracking.log_metrics(run_id, [("wave", values[i], i, float(i)) for i in range(start, min(n, start + 5_000))])
    sampled = ws.tracking.metric_history(run_id, "wave", max_points=20)  # 40 blocks ≥ 20 buckets: from summaries
    _check_buckets(sampled, list(range(n)), values, 20)
    assert max(sampled.maxs) == 51.0 - (1 - math.sin(12_345 / 300)) and min(sampled.mins) == values[777]
    assert sampled.values[-1] == values[-1] and sampled.timestamps[-1] == float(n - 1)


def test_a_bad_point_in_a_batch_leaves_the_series_as_it_was(ws):
    run_id = ws.tracking.create_run("atomic").id
    ws.tracking.log_metrics(run_id, [("x", float(i), None, None) for i in range(BLOCK_POINTS - 1)])
    with pytest.raises(InvalidInput, match="metrics.x"):
        ws.tracking.log_metrics(run_id, [("x", 1.0, None, None), ("x", "high", None, None)])
    assert ws.tracking.metric_history(run_id, "x").steps == list(range(BLOCK_POINTS - 1))
    assert _stored_rows(ws) == (BLOCK_POINTS - 1, 0)


def test_a_block_of_few_distinct_values_is_compressed(ws):
    run_id = ws.tracking.create_run("lr").id
    ws.tracking.log_metrics(run_id, [("lr", 0.001, None, 5.0) for _ in range(BLOCK_POINTS)])
    with ws.db.read() as conn:
        (size,) = conn.execute("SELECT length(data) FROM metric_blocks").fetchone()
    assert size < 200
    assert ws.tracking.metric_history(run_id, "lr").values == [0.001] * BLOCK_POINTS


def test_refused_points_raise_before_anything_is_written(ws):
    run_id = ws.tracking.create_run("refused").id
    with pytest.raises(InvalidInput, match="64 bits"):
        ws.tracking.log_metrics(run_id, [("y", 1.0, 2**70, None)])
    assert ws.tracking.get_run(run_id).metrics == {}
