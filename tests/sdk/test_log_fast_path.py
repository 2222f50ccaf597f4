"""run.log(key, float) is an append once the name is known; everything else still gets every check, at the
call, and a commit that failed in the background is raised at the next call."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

import jupyter_mlext as mlx
from jupyter_mlext.sdk.writer import MAX_PENDING_POINTS


def test_known_names_and_floats_take_the_fast_path_and_the_rest_is_still_checked(workspace):
    with mlx.start_run("fast", workspace=workspace) as run:
        run.log("loss", 1.0)  # checks the name once
        run.log("loss", math.nan)
        for bad, field in (("0.5", "metrics.loss"), (None, "metrics.loss"), ([1.0], "metrics.loss")):
            with pytest.raises(mlx.InvalidInput, match="must be a number") as raised:
                run.log("loss", bad)
            assert raised.value.field == field
        with pytest.raises(mlx.InvalidInput, match="step"):
            run.log("loss", 2.0, step=1.5)
        with pytest.raises(mlx.InvalidInput, match="metric name"):
            run.log("", 2.0)
        run.log("loss", 3)  # an int, a NumPy scalar: converted on the full path
        run.log("loss", np.float32(0.25))
        run.log("loss", 5.0, step=10, timestamp=123.0)
    history = run.history("loss")
    assert history.steps == [0, 1, 2, 3, 10] and history.values[2:] == [3.0, 0.25, 5.0]
    assert math.isnan(history.values[1]) and history.timestamps[-1] == 123.0


def test_a_failed_background_commit_raises_at_the_next_fast_log(workspace):
    with mlx.start_run("fast", workspace=workspace) as run:
        run.log("loss", 1.0)
    ghost = mlx.Run("0" * 32, workspace)  # a run id the workspace does not have
    ghost.log("loss", 1.0)
    with pytest.raises(mlx.MLExtError, match="could not be stored"):
        ghost.flush()
    ghost.log("loss", 2.0)
    with pytest.raises(mlx.MLExtError, match="could not be stored"):
        for _ in range(100):  # the writer commits in the background within ~0.1 s; then log() raises
            ghost.log("loss", 3.0)
            time.sleep(0.01)
    with pytest.raises(mlx.MLExtError, match="could not be stored"):
        ghost.flush()  # the point of the call that raised was kept, and fails in turn
    ghost.flush()  # nothing is left pending


def test_a_loop_faster_than_the_writer_is_held_to_a_bounded_buffer(workspace):
    with mlx.start_run("bounded", workspace=workspace) as run:
        for _ in range(3 * MAX_PENDING_POINTS):
            run.log("loss", 0.5)
        # Uncommitted at any moment: at most one buffer's worth pending and one being committed by the writer.
        assert run.info.metrics["loss"].count >= 3 * MAX_PENDING_POINTS - 2 * (MAX_PENDING_POINTS + 1)
    assert run.history("loss").total_points == 3 * MAX_PENDING_POINTS


def test_fast_and_checked_points_of_a_key_keep_logging_order(workspace):
    with mlx.start_run("order", workspace=workspace) as run:
        run.log("loss", 1.0)  # checked, then the column
        run.log("loss", 2.0)  # fast
        run.log("loss", 3.0, step=100)  # explicit step: the column goes into the list first
        run.log("loss", 4.0)  # default step: the number of points before it (3)
        run.log_batch([("loss", 5.0), ("acc", 0.5)])
        run.log("loss", 6.0)
    history = run.history("loss")
    assert history.steps == [0, 1, 3, 4, 5, 100] and history.values == [1.0, 2.0, 4.0, 5.0, 6.0, 3.0]
    assert run.info.metrics["loss"].last == 3.0 and run.history("acc").values == [0.5]


def test_threads_logging_fast_into_one_run_lose_nothing_while_the_writer_commits(workspace):
    import threading

    per_thread = 30_000
    with mlx.start_run("threads", workspace=workspace) as run:

        def work(key: str) -> None:
            for i in range(per_thread):
                run.log(key, float(i))
                if i % 997 == 0:
                    run.log(key, -1.0, step=10**9 + i)  # a checked point now and then moves the column

        threads = [threading.Thread(target=work, args=(key,)) for key in ("a", "a", "b", "c")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    checked = len(range(0, per_thread, 997))
    assert run.history("a").total_points == 2 * (per_thread + checked)
    for key in ("b", "c"):
        history = run.history(key)
        assert history.total_points == per_thread + checked
        fast = [v for v in history.values if v >= 0]
        assert fast == [float(i) for i in range(per_thread)]  # one thread per key: its own order
