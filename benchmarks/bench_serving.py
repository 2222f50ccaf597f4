"""Serving benchmark: one scikit-learn model behind our online endpoint and behind `mlflow models serve`.

Why: an endpoint on a laptop or a small VM should not be the bottleneck of whatever calls it. The same fitted
Ridge regression (the scikit-learn diabetes data, 10 features) is served two ways, each with one scoring process:

    ours     mlx.deploy → router process (key check, traffic split, metrics) → one scoring process (score.py)
    mlflow   mlflow models serve --env-manager local (uvicorn, 1 worker, the sklearn pyfunc flavour)

A load generator in a second process keeps C keep-alive connections busy for D seconds against each (after a
warm-up), with the same JSON body {"inputs": [[10 features]]}, and records requests/s and latency percentiles.
The two servers are measured in turns (ours, mlflow, ours, mlflow, …) so that other load on the machine hits
both alike; the round with the median requests/s of each is reported. Target: ours ≥ 2× MLflow's requests/s at
an equal or lower p99.

How to run it (from the repository root, in the venv with the `bench` extra, which has mlflow):

    .venv-bench/bin/python benchmarks/bench_serving.py             # → benchmarks/results/serving.json
    .venv-bench/bin/python benchmarks/bench_serving.py --quick     # 3 s rounds, no file unless --out

Everything lives in a temporary directory that is removed afterwards, and every process started is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pickle
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from results_file import machine, write_results

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "serving.json"
SCORE = textwrap.dedent("""
    import json, os, pickle
    from pathlib import Path

    model = None

    def init():
        global model
        with open(Path(os.environ["MLEXT_MODEL_DIR"]) / "model.pkl", "rb") as f:
            model = pickle.load(f)

    def run(data):
        return {"predictions": model.predict(json.loads(data)["inputs"]).tolist()}
""")


# -- the load generator (runs in its own process) ----------------------------------------------------------------


async def _load(
    port: int, path: str, headers: dict[str, str], body: bytes, clients: int, warmup: float, seconds: float
) -> dict[str, Any]:
    from jupyter_mlext.serving.client import ConnectionPool

    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    async def client() -> None:
        nonlocal errors
        pool = ConnectionPool()
        while (now := time.perf_counter()) < stop_at:
            answer = await pool.request("127.0.0.1", port, "POST", path, body, headers)
            if now >= measure_from:
                latencies.append(time.perf_counter() - now)
                errors += answer.status != 200
        pool.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    latencies.sort()

    def pick(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": len(latencies) / seconds,
        "p50_ms": pick(0.50),
        "p90_ms": pick(0.90),
        "p99_ms": pick(0.99),
        "max_ms": 1000 * latencies[-1],
    }


def load_main(spec: str) -> None:
    options = json.loads(spec)
    options["body"] = options["body"].encode()
    print(json.dumps(asyncio.run(_load(**options))))


def measure(
    port: int, path: str, headers: dict[str, str], body: bytes, clients: int, warmup: float, seconds: float
) -> dict[str, Any]:
    spec = json.dumps(
        {
            "port": port,
            "path": path,
            "headers": headers,
            "body": body.decode(),
            "clients": clients,
            "warmup": warmup,
            "seconds": seconds,
        }
    )
    result = subprocess.run(
        [sys.executable, __file__, "--load", spec],
        capture_output=True,
        text=True,
        timeout=warmup + seconds + 120,
        check=True,
    )
    return json.loads(result.stdout)


# -- the two servers ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fitted_model() -> tuple[Any, list[float]]:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    features, target = load_diabetes(return_X_y=True)
    return Ridge(alpha=0.1).fit(features, target), features[0].tolist()


@contextlib.contextmanager
def our_endpoint(folder: Path, model: Any) -> Iterator[tuple[int, str, dict[str, str]]]:
    from jupyter_mlext.serving import service
    from jupyter_mlext.store import Workspace

    ws = Workspace(folder / "workspace")
    (folder / "model").mkdir()
    (folder / "model" / "model.pkl").write_bytes(pickle.dumps(model))
    (folder / "code").mkdir()
    (folder / "code" / "score.py").write_text(SCORE)
    ws.registry.register("diabetes", path=folder / "model")
    endpoint = service.deploy(ws, "diabetes:1", folder / "code" / "score.py", endpoint="bench", deployment="blue")
    try:
        yield endpoint.port, "/score", {"Authorization": f"Bearer {endpoint.key}", "Content-Type": "application/json"}
    finally:
        service.delete_endpoint(ws, "bench")
        ws.close()


@contextlib.contextmanager
def mlflow_server(folder: Path, model: Any) -> Iterator[tuple[int, str, dict[str, str]]]:
    import mlflow.sklearn

    mlflow.sklearn.save_model(model, str(folder / "mlflow-model"))
    port = free_port()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    with (folder / "mlflow.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(mlflow_cli),
                "models",
                "serve",
                "-m",
                str(folder / "mlflow-model"),
                "-p",
                str(port),
                "--env-manager",
                "local",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as answer,
            ):
                if answer.status == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("mlflow models serve did not start:\n" + (folder / "mlflow.log").read_text())
            time.sleep(0.2)
        yield port, "/invocations", {"Content-Type": "application/json"}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# -- the benchmark -----------------------------------------------------------------------------------------------


def run(rounds: int, clients: int, warmup: float, seconds: float) -> dict[str, Any]:
    import mlflow
    import sklearn

    model, row = fitted_model()
    body = json.dumps({"inputs": [row]}).encode()
    measured: dict[str, list[dict[str, Any]]] = {"ours": [], "mlflow": []}
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as temporary:
        folder = Path(temporary)
        (folder / "ours").mkdir()
        (folder / "mlflow").mkdir()
        with our_endpoint(folder / "ours", model) as ours, mlflow_server(folder / "mlflow", model) as theirs:
            for name, (port, path, headers) in (("ours", ours), ("mlflow", theirs)):
                answer = urllib.request.urlopen(
                    urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers), timeout=10
                ).read()
                print(f"{name} answers {answer.decode()}")
            for number in range(rounds):
                for name, (port, path, headers) in (("ours", ours), ("mlflow", theirs)):
                    figures = measure(port, path, headers, body, clients, warmup, seconds)
                    measured[name].append(figures)
                    print(
                        f"round {number + 1} {name:6s} {figures['requests_per_s']:7.0f} req/s  p50 "
                        f"{figures['p50_ms']:6.2f} ms  p99 {figures['p99_ms']:6.2f} ms  errors {figures['errors']}"
                    )
    median = {
        name: sorted(rounds_, key=lambda r: r["requests_per_s"])[len(rounds_) // 2]
        for name, rounds_ in measured.items()
    }
    ratio = median["ours"]["requests_per_s"] / median["mlflow"]["requests_per_s"]
    met = ratio >= 2 and median["ours"]["p99_ms"] <= median["mlflow"]["p99_ms"]
    return {
        "machine": machine(mlflow=mlflow.__version__, scikit_learn=sklearn.__version__),
        "settings": {
            "rounds": rounds,
            "clients": clients,
            "warmup_s": warmup,
            "seconds": seconds,
            "body": body.decode(),
            "model": "Ridge on the scikit-learn diabetes data (10 features)",
        },
        "figure": (
            f"ours {median['ours']['requests_per_s']:.0f} req/s (p50 {median['ours']['p50_ms']:.2f} ms, p99 "
            f"{median['ours']['p99_ms']:.2f} ms) vs MLflow {median['mlflow']['requests_per_s']:.0f} req/s "
            f"(p50 {median['mlflow']['p50_ms']:.2f} ms, p99 {median['mlflow']['p99_ms']:.2f} ms): "
            f"{ratio:.2f}x"
        ),
        "target": "ours >= 2x MLflow's requests/s at an equal or lower p99",
        "met": met,
        "median_round": median,
        "rounds": measured,
        "requests_per_s_over_rounds": {
            name: {"min": round(min(rates)), "max": round(max(rates)), "mean": round(statistics.mean(rates))}
            for name, rates in ((name, [r["requests_per_s"] for r in rs]) for name, rs in measured.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 3 s")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args.load)
        return
    rounds, seconds = (2, 3.0) if args.quick else (args.rounds, args.seconds)
    result = run(rounds, args.clients, warmup=1.0 if args.quick else 2.0, seconds=seconds)
    print(result["figure"], "— target met" if result["met"] else "— target NOT met")
    write_results(args.out if args.out or args.quick else DEFAULT_OUT, result)


if __name__ == "__main__":
    main()
