"""kill -9 of a process in the middle of `run.log()` loses at most what its metric writer had not committed yet:
what is stored is an exact prefix of what was logged, and the run is then marked Failed ("process lost")."""

from __future__ import annotations

import mmap
import os
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from jupyter_mlext.entities import RunStatus
from jupyter_mlext.sdk.writer import FLUSH_INTERVAL_S, MAX_PENDING_POINTS
from jupyter_mlext.store import Workspace

REPO = Path(__file__).resolve().parents[2]
COUNTER = struct.Struct("<qd")  # points logged so far, time.time() of the last one

# The child keeps its count in a shared file mapping, which outlives a SIGKILL: the count at the moment of the kill.
LOGGER = textwrap.dedent("""
    import mmap, struct, sys, time, jupyter_mlext as mlx
    with open(sys.argv[1], "r+b") as handle:
        counter = mmap.mmap(handle.fileno(), struct.calcsize("<qd"))
    run = mlx.start_run("crash", name="killed")
    print(run.id, flush=True)
    step = 0
    while True:
        now = time.time()
        run.log("x", float(step), step=step, timestamp=now)
        step += 1
        counter[:] = struct.pack("<qd", step, now)
""")


def stored_points(workspace: Path, run_id: str) -> int:
    with Workspace(workspace) as ws:
        summary = ws.tracking.get_run(run_id).metrics.get("x")
    return 0 if summary is None else summary.count


@pytest.mark.timeout(120)
def test_kill_9_while_logging_loses_at_most_the_unflushed_batch(workspace, tmp_path):
    counter_file = tmp_path / "counter"
    counter_file.write_bytes(bytes(COUNTER.size))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    env.update(MLEXT_WORKSPACE=str(workspace), PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, "-c", LOGGER, str(counter_file)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        run_id = child.stdout.readline().strip()
        deadline = time.monotonic() + 60
        while stored_points(workspace, run_id) < 20_000:  # kill it in full flow, several commits in
            assert child.poll() is None and time.monotonic() < deadline, "the logging process did not get going"
            time.sleep(0.05)
        child.kill()
        child.wait()
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    with open(counter_file, "rb") as handle, mmap.mmap(handle.fileno(), COUNTER.size, access=mmap.ACCESS_READ) as m:
        logged, last_logged_at = COUNTER.unpack(m[:])

    with Workspace(workspace) as ws:
        run = ws.tracking.get_run(run_id)
        history = ws.tracking.metric_history(run_id, "x")
    stored = history.total_points
    # The kill may land between a log() and the counter's update: one point more than counted may be stored.
    assert 0 < stored <= logged + 1
    assert history.steps == list(range(stored)), "what is stored is an exact prefix of what was logged"
    assert history.values == [float(step) for step in range(stored)]
    lost = max(0, logged - stored)
    # What the writer can hold uncommitted: the batch being committed plus what waits, each at most
    # MAX_PENDING_POINTS (beyond it, log() commits in the caller's thread).
    assert lost <= 2 * (MAX_PENDING_POINTS + 1)
    lost_ms = max(0.0, (last_logged_at - history.timestamps[-1]) * 1000)
    print(f"kill -9 lost {lost} points, the last {lost_ms:.0f} ms (flush interval {FLUSH_INTERVAL_S * 1000:.0f} ms)")
    assert run.status is RunStatus.FAILED and run.error.startswith("process lost")
