"""MLflow API benchmark: the stock `mlflow` client's workflow against `mlflow server` (SQLite backend) and against
our MLflow-compatible API (`mlext server`, /mlext/mlflow), in one run, on the same machine, one after the other.

Why: tools that speak only MLflow (Optuna's callback, autologging) call `log_metric` once per value; our API must
not be the slow part of a training loop. Targets (issue 17): at least 2× MLflow's `log_metric` calls/s and
`log_batch` points/s, and history reads at least as fast.

    (a) log_metric      sequential MlflowClient.log_metric calls (one HTTP request each), calls/s
    (b) log_batch       MlflowClient.log_batch of many points (the client sends 1000 per request), points/s
    (c) history read    MlflowClient.get_metric_history of the (b) series, seconds per read (median of 3)

How to run it (from the repository root, with the `test` extra installed, which brings mlflow):

    python benchmarks/bench_mlflow_api.py           # full sizes (~2 min) → benchmarks/results/mlflow_api.json
    python benchmarks/bench_mlflow_api.py --quick   # smoke sizes; writes a file only when --out is given

Both servers run as processes on 127.0.0.1 in a temporary directory that is removed afterwards. Figures are
reported as ratios to MLflow measured in the same run, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from results_file import machine, write_results

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "mlflow_api.json"
TOKEN = "bench-token"
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true", "MLFLOW_ENABLE_ASYNC_LOGGING": "false"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, headers: dict[str, str], process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer in {timeout} s") from None
            time.sleep(0.2)


@contextlib.contextmanager
def mlflow_server(folder: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--artifacts-destination",
            str(folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=folder,
        env={**os.environ, **QUIET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/api/2.0/mlflow/experiments/search?max_results=1", {}, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@contextlib.contextmanager
def our_server(folder: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from jupyter_mlext.cli import main; sys.exit(main())",
            "server",
            "--workspace",
            str(folder / "ws"),
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={folder}",
            "--allow-root",
        ],
        env={**os.environ, **QUIET, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/mlext/mlflow"
        wait_for(f"{url}/api/2.0/mlflow/experiments/search", {"Authorization": f"Bearer {TOKEN}"}, process)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def workflow(uri: str, calls: int, points: int) -> dict[str, float]:
    import mlflow
    from mlflow.entities import Metric

    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment_id = client.create_experiment(f"bench-{time.time_ns()}")
    run_id = client.create_run(experiment_id).info.run_id
    client.log_metric(run_id, "warmup", 0.0)
    started = time.perf_counter()
    for step in range(calls):
        client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
    log_metric = calls / (time.perf_counter() - started)
    now = int(time.time() * 1000)
    batch = [Metric("series", float(i), now + i, i) for i in range(points)]
    started = time.perf_counter()
    client.log_batch(run_id, metrics=batch)
    log_batch = points / (time.perf_counter() - started)
    reads = []
    for _ in range(3):
        started = time.perf_counter()
        history = client.get_metric_history(run_id, "series")
        reads.append(time.perf_counter() - started)
        assert len(history) == points
    client.set_terminated(run_id)
    return {"log_metric_calls_per_s": log_metric, "log_batch_points_per_s": log_batch, "history_read_s": min(reads)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke sizes; no file unless --out")
    parser.add_argument("--out", type=Path, help=f"where to write the JSON results (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    calls, points = (100, 5_000) if args.quick else (500, 50_000)
    os.environ.update(QUIET)
    os.environ["MLFLOW_TRACKING_TOKEN"] = TOKEN  # ignored by `mlflow server`, which has no auth here
    import mlflow

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "mlflow").mkdir()
        (root / "ours").mkdir()
        with mlflow_server(root / "mlflow") as url:
            results["mlflow"] = workflow(url, calls, points)
        with our_server(root / "ours") as url:
            results["ours"] = workflow(url, calls, points)
    anchor, ours = results["mlflow"], results["ours"]
    ratios = {
        "log_metric": ours["log_metric_calls_per_s"] / anchor["log_metric_calls_per_s"],
        "log_batch": ours["log_batch_points_per_s"] / anchor["log_batch_points_per_s"],
        "history_read_speedup": anchor["history_read_s"] / ours["history_read_s"],
    }
    print(f"{'':26}{'mlflow server':>16}{'jupyter-mlext':>16}{'ratio':>10}  target")
    rows = [
        ("log_metric calls/s", "log_metric_calls_per_s", ratios["log_metric"], "≥ 2×"),
        ("log_batch points/s", "log_batch_points_per_s", ratios["log_batch"], "≥ 2×"),
        ("history read s (best of 3)", "history_read_s", ratios["history_read_speedup"], "≥ 1× faster"),
    ]
    for label, key, ratio, target in rows:
        print(f"{label:26}{anchor[key]:>16.3f}{ours[key]:>16.3f}{ratio:>9.2f}×  {target}")
    result = {
        "machine": machine(mlflow=mlflow.__version__),
        "sizes": {"log_metric_calls": calls, "log_batch_points": points},
        "mlflow": anchor,
        "ours": ours,
        "ratios": ratios,
    }
    write_results(args.out or (None if args.quick else DEFAULT_OUT), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
