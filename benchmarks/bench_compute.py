"""Compute benchmark: how fast submitted runs start and flow, on `local` and on a real Dask cluster, and how fast
live events reach a WebSocket client.

Why: a submitted run should feel immediate (it starts before the user looks at it), a burst of small runs should
not queue behind per-run overhead, and a chart watching `/mlext/api/events` should move as the metrics are logged.
All of it is measured through the real pieces: a `mlext server` process (REST, events, dispatcher), supervisors and
scripts as processes, and `dask scheduler` + 2 `dask worker` processes on 127.0.0.1. `local` is measured twice in
the same run: with the warm pool (runs forked from a preloaded interpreter, the default; measured once the pool is
ready) and without it (`--MLExtApp.warm_pool=False`: a new interpreter per supervisor and per script, the anchor).

    (a) submit → Running on `local`         one submission at a time: submit() returns → the run is Running
                                            (target: warm median ≤ 50 ms)
    (b) 100 tiny runs                       runs/s from the first submit to the last run ended, through `local`
                                            (concurrency 2) warm and cold, and through the Dask cluster (2 workers ×
                                            1 thread) (target: ≥ 30 runs/s warm)
    (c) event latency at a WebSocket client  a metric point committed → its event received (p50/p95), and
                                            run.log() → received (includes the SDK's ≤ 100 ms write buffer)

How to run it (from the repository root, with the `test` or `dask` extra installed):

    python benchmarks/bench_compute.py            # full sizes (~1–2 min on 2 cores) → benchmarks/results/compute.json
    python benchmarks/bench_compute.py --quick    # smoke sizes; writes a file only when --out is given

Everything lives in a temporary directory that is removed afterwards, and every process started is stopped.
Targets are reported (table and JSON), never asserted: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import websockets
from results_file import machine, write_results

import jupyter_mlext as mlx
from jupyter_mlext.compute.submit import submit
from jupyter_mlext.entities import RunStatus
from jupyter_mlext.store import Workspace

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "compute.json"
TOKEN = "bench-compute-token"
START_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 600.0
POLL_S = 0.002


@dataclasses.dataclass(frozen=True)
class Sizes:
    submissions: int = 30
    tiny_runs: int = 100
    events: int = 100


QUICK = Sizes(submissions=5, tiny_runs=10, events=20)


@dataclasses.dataclass
class Case:
    case: str
    title: str
    figure: str
    target: str
    met: bool | None
    details: dict[str, Any]


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.02)


def spawn(args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    """A process in its own group (stopped with everything it started), with its output in `log`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
            return


@contextlib.contextmanager
def mlext_server(workspace: Path, root: Path, warm: bool = True) -> Iterator[int]:
    """`mlext server` on a free port (dispatcher on, `local` concurrency 2, the warm pool on or off); yields the
    port once healthy."""
    port = free_port()
    process = spawn(
        [
            "-c",
            "import sys; from jupyter_mlext.cli import main; sys.exit(main())",
            "server",
            "--workspace",
            str(workspace),
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--MLExtApp.local_concurrency=2",
            f"--MLExtApp.warm_pool={warm}",
            "--allow-root",
        ],
        root / f"server-{'warm' if warm else 'cold'}.log",
        root,
    )

    def healthy() -> bool:
        assert process.poll() is None, f"the server exited; see {root}/server-*.log"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/mlext/api/health", headers={"Authorization": f"token {TOKEN}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return json.load(response)["status"] == "ok"
        except OSError:
            return False

    try:
        wait_until(healthy, START_TIMEOUT_S, "the server's start")
        yield port
    finally:
        stop(process)


@contextlib.contextmanager
def dask_cluster(root: Path, workers: int = 2) -> Iterator[str]:
    """`dask scheduler` and `workers` single-threaded `dask worker`s on 127.0.0.1; yields the scheduler address."""
    scheduler_file = root / "scheduler.json"
    processes = [
        spawn(
            [
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            root / "scheduler.log",
            root,
        )
    ]
    try:
        wait_until(scheduler_file.exists, START_TIMEOUT_S, "the scheduler's start")
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            processes.append(
                spawn(
                    [
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--nthreads",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                        "--local-directory",
                        str(root / f"w{i}"),
                    ],
                    root / f"worker{i}.log",
                    root,
                )
            )
        from distributed import Client

        with Client(address, set_as_default=False, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(workers, timeout=START_TIMEOUT_S)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_ended(ws: Workspace, run_ids: Sequence[str]) -> dict[RunStatus, int]:
    """Wait until every run has ended. Runs end about in the order they were submitted, so each pass looks at the
    first unended one only (and the next once it has ended): the waiting takes little of the CPU it measures."""
    pending = list(run_ids)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} runs did not end within {RUN_TIMEOUT_S:g} s")
        while pending and ws.tracking.get_run(pending[0]).status.is_terminal:
            pending.pop(0)
        time.sleep(POLL_S)
    counts: dict[RunStatus, int] = {}
    for run_id in run_ids:
        status = ws.tracking.get_run(run_id).status
        counts[status] = counts.get(status, 0) + 1
    return counts


# -- (a) submit → Running --------------------------------------------------------------------------------------


def warm_up(ws: Workspace, project: Path) -> dict[str, Any]:
    """Tiny runs one at a time until one starts warm (the server starts its warm interpreter when it starts)."""
    started = time.perf_counter()
    runs = 0
    while time.perf_counter() - started < START_TIMEOUT_S:
        run_id = submit(ws, project / "tiny.py", experiment="warm-up").id
        wait_ended(ws, [run_id])
        runs += 1
        if "mlext: warm start" in ws.tracking.read_log(run_id).text:
            return {"seconds": time.perf_counter() - started, "runs": runs}
    raise TimeoutError(f"no run started warm within {START_TIMEOUT_S:g} s")


def submit_latencies(ws: Workspace, project: Path, sizes: Sizes, experiment: str) -> list[float]:
    latencies = []
    for _ in range(sizes.submissions):
        started = time.perf_counter()
        run_id = submit(ws, project / "tiny.py", experiment=experiment).id
        while ws.tracking.get_run(run_id).status in (RunStatus.QUEUED, RunStatus.PREPARING):
            if time.perf_counter() - started > START_TIMEOUT_S:
                raise TimeoutError("a submitted run did not start")
            time.sleep(POLL_S)
        latencies.append(time.perf_counter() - started)
        wait_ended(ws, [run_id])
    return latencies


def case_submit_latency(warm: list[float], cold: list[float], sizes: Sizes) -> Case:
    stats = {
        name: {
            "median_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "all_ms": [round(s * 1000, 1) for s in values],
        }
        for name, values in (("warm", warm), ("cold", cold))
    }
    median_ms = stats["warm"]["median_ms"]
    ratio = stats["cold"]["median_ms"] / median_ms
    return Case(
        "a",
        "submit → Running on local",
        f"warm median {median_ms:.0f} ms, p95 {stats['warm']['p95_ms']:.0f} ms; cold median "
        f"{stats['cold']['median_ms']:.0f} ms ({ratio:.1f}× the warm; {sizes.submissions} runs each)",
        "warm median ≤ 50 ms",
        median_ms <= 50,
        {"submissions": sizes.submissions, **stats, "cold_over_warm": ratio},
    )


# -- (b) throughput ----------------------------------------------------------------------------------------------


def throughput(ws: Workspace, project: Path, target: str, runs: int) -> dict[str, Any]:
    started = time.perf_counter()
    run_ids = [submit(ws, project / "tiny.py", compute=target, experiment=f"b-{target}").id for _ in range(runs)]
    submitted_s = time.perf_counter() - started
    counts = wait_ended(ws, run_ids)
    seconds = time.perf_counter() - started
    return {
        "target": target,
        "runs": runs,
        "seconds": seconds,
        "runs_per_s": runs / seconds,
        "submit_s": submitted_s,
        "statuses": {status.value: n for status, n in counts.items()},
    }


def dask_throughput(ws: Workspace, project: Path, root: Path, runs: int) -> dict[str, Any]:
    with dask_cluster(root / "dask") as address:
        ws.compute.create_target("dask", "dask", address, concurrency=2)
        return throughput(ws, project, "dask", runs)


def case_throughput(local: dict[str, Any], cold: dict[str, Any], dask: dict[str, Any]) -> Case:
    runs = local["runs"]
    completed = all(r["statuses"].get("Completed") == runs for r in (local, cold, dask))
    ratio = local["runs_per_s"] / cold["runs_per_s"]
    return Case(
        "b",
        f"{runs} tiny runs",
        f"local warm {local['runs_per_s']:.1f} runs/s, cold {cold['runs_per_s']:.1f} runs/s ({ratio:.1f}× with the "
        f"pool); dask {dask['runs_per_s']:.1f} runs/s",
        "local warm ≥ 30 runs/s, all Completed",
        completed and local["runs_per_s"] >= 30,
        {
            "local": local,
            "local_cold": cold,
            "warm_over_cold": ratio,
            "dask": dask,
            "local_concurrency": 2,
            "dask_workers": 2,
            "dask_threads": 1,
        },
    )


# -- (c) WebSocket latency -----------------------------------------------------------------------------------------


async def event_latencies(port: int, workspace: Path, events: int) -> dict[str, list[float]]:
    """Log points one at a time while a client listens; the time to each point's own event."""
    url = f"ws://127.0.0.1:{port}/mlext/api/events"
    workspace_store = Workspace(workspace)
    async with websockets.connect(url, additional_headers={"Authorization": f"token {TOKEN}"}, max_size=None) as ws:
        while json.loads(await ws.recv())["type"] != "ready":
            pass

        async def received(run_id: str, step: int) -> float:
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), START_TIMEOUT_S))
                series = message.get("data", {}).get("series", {}) if message.get("run_id") == run_id else {}
                if step in series.get("x", {}).get("steps", []):
                    return time.perf_counter()

        commit, log = [], []
        run = workspace_store.tracking.create_run("c-events")
        for step in range(events):
            workspace_store.tracking.log_metrics(run.id, [("x", float(step), step, None)])
            committed = time.perf_counter()
            commit.append(await received(run.id, step) - committed)
            await asyncio.sleep(0.05)
        with mlx.start_run("c-events", workspace=workspace) as sdk_run:
            for step in range(events):
                called = time.perf_counter()
                sdk_run.log("x", float(step), step=step)
                log.append(await received(sdk_run.id, step) - called)
                await asyncio.sleep(0.05)
    workspace_store.close()
    return {"commit": commit, "log": log}


def case_events(port: int, workspace: Path, sizes: Sizes) -> Case:
    measured = asyncio.run(event_latencies(port, workspace, sizes.events))
    stats = {
        name: {
            "p50_ms": percentile(values, 0.5) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "max_ms": max(values) * 1000,
        }
        for name, values in measured.items()
    }
    return Case(
        "c",
        "event at a WebSocket client",
        f"commit → event p50 {stats['commit']['p50_ms']:.0f} / p95 {stats['commit']['p95_ms']:.0f} ms; "
        f"log() → event p50 {stats['log']['p50_ms']:.0f} / p95 {stats['log']['p95_ms']:.0f} ms",
        "p95 ≤ 500 ms",
        stats["log"]["p95_ms"] <= 500,
        {"events": sizes.events, **stats},
    )


# -- report --------------------------------------------------------------------------------------------------------


def table(cases: list[Case]) -> str:
    rows = [("case", "measured", "target", "met")] + [
        (f"({c.case}) {c.title}", c.figure, c.target, "—" if c.met is None else ("yes" if c.met else "NO"))
        for c in cases
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke sizes (seconds); no file unless --out")
    parser.add_argument("--out", type=Path, help=f"where to write the JSON results (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    out = args.out or (None if args.quick else DEFAULT_OUT)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlext-bench-compute-") as folder:
        root = Path(folder)
        workspace, project = root / "ws", root / "project"
        project.mkdir()
        (root / "dask").mkdir()
        (project / "tiny.py").write_text("print('tiny')\n")
        ws = Workspace(workspace)
        try:
            with mlext_server(workspace, root, warm=True) as port:
                progress("warming up: tiny runs until one starts warm")
                warmed = warm_up(ws, project)
                progress(f"(a) submit → Running, {sizes.submissions} runs one at a time, warm")
                warm_latencies = submit_latencies(ws, project, sizes, "a-warm")
                progress(f"(b) {sizes.tiny_runs} tiny runs on local (concurrency 2), warm")
                local_warm = throughput(ws, project, "local", sizes.tiny_runs)
                progress(f"(b) {sizes.tiny_runs} tiny runs on a 2-worker dask cluster")
                dask = dask_throughput(ws, project, root, sizes.tiny_runs)
                progress(f"(c) {sizes.events} events at a WebSocket client, twice")
                events = case_events(port, workspace, sizes)
            with mlext_server(workspace, root, warm=False):
                progress(f"(a) submit → Running, {sizes.submissions} runs one at a time, cold")
                cold_latencies = submit_latencies(ws, project, sizes, "a-cold")
                progress(f"(b) {sizes.tiny_runs} tiny runs on local (concurrency 2), cold")
                local_cold = throughput(ws, project, "local", sizes.tiny_runs)
            cases = [
                case_submit_latency(warm_latencies, cold_latencies, sizes),
                case_throughput(local_warm, local_cold, dask),
                events,
            ]
        finally:
            ws.close()
    import distributed

    results = {
        "machine": machine(distributed=distributed.__version__),
        "quick": args.quick,
        "sizes": dataclasses.asdict(sizes),
        "seconds": time.perf_counter() - began,
        "warm_up": warmed,
        "cases": [dataclasses.asdict(c) for c in cases],
    }
    print(table(cases))
    write_results(out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
