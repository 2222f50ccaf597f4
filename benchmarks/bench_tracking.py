"""Tracking benchmark: jupyter-mlext against MLflow (SQLite backend) on the same work, in one run.

Why: the tracking ws promises that logging costs nothing next to a training step, that bulk writes come close
to what SQLite itself can do, and that searches and charts stay interactive at 10,000 runs and 1,000,000 points.
This script measures those promises beside MLflow and beside plain sqlite3, on this machine, in one run:

    (a) single log() calls          run.log()                 vs mlflow.log_metric()
    (b) 1,000,000 points in bulk    run.log_batch()           vs MlflowClient.log_batch() and sqlite3 executemany
    (c) search over 10,000 runs     mlx.search_runs()         vs mlflow.search_runs()
    (d) history of 1,000,000 points run.history(max_points=…) vs MLflow's sampled and full metric history
    (e) 8 processes logging at once run.log()                 vs mlflow.log_metric(), counting errors and lost points

How to run it (from the repository root):

    make bench                                    # own venv (.venv-bench) with the `bench` extra (MLflow)
    python benchmarks/bench_tracking.py           # full sizes (~5 min on 2 cores) → benchmarks/results/tracking.json
    python benchmarks/bench_tracking.py --quick   # smoke sizes; writes a file only when --out is given

Every workspace and MLflow database lives in a temporary directory that is removed afterwards. The targets are
reported (table and JSON), never asserted: figures depend on the machine, so tests do not time anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import multiprocessing
import os
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from results_file import machine, write_results

import jupyter_mlext as mlx
from jupyter_mlext.store import Workspace

T = TypeVar("T")

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "tracking.json"
BATCH = 1_000  # points per bulk call on both sides: MLflow's log_batch accepts at most 1,000 metrics
SEARCH_FILTER = "metrics.loss < 0.5 and params.opt = 'adam'"
SEARCH_ORDER = ["metrics.loss ASC"]
SEARCH_TOP = 100
HISTORY_MAX_POINTS = 1_000
WRITER_TIMEOUT_S = 600.0
SEED = 20240601


@dataclasses.dataclass(frozen=True)
class Sizes:
    log_calls: int = 10_000
    mlflow_log_calls: int = 1_000  # ~300 calls/s: 10,000 would only add half a minute of the same rate
    bulk_points: int = 1_000_000
    search_runs: int = 10_000
    mlflow_seed_budget_s: float = 180.0  # MLflow gets fewer runs for (c) if seeding all of them takes longer
    search_repeats: int = 20
    history_repeats: int = 5
    mlflow_full_history_points: int = 100_000  # MLflow's unsampled history of 1,000,000 points is not interactive
    processes: int = 8
    process_points: int = 10_000
    mlflow_process_calls: int = 1_000


QUICK = Sizes(
    log_calls=1_000,
    mlflow_log_calls=100,
    bulk_points=50_000,
    search_runs=500,
    mlflow_seed_budget_s=30.0,
    search_repeats=5,
    history_repeats=3,
    mlflow_full_history_points=10_000,
    process_points=1_000,
    mlflow_process_calls=50,
)


@dataclasses.dataclass
class Case:
    """One benchmark case as it goes into the table and the JSON file."""

    case: str
    title: str
    unit: str
    jupyter_mlext: float
    mlflow: float | None
    ceiling: float | None
    ratio: float | None
    ratio_definition: str
    target: str
    met: bool
    ours_note: str = ""
    mlflow_note: str = ""
    details: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Context:
    """Where both tools write during the run: one jupyter-mlext workspace and one MLflow database for (a)–(d)."""

    root: Path
    sizes: Sizes
    mlflow: ModuleType

    @property
    def workspace(self) -> Path:
        return self.root / "mlext-workspace"

    @property
    def mlflow_uri(self) -> str:
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def mlflow_client(self, uri: str | None = None) -> Any:
        return self.mlflow.MlflowClient(uri or self.mlflow_uri)

    def mlflow_experiment(self, name: str, uri: str | None = None) -> str:
        """A new MLflow experiment whose artifacts stay inside the temporary directory."""
        artifacts = (self.root / "mlflow-artifacts" / name).as_uri()
        return self.mlflow_client(uri).create_experiment(name, artifact_location=artifacts)


# -- helpers --------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """The result of `fn()` and the seconds it took."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median of `repeats` timed calls, after one untimed call that warms caches on both sides alike."""
    fn()
    return statistics.median(timed(fn)[1] for _ in range(repeats))


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def import_mlflow() -> ModuleType:
    """MLflow without telemetry and without its INFO chatter (table creation, migrations)."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    import mlflow

    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return mlflow


def first_errors(errors: Sequence[str], limit: int = 5) -> list[str]:
    return sorted(set(errors))[:limit]


# -- (a) single calls -----------------------------------------------------------------------------------------


def case_single_logs(ctx: Context) -> Case:
    n, m = ctx.sizes.log_calls, ctx.sizes.mlflow_log_calls
    with mlx.start_run(experiment="a-single-log", workspace=ctx.workspace) as run:

        def log_all() -> None:
            for step in range(n):
                run.log("loss", 1.0 / (step + 1), step=step)
            run.flush()

        _, ours_s = timed(log_all)

    mlflow = ctx.mlflow
    mlflow.set_tracking_uri(ctx.mlflow_uri)
    with mlflow.start_run(experiment_id=ctx.mlflow_experiment("a-single-log")):

        def log_all_mlflow() -> None:
            for step in range(m):
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)

        _, mlflow_s = timed(log_all_mlflow)

    ours, theirs = n / ours_s, m / mlflow_s
    ratio = ours / theirs
    return Case(
        "a",
        f"{n:,} single log() calls",
        "calls/s",
        ours,
        theirs,
        None,
        ratio,
        "jupyter-mlext calls/s ÷ MLflow calls/s",
        "≥ 100× MLflow's calls/s",
        ratio >= 100,
        ours_note=f"{n:,} calls incl. flush",
        mlflow_note=f"{m:,} log_metric calls",
        details={"calls": n, "mlflow_calls": m, "seconds": ours_s, "mlflow_seconds": mlflow_s},
    )


# -- (b) bulk -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BulkRuns:
    """The runs that hold the bulk series, read back by (d)."""

    ours: str
    mlflow: str
    points: int


def sqlite_ceiling(path: Path, rows: list[tuple[int, int, float, float]]) -> float:
    """Seconds for one executemany of `rows` into a table shaped like ours (WAL, synchronous=NORMAL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE points (series_id INTEGER NOT NULL, step INTEGER NOT NULL, "
            "timestamp REAL NOT NULL, value REAL)"
        )
        conn.execute("CREATE INDEX points_by_step ON points(series_id, step)")

        def insert() -> None:
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO points (series_id, step, timestamp, value) VALUES (?, ?, ?, ?)", rows)
            conn.execute("COMMIT")

        return timed(insert)[1]
    finally:
        conn.close()


def case_bulk(ctx: Context) -> tuple[Case, BulkRuns]:
    """The same points, built before the clocks start, in calls of BATCH points on both sides."""
    n = ctx.sizes.bulk_points
    rng = random.Random(SEED)
    now = time.time()
    values = [rng.random() for _ in range(n)]
    points = [("loss", value, step, now) for step, value in enumerate(values)]
    with mlx.start_run(experiment="b-bulk", workspace=ctx.workspace) as run:

        def log_all() -> None:
            for start in range(0, n, BATCH):
                run.log_batch(points[start : start + BATCH])
            run.flush()

        _, ours_s = timed(log_all)
    ours_run = run.id

    ceiling_s = sqlite_ceiling(ctx.root / "ceiling.db", [(1, step, now, value) for step, value in enumerate(values)])

    progress(f"(b) MLflow log_batch of {n:,} points")
    Metric = ctx.mlflow.entities.Metric
    millis = int(now * 1000)
    metrics = [Metric("loss", value, millis, step) for step, value in enumerate(values)]
    client = ctx.mlflow_client()
    mlflow_run = client.create_run(ctx.mlflow_experiment("b-bulk")).info.run_id

    def log_all_mlflow() -> None:
        for start in range(0, n, BATCH):
            client.log_batch(mlflow_run, metrics=metrics[start : start + BATCH])

    _, mlflow_s = timed(log_all_mlflow)
    client.set_terminated(mlflow_run)

    ours, theirs, ceiling = n / ours_s, n / mlflow_s, n / ceiling_s
    share = ours / ceiling
    case = Case(
        "b",
        f"{n:,} points in bulk",
        "points/s",
        ours,
        theirs,
        ceiling,
        share,
        "jupyter-mlext points/s ÷ sqlite3 executemany points/s (the ceiling)",
        "≥ 30 % of the sqlite3 ceiling",
        share >= 0.30,
        ours_note=f"log_batch × {n // BATCH:,} incl. flush",
        mlflow_note=f"log_batch × {n // BATCH:,}",
        details={
            "points": n,
            "points_per_call": BATCH,
            "seconds": ours_s,
            "mlflow_seconds": mlflow_s,
            "ceiling_seconds": ceiling_s,
            "vs_mlflow": ours / theirs,
        },
    )
    return case, BulkRuns(ours_run, mlflow_run, n)


# -- (c) search -----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunSpec:
    params: dict[str, str]
    loss: float
    accuracy: float


def run_specs(n: int) -> list[RunSpec]:
    rng = random.Random(SEED)
    return [
        RunSpec(
            {
                "opt": rng.choice(["adam", "sgd", "rmsprop"]),
                "lr": str(rng.choice([1e-4, 1e-3, 1e-2])),
                "layers": str(rng.randint(1, 8)),
            },
            rng.random(),
            rng.random(),
        )
        for _ in range(n)
    ]


def seed_ours(workspace: Path, experiment: str, specs: list[RunSpec]) -> None:
    """Runs through the store: one transaction per run (with its params), metrics of 1,000 runs per transaction."""
    ws = Workspace(workspace)
    try:
        pending: dict[str, list[tuple[str, float, int, float]]] = {}
        for spec in specs:
            run_id = ws.tracking.create_run(experiment, params=spec.params).id
            now = time.time()
            pending[run_id] = [("loss", spec.loss, 0, now), ("accuracy", spec.accuracy, 0, now)]
            if len(pending) == 1_000:
                ws.tracking.write_metrics(pending)
                pending = {}
        ws.tracking.write_metrics(pending)
    finally:
        ws.close()


def seed_mlflow(ctx: Context, experiment_id: str, specs: list[RunSpec]) -> int:
    """Runs through MlflowClient (create_run + log_batch) until all are in or the time budget is spent."""
    entities = ctx.mlflow.entities
    client = ctx.mlflow_client()
    deadline = time.monotonic() + ctx.sizes.mlflow_seed_budget_s
    millis = int(time.time() * 1000)
    seeded = 0
    for spec in specs:
        if time.monotonic() > deadline:
            break
        run_id = client.create_run(experiment_id).info.run_id
        client.log_batch(
            run_id,
            metrics=[
                entities.Metric("loss", spec.loss, millis, 0),
                entities.Metric("accuracy", spec.accuracy, millis, 0),
            ],
            params=[entities.Param(key, value) for key, value in spec.params.items()],
        )
        seeded += 1
    return seeded


def case_search(ctx: Context) -> Case:
    n, repeats = ctx.sizes.search_runs, ctx.sizes.search_repeats
    specs = run_specs(n)
    seed_ours(ctx.workspace, "c-search", specs)
    progress(f"(c) seeding MLflow with up to {n:,} runs (budget {ctx.sizes.mlflow_seed_budget_s:.0f} s)")
    mlflow = ctx.mlflow
    mlflow.set_tracking_uri(ctx.mlflow_uri)
    experiment_id = ctx.mlflow_experiment("c-search")
    mlflow_runs, seed_s = timed(lambda: seed_mlflow(ctx, experiment_id, specs))

    def search_ours() -> list[mlx.Run]:
        return mlx.search_runs(["c-search"], SEARCH_FILTER, SEARCH_ORDER, SEARCH_TOP, workspace=ctx.workspace)

    def search_mlflow() -> Any:
        return mlflow.search_runs([experiment_id], SEARCH_FILTER, max_results=SEARCH_TOP, order_by=SEARCH_ORDER)

    ours_s = median_seconds(search_ours, repeats)
    mlflow_s = median_seconds(search_mlflow, repeats)
    ours_losses = [run.metrics["loss"] for run in search_ours()]
    mlflow_losses = search_mlflow()["metrics.loss"].tolist()
    ratio = mlflow_s / ours_s
    return Case(
        "c",
        f"search {n:,} runs, top {SEARCH_TOP}",
        "ms median",
        ours_s * 1000,
        mlflow_s * 1000,
        None,
        ratio,
        "MLflow median ÷ jupyter-mlext median (speed-up)",
        "≤ 50 ms median",
        ours_s <= 0.050,
        ours_note=f"{n:,} runs",
        mlflow_note=f"{mlflow_runs:,} runs" + ("" if mlflow_runs == n else " (time budget)"),
        details={
            "filter": SEARCH_FILTER,
            "order_by": SEARCH_ORDER,
            "max_results": SEARCH_TOP,
            "repeats": repeats,
            "runs": n,
            "mlflow_runs": mlflow_runs,
            "mlflow_seed_seconds": seed_s,
            "returned": len(ours_losses),
            "same_results": mlflow_runs == n and ours_losses == mlflow_losses,
        },
    )


# -- (d) history ----------------------------------------------------------------------------------------------


def case_history(ctx: Context, bulk: BulkRuns) -> Case:
    """The series written in (b), downsampled to HISTORY_MAX_POINTS; MLflow's full history on a smaller series."""
    repeats, full_points = ctx.sizes.history_repeats, ctx.sizes.mlflow_full_history_points
    run = mlx.get_run(bulk.ours, workspace=ctx.workspace)
    ours_s = median_seconds(lambda: run.history("loss", max_points=HISTORY_MAX_POINTS), repeats)
    ours_history = run.history("loss", max_points=HISTORY_MAX_POINTS)

    # MLflow's UI charts read through this store method (REST: get-history-bulk-interval); the client has no
    # public counterpart, so the store is opened directly.
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    progress("(d) MLflow sampled and full metric history")
    mlflow_store = SqlAlchemyStore(ctx.mlflow_uri, (ctx.root / "mlflow-artifacts").as_uri())

    def sampled() -> list[Any]:
        return mlflow_store.get_metric_history_bulk_interval([bulk.mlflow], "loss", HISTORY_MAX_POINTS, None, None)

    sampled_s = median_seconds(sampled, repeats)
    sampled_points = len(sampled())

    client = ctx.mlflow_client()
    full_run = client.create_run(ctx.mlflow_experiment("d-history")).info.run_id
    Metric = ctx.mlflow.entities.Metric
    millis = int(time.time() * 1000)
    for start in range(0, full_points, BATCH):
        client.log_batch(
            full_run,
            metrics=[
                Metric("loss", 1.0 / (step + 1), millis, step) for step in range(start, min(start + BATCH, full_points))
            ],
        )
    full, full_s = timed(lambda: client.get_metric_history(full_run, "loss"))

    ratio = sampled_s / ours_s
    return Case(
        "d",
        f"history of {bulk.points:,} points → {HISTORY_MAX_POINTS:,}",
        "ms median",
        ours_s * 1000,
        sampled_s * 1000,
        None,
        ratio,
        "MLflow sampled-history median ÷ jupyter-mlext median (speed-up)",
        "≤ 100 ms",
        ours_s <= 0.100,
        ours_note=f"{len(ours_history.steps):,} buckets (min/max/last)",
        mlflow_note=f"sampled; full history of {full_points:,} pts: {full_s * 1000:,.0f} ms",
        details={
            "points": bulk.points,
            "max_points": HISTORY_MAX_POINTS,
            "repeats": repeats,
            "returned": len(ours_history.steps),
            "mlflow_returned": sampled_points,
            "mlflow_api": "SqlAlchemyStore.get_metric_history_bulk_interval (evenly sampled rows, no min/max)",
            "mlflow_full_history_points": len(full),
            "mlflow_full_history_ms": full_s * 1000,
            "mlflow_full_history_api": "MlflowClient.get_metric_history (all points, no downsampling)",
        },
    )


# -- (e) concurrent processes ---------------------------------------------------------------------------------


@dataclasses.dataclass
class WriterReport:
    """What one writer process did: when it logged (time.monotonic, shared by all processes) and what failed."""

    index: int
    run_id: str | None = None
    started: float = math.nan
    finished: float = math.nan
    succeeded: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)


def wait_together(barrier: Any, report: WriterReport) -> None:
    try:
        barrier.wait(timeout=WRITER_TIMEOUT_S)
    except threading.BrokenBarrierError:
        report.errors.append("the writers could not start together (a writer failed to start)")


def mlext_writer(barrier: Any, reports: Any, index: int, workspace: str, points: int) -> None:
    """One process: open its own run, wait for the others, log `points` values with run.log(), end the run."""
    report = WriterReport(index)
    run = None
    try:
        run = mlx.start_run("e-concurrent", name=f"writer-{index}", workspace=workspace)
        report.run_id = run.id
    except Exception as exc:
        report.errors.append(f"{type(exc).__name__}: {exc}")
    wait_together(barrier, report)
    if run is not None:
        try:
            with run:
                report.started = time.monotonic()
                for step in range(points):
                    run.log("loss", 1.0 / (step + 1), step=step)
            report.finished = time.monotonic()
            report.succeeded = points
        except Exception as exc:
            report.errors.append(f"{type(exc).__name__}: {exc}")
    reports.put(report)


def mlflow_writer(barrier: Any, reports: Any, index: int, uri: str, experiment_id: str, calls: int) -> None:
    """One process: the same with mlflow.log_metric(), counting each call that raises and carrying on."""
    report = WriterReport(index)
    mlflow = import_mlflow()
    mlflow.set_tracking_uri(uri)
    run = None
    try:
        run = mlflow.start_run(experiment_id=experiment_id)
        report.run_id = run.info.run_id
    except Exception as exc:
        report.errors.append(f"{type(exc).__name__}: {exc}")
    wait_together(barrier, report)
    if run is not None:
        report.started = time.monotonic()
        for step in range(calls):
            try:
                mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
                report.succeeded += 1
            except Exception as exc:
                report.errors.append(f"{type(exc).__name__}: {exc}")
        try:
            mlflow.end_run()
        except Exception as exc:
            report.errors.append(f"{type(exc).__name__}: {exc}")
        report.finished = time.monotonic()
    reports.put(report)


def run_writers(target: Callable[..., None], args: tuple[Any, ...], processes: int) -> list[WriterReport]:
    """Start `processes` spawned writers that log at the same moment; a writer that never reports is an error."""
    spawn = multiprocessing.get_context("spawn")
    barrier, reports = spawn.Barrier(processes), spawn.Queue()
    workers = [spawn.Process(target=target, args=(barrier, reports, index, *args)) for index in range(processes)]
    for worker in workers:
        worker.start()
    collected: dict[int, WriterReport] = {}
    deadline = time.monotonic() + WRITER_TIMEOUT_S
    while len(collected) < processes and time.monotonic() < deadline:
        try:
            report = reports.get(timeout=1.0)
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers):
                break
            continue
        collected[report.index] = report
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.kill()
    for index, worker in enumerate(workers):
        report = collected.setdefault(index, WriterReport(index, errors=["the writer process sent no report"]))
        if worker.exitcode != 0:
            report.errors.append(f"the writer process exited with code {worker.exitcode}")
    return [collected[index] for index in range(processes)]


def aggregate(reports: list[WriterReport], stored: int) -> tuple[float, float]:
    """Seconds from the first writer's first point to the last writer's end, and stored points per second."""
    starts = [r.started for r in reports if not math.isnan(r.started)]
    ends = [r.finished for r in reports if not math.isnan(r.finished)]
    span = max(ends) - min(starts) if starts and ends else math.nan
    return span, stored / span if span > 0 else 0.0


def stored_ours(workspace: Path, reports: list[WriterReport]) -> int:
    """Distinct steps read back per run: duplicates would not hide lost points."""
    ws = Workspace(workspace)
    try:
        return sum(len(set(ws.tracking.metric_history(r.run_id, "loss").steps)) for r in reports if r.run_id)
    finally:
        ws.close()


def case_concurrent(ctx: Context) -> Case:
    processes, points, calls = ctx.sizes.processes, ctx.sizes.process_points, ctx.sizes.mlflow_process_calls
    workspace = ctx.root / "mlext-concurrent"
    ours_reports = run_writers(mlext_writer, (str(workspace), points), processes)
    ours_stored = stored_ours(workspace, ours_reports)
    ours_span, ours_rate = aggregate(ours_reports, ours_stored)
    ours_errors = [error for r in ours_reports for error in r.errors]
    ours_lost = processes * points - ours_stored

    progress(f"(e) MLflow: {processes} processes × {calls:,} log_metric calls")
    uri = f"sqlite:///{ctx.root / 'mlflow-concurrent.db'}"
    experiment_id = ctx.mlflow_experiment("e-concurrent", uri)  # creates the database before the writers race
    mlflow_reports = run_writers(mlflow_writer, (uri, experiment_id, calls), processes)
    client = ctx.mlflow_client(uri)
    mlflow_stored = sum(
        len({m.step for m in client.get_metric_history(r.run_id, "loss")}) for r in mlflow_reports if r.run_id
    )
    mlflow_span, mlflow_rate = aggregate(mlflow_reports, mlflow_stored)
    mlflow_errors = [error for r in mlflow_reports for error in r.errors]
    mlflow_lost = processes * calls - mlflow_stored

    ratio = ours_rate / mlflow_rate if mlflow_rate else math.inf
    return Case(
        "e",
        f"{processes} processes logging at once",
        "points/s",
        ours_rate,
        mlflow_rate,
        None,
        ratio,
        "jupyter-mlext aggregate points/s ÷ MLflow aggregate points/s",
        "zero errors, zero lost points",
        not ours_errors and ours_lost == 0,
        ours_note=f"{processes}×{points:,}; {len(ours_errors)} errors, {ours_lost:,} lost",
        mlflow_note=f"{processes}×{calls:,}; {len(mlflow_errors)} errors, {mlflow_lost:,} lost",
        details={
            "processes": processes,
            "points_per_process": points,
            "stored": ours_stored,
            "lost": ours_lost,
            "errors": len(ours_errors),
            "error_samples": first_errors(ours_errors),
            "seconds": ours_span,
            "mlflow_calls_per_process": calls,
            "mlflow_stored": mlflow_stored,
            "mlflow_lost": mlflow_lost,
            "mlflow_errors": len(mlflow_errors),
            "mlflow_error_samples": first_errors(mlflow_errors),
            "mlflow_seconds": mlflow_span,
        },
    )


# -- report ---------------------------------------------------------------------------------------------------


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f} ms" if unit.startswith("ms") else f"{value:,.0f} {unit}"


def ratio_text(case: Case) -> str:
    if case.ratio is None:
        return "—"
    if case.ceiling is not None:
        return f"{case.ratio:.0%} of sqlite3 ({case.details['vs_mlflow']:,.0f}× MLflow)"
    return f"{case.ratio:,.0f}×" if case.ratio >= 10 else f"{case.ratio:,.1f}×"


def table(cases: list[Case]) -> str:
    header = ("case", "jupyter-mlext", "MLflow", "ratio", "target", "met")
    rows = [header]
    for case in cases:
        theirs = figure(case.mlflow, case.unit)
        if case.ceiling is not None:
            theirs += f"; sqlite3 {figure(case.ceiling, case.unit)}"
        rows.append(
            (
                f"({case.case}) {case.title}",
                f"{figure(case.jupyter_mlext, case.unit)} ({case.ours_note})",
                f"{theirs} ({case.mlflow_note})",
                ratio_text(case),
                case.target,
                "yes" if case.met else "NO",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke sizes (about a minute); no file unless --out")
    parser.add_argument("--out", type=Path, help=f"where to write the JSON results (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    out = args.out or (None if args.quick else DEFAULT_OUT)

    mlflow = import_mlflow()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlext-bench-") as tmp:
        ctx = Context(Path(tmp), sizes, mlflow)
        progress("(a) single log() calls")
        cases = [case_single_logs(ctx)]
        progress("(b) bulk")
        bulk_case, bulk_runs = case_bulk(ctx)
        cases.append(bulk_case)
        progress("(c) search")
        cases.append(case_search(ctx))
        progress("(d) history")
        cases.append(case_history(ctx, bulk_runs))
        progress("(e) concurrent processes")
        cases.append(case_concurrent(ctx))
        mlx.flush()
    elapsed = time.perf_counter() - started

    print(table(cases))
    print(f"\n{sum(case.met for case in cases)} of {len(cases)} targets met; {elapsed:,.0f} s in all.")
    if out is not None:
        result = {
            "machine": machine(sqlite=sqlite3.sqlite_version, mlflow=mlflow.__version__),
            "quick": args.quick,
            "sizes": dataclasses.asdict(sizes),
            "seconds": elapsed,
            "cases": [dataclasses.asdict(case) for case in cases],
        }
        write_results(out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
