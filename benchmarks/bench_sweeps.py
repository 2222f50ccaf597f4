"""Sweep benchmark: what a sweep costs per trial beyond the trial itself, how many trials a minute flow through
`local` and a Dask cluster, and how much compute early termination saves.

    (a) overhead per trial      a sequential sweep of N trials of a script that logs one value, vs optuna alone
                                running the same trials of the same script (`subprocess.run`, the same work per
                                trial), and vs optuna calling the objective in-process (no process at all)
    (b) trials per minute       2 concurrent trials of a short script, on `local` (the sweep's own process
                                dispatches) and on a 2-worker Dask cluster (dispatched by a `mlext server`)
    (c) Bandit savings          8 trials of which half are bad (loss 1.0 vs 0.1–0.2, 20 steps each): the summed
                                run time of the trials with Bandit(slack_factor=0.2, delay_evaluation=3) vs
                                without a policy, and whether the best value is the same

    python benchmarks/bench_sweeps.py            # → benchmarks/results/sweeps.json
    python benchmarks/bench_sweeps.py --quick    # smaller sizes; writes a file only when --out is given

Targets (reported, never asserted): (a) ≤ 50 ms per trial on local; (c) ≥ 40 % saved with the best unchanged.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import optuna
from bench_compute import dask_cluster, mlext_server
from results_file import machine, write_results

import jupyter_mlext as mlx
from jupyter_mlext.store import Workspace

ONE_VALUE = """
import argparse
import jupyter_mlext as mlx
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float)
parser.add_argument("--quality", default="good")
args, _ = parser.parse_known_args()
mlx.Run.get_context().log("loss", (args.x - 0.3) ** 2)
"""

CURVE = """
import argparse, time
import jupyter_mlext as mlx
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float)
parser.add_argument("--quality")
args = parser.parse_args()
run = mlx.Run.get_context()
base = 1.0 if args.quality == "bad" else 0.1 + args.x / 10
for step in range(20):
    run.log("loss", base + 0.01 / (step + 1), step=step)
    run.flush()
    time.sleep(0.1)
"""


def _project(root: Path, name: str, source: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(source)
    return folder / "train.py"


def overhead(root: Path, trials: int) -> dict[str, Any]:
    script = _project(root, "one", ONE_VALUE)
    workspace = root / "ws-a"
    Workspace(workspace).close()
    started = time.perf_counter()
    sweep = mlx.sweep(
        "overhead",
        script=str(script),
        space={"x": mlx.uniform(0, 1)},
        sampling="bayesian",
        primary_metric="loss",
        max_trials=trials,
        workspace=str(workspace),
    )
    sweep.wait()
    ours = (time.perf_counter() - started) / trials

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    scratch = root / "optuna-cwd"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}

    def by_process(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        subprocess.run([sys.executable, str(script), "--x", str(x)], cwd=scratch, env=env, check=True)
        return (x - 0.3) ** 2

    started = time.perf_counter()
    optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0)).optimize(by_process, n_trials=trials)
    anchor = (time.perf_counter() - started) / trials
    started = time.perf_counter()
    in_process = 200
    optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0)).optimize(
        lambda t: (t.suggest_float("x", 0, 1) - 0.3) ** 2, n_trials=in_process
    )
    bare = (time.perf_counter() - started) / in_process
    return {
        "trials": trials,
        "sweep_s_per_trial": ours,
        "optuna_subprocess_s_per_trial": anchor,
        "optuna_in_process_s_per_trial": bare,
        "overhead_ms_per_trial": (ours - anchor) * 1000,
        "ratio_to_optuna_subprocess": ours / anchor,
    }


def throughput(root: Path, trials: int) -> dict[str, Any]:
    script = _project(root, "flow", ONE_VALUE)
    result = {}
    workspace = root / "ws-b"
    ws = Workspace(workspace)
    ws.compute.set_concurrency("local", 2)
    ws.close()
    started = time.perf_counter()
    mlx.sweep(
        "flow-local",
        script=str(script),
        space={"x": mlx.uniform(0, 1)},
        primary_metric="loss",
        max_trials=trials,
        max_concurrent=2,
        workspace=str(workspace),
    ).wait()
    result["local_trials_per_min"] = trials / (time.perf_counter() - started) * 60
    dask_root, dask_ws = root / "dask", root / "ws-c"
    dask_root.mkdir()
    with dask_cluster(dask_root) as address, mlext_server(dask_ws, root):
        ws = Workspace(dask_ws)
        ws.compute.create_target("cluster", "dask", address, concurrency=2)
        ws.close()
        started = time.perf_counter()
        mlx.sweep(
            "flow-dask",
            script=str(script),
            space={"x": mlx.uniform(0, 1)},
            primary_metric="loss",
            max_trials=trials,
            max_concurrent=2,
            compute="cluster",
            workspace=str(dask_ws),
        ).wait()
        result["dask_trials_per_min"] = trials / (time.perf_counter() - started) * 60
    result["trials"] = trials
    return result


def savings(root: Path) -> dict[str, Any]:
    script = _project(root, "curve", CURVE)
    outcome = {}
    for label, policy in (("none", None), ("bandit", mlx.Bandit(slack_factor=0.2, delay_evaluation=3))):
        workspace = root / f"ws-{label}"
        ws = Workspace(workspace)
        ws.compute.set_concurrency("local", 2)
        sweep = mlx.sweep(
            f"savings-{label}",
            script=str(script),
            space={"quality": mlx.choice(["good", "bad"]), "x": mlx.choice([0.0, 0.5, 1.0, 1.5])},
            sampling="grid",
            primary_metric="loss",
            max_concurrent=2,
            early_termination=policy,
            workspace=str(workspace),
        )
        sweep.wait()
        runs = [ws.tracking.get_run(t.run_id) for t in sweep.trials]
        outcome[label] = {
            "compute_s": sum((r.ended_at or 0) - (r.started_at or 0) for r in runs),
            "best": ws.sweeps.get(sweep.id).best_value,
            "stopped": sum(t.state.value == "Stopped" for t in sweep.trials),
        }
        ws.close()
    saved = 1 - outcome["bandit"]["compute_s"] / outcome["none"]["compute_s"]
    return {**outcome, "share_saved": saved, "best_unchanged": outcome["bandit"]["best"] == outcome["none"]["best"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or (None if args.quick else Path(__file__).parent / "results" / "sweeps.json")
    with tempfile.TemporaryDirectory(prefix="mlext-bench-sweeps-") as tmp:
        root = Path(tmp)
        result = {
            "machine": machine(optuna=optuna.__version__),
            "overhead": overhead(root, 4 if args.quick else 10),
            "throughput": throughput(root, 4 if args.quick else 10),
            "savings": savings(root),
        }
    o, t, s = result["overhead"], result["throughput"], result["savings"]
    print(
        f"(a) sweep {o['sweep_s_per_trial'] * 1000:.0f} ms/trial vs optuna+subprocess "
        f"{o['optuna_subprocess_s_per_trial'] * 1000:.0f} ms/trial (×{o['ratio_to_optuna_subprocess']:.2f}, "
        f"overhead {o['overhead_ms_per_trial']:.0f} ms; target ≤ 50 ms); optuna in-process "
        f"{o['optuna_in_process_s_per_trial'] * 1000:.1f} ms/trial"
    )
    print(f"(b) 2 concurrent: local {t['local_trials_per_min']:.1f} trials/min, dask {t['dask_trials_per_min']:.1f}")
    print(
        f"(c) Bandit: compute {s['bandit']['compute_s']:.1f} s vs {s['none']['compute_s']:.1f} s without "
        f"→ {s['share_saved']:.0%} saved (target ≥ 40%), best unchanged: {s['best_unchanged']}"
    )
    write_results(out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
