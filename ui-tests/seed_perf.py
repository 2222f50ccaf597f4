"""Seed the frontend benchmark's workspace ($MLEXT_WORKSPACE) through the tracking ws, once.

Experiment `perf-10k`: 10,000 completed runs, each with params `lr` and `seed` and a short `loss` series, so that
the runs table's search, sort and paging work on a realistic workspace. Experiment `perf-1m`: one run whose `loss`
series has 1,000,000 points. Prints the ids as JSON: {"big_run": ...}.
"""

from __future__ import annotations

import json
import math
import random
import time

from jupyter_mlext.entities import RunStatus
from jupyter_mlext.store import Workspace, validate_point

RUNS = 10_000
POINTS = 1_000_000
BATCH = 100_000


def seed_runs(ws: Workspace) -> None:
    rng = random.Random(0)
    now = time.time()
    for index in range(RUNS):
        lr = round(10 ** rng.uniform(-4, -1), 6)
        run = ws.tracking.create_run(
            "perf-10k", name=f"trial-{index:05d}", params={"lr": lr, "seed": index}, status=RunStatus.COMPLETED
        )
        ws.tracking.log_metrics(
            run.id, [("loss", math.exp(-step * lr * 10) + rng.random() * 0.01, step, now) for step in range(5)]
        )


def seed_series(ws: Workspace) -> str:
    run = ws.tracking.create_run("perf-1m", name="one-million-points")
    now = time.time()
    for start in range(0, POINTS, BATCH):
        ws.tracking.write_metrics(
            {
                run.id: [
                    validate_point("loss", math.sin(step / 5000) + step / POINTS, step, now, now)
                    for step in range(start, start + BATCH)
                ]
            }
        )
    ws.tracking.set_status(run.id, RunStatus.COMPLETED)
    return run.id


def main() -> None:
    ws = Workspace()
    experiments = {e.name: e for e in ws.tracking.list_experiments()}
    if "perf-10k" not in experiments:
        seed_runs(ws)
    if "perf-1m" in experiments:
        big = ws.tracking.search_runs("perf-1m", max_results=1).runs[0].id
    else:
        big = seed_series(ws)
    print(json.dumps({"big_run": big}))


if __name__ == "__main__":
    main()
