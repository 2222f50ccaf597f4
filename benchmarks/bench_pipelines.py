"""Pipeline benchmark: what reusing a step costs, and what the pipeline machinery adds to running scripts.

Why: a re-run of an unchanged pipeline should be near-instant (target ≤ 50 ms per reused step), and the runner
(snapshot per step, child runs, job queue, supervisor) should add little to the scripts' own time.

    (a) reused step        a 20-step chain, already run once, run again: (wall time) / 20
    (b) 20 no-op steps     a 20-step chain (each step takes the previous one's output) run with force=True on
                           `local` (concurrency 2, driven and dispatched from this process), against the same 20
                           scripts run one after the other with `python script.py`; overhead per step = difference / 20
                           (target: ≤ 50 ms with the warm pool)
    (c) 20 parallel steps  20 independent no-op steps, force=True, `local` concurrency 2

(b) and (c) are measured with the warm pool (steps forked from a preloaded interpreter, the default; once the pool
is ready) and without it (MLEXT_WARM_POOL=off: a new interpreter per supervisor and per script), in the same run.

    python benchmarks/bench_pipelines.py            # → benchmarks/results/pipelines.json
    python benchmarks/bench_pipelines.py --quick    # 5 steps, 1 repetition; writes a file only with --out

Everything lives in a temporary directory that is removed afterwards. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import machine, write_results

from jupyter_mlext.compute.warm import WarmSettings, shared_pool
from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.runner import run_pipeline
from jupyter_mlext.store import Workspace

NOOP = """
import os
os.makedirs("outputs/out", exist_ok=True)
open("outputs/out/done.txt", "w").write("{name}")
"""
RESULTS = Path(__file__).resolve().parent / "results" / "pipelines.json"


def project(folder: Path, steps: int, chain: bool) -> Pipeline:
    folder.mkdir(parents=True)
    definition = []
    for i in range(steps):
        (folder / f"s{i}.py").write_text(NOOP.format(name=f"s{i}"))
        inputs = {"previous": f"s{i - 1}.out"} if chain and i else {}
        definition.append(Step(f"s{i}", script=f"s{i}.py", inputs=inputs, outputs=["out"]))
    return Pipeline("bench-chain" if chain else "bench-parallel", definition, source_dir=folder)


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def direct(folder: Path, steps: int) -> float:
    """The same scripts run one after the other, each in its own interpreter, in its own folder."""
    start = time.perf_counter()
    for i in range(steps):
        subprocess.run([sys.executable, f"s{i}.py"], cwd=folder, check=True)
    return time.perf_counter() - start


@contextlib.contextmanager
def warm_pool(on: bool):
    """Steps start warm (the pool of this process, ready before anything is timed) or cold."""
    previous = os.environ.get("MLEXT_WARM_POOL")
    os.environ["MLEXT_WARM_POOL"] = "on" if on else "off"
    try:
        if on:
            pool = shared_pool(WarmSettings.from_env())
            pool.prewarm()
            assert pool.wait_ready(120), "the warm interpreter did not start"
        yield
    finally:
        if previous is None:
            del os.environ["MLEXT_WARM_POOL"]
        else:
            os.environ["MLEXT_WARM_POOL"] = previous


def forced_run(ws: Workspace, pipeline: Pipeline) -> float:
    seconds, record = timed(lambda: run_pipeline(ws, pipeline, force=True, timeout=600))
    assert record.state == "Completed", record.error
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    steps, repeats = (5, 1) if args.quick else (20, 3)
    out = args.out or (None if args.quick else RESULTS)
    with tempfile.TemporaryDirectory(prefix="mlext-bench-pipelines-") as base:
        root = Path(base)
        ws = Workspace(root / "ws")
        chain = project(root / "chain", steps, chain=True)
        parallel = project(root / "parallel", steps, chain=False)
        with warm_pool(False):
            first, record = timed(lambda: run_pipeline(ws, chain, timeout=600))
        assert record.state == "Completed", record.error
        reused, direct_s, cold, cold_parallel, warm, warm_parallel = [], [], [], [], [], []
        for _ in range(repeats):  # interleaved, so that a change of the machine's load touches both alike
            seconds, record = timed(lambda: run_pipeline(ws, chain, timeout=600))
            assert all(s.state == "Reused" for s in record.steps), [(s.step, s.state, s.error) for s in record.steps]
            reused.append(seconds)
            direct_s.append(direct(chain.source_dir, steps))
            with warm_pool(False):
                cold.append(forced_run(ws, chain))
                cold_parallel.append(forced_run(ws, parallel))
            with warm_pool(True):
                warm.append(forced_run(ws, chain))
                warm_parallel.append(forced_run(ws, parallel))
        ws.close()
    median = statistics.median
    overhead = round((median(warm) - median(direct_s)) / steps * 1000, 1)
    overhead_cold = round((median(cold) - median(direct_s)) / steps * 1000, 1)
    results = {
        "machine": machine(),
        "steps": steps,
        "repeats": repeats,
        "reused_step_ms": round(median(reused) / steps * 1000, 2),
        "reused_step_target_ms": 50,
        "chain_first_run_s": round(first, 3),
        "direct_scripts_s": round(median(direct_s), 3),
        "chain_forced_s": round(median(warm), 3),
        "chain_step_ms": round(median(warm) / steps * 1000, 1),
        "overhead_per_step_ms": overhead,
        "overhead_per_step_target_ms": 50,
        "overhead_per_step_met": overhead <= 50,
        "chain_forced_cold_s": round(median(cold), 3),
        "chain_step_cold_ms": round(median(cold) / steps * 1000, 1),
        "overhead_per_step_cold_ms": overhead_cold,
        "cold_over_warm_chain": round(median(cold) / median(warm), 2),
        "parallel_forced_s": round(median(warm_parallel), 3),
        "parallel_forced_cold_s": round(median(cold_parallel), 3),
        "local_concurrency": 2,
    }
    for key, value in results.items():
        print(f"{key:24} {value}")
    write_results(out, results)


if __name__ == "__main__":
    main()
