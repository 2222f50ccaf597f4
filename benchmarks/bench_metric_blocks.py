"""Metric storage benchmark: sealed blocks against the row-per-point storage of the previous release and raw
sqlite3, in one run (issue 15, deliverables 1 and 2).

Why: one SQLite row per point capped ingest at the raw insert rate and cost ~45 bytes a point; blocks must do
better than the ceiling itself. The same measuring script (MEASURE below) runs twice in subprocesses: once on
this checkout and once on the previous release (commit OLD_RELEASE, exported with `git archive` into a
temporary folder), so both are timed on the same machine in the same minute. Raw sqlite3 (executemany into a
table shaped like the old points table, WAL, synchronous=NORMAL) is timed in the same process right after each
ingest, on the same points.

    (f) bulk ingest           run.log_batch() of 1,000-point calls + flush   ÷ raw sqlite3 row inserts    ≥ 2×
    (g) bytes per point       workspace.db (checkpointed) ÷ points, float values                          ≤ 12
    (h) full history, 10M     run.history(key), every point                                               ≤ 1 s
    (i) 10M → 1,000 buckets   run.history(key, max_points=1000)                                           ≤ 20 ms
    (j) latest-value search   1,000 runs × 1 metric, filter + order by it, top 100   ÷ previous release   ≤ 1×
    (k) run.log() loop        run.log(key, float) calls/s incl. flush            ÷ previous release   ≥ 2M/s

The previous release runs (f), (g), (h) and (i) on the comparison size (2M points; 10M would take it minutes),
so its figures are per point where sizes differ.

    python benchmarks/bench_metric_blocks.py           # full sizes (~3 min on 2 cores) → results/metric_blocks.json
    python benchmarks/bench_metric_blocks.py --quick   # smoke sizes; writes a file only with --out
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from io import BytesIO
from pathlib import Path
from typing import Any

from results_file import machine, write_results

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "metric_blocks.json"
OLD_RELEASE = "bbfab5d"  # the last commit with one row per point
SEED = 20240601


@dataclasses.dataclass(frozen=True)
class Sizes:
    compare_points: int = 2_000_000
    large_points: int = 10_000_000
    log_calls: int = 1_000_000
    search_runs: int = 1_000
    repeats: int = 5


QUICK = Sizes(compare_points=200_000, large_points=1_000_000, log_calls=200_000, search_runs=200, repeats=3)

# Runs on either code base (only APIs both have); prints one JSON object of figures.
MEASURE = textwrap.dedent("""
    import json, os, random, sqlite3, statistics, sys, time
    import jupyter_mlext as mlx
    from jupyter_mlext.store import Workspace

    job = json.loads(sys.argv[1])
    root, repeats = job["root"], job["repeats"]
    out = {"code": os.path.dirname(mlx.__file__)}

    def median(fn):
        fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
            del result  # freeing ten million floats is not part of reading them
        return statistics.median(times)

    def raw_sqlite(path, rows):
        # One executemany into a table shaped like the old points table (WAL, synchronous=NORMAL).
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE points (series_id INTEGER NOT NULL, step INTEGER NOT NULL, "
                     "timestamp REAL NOT NULL, value REAL)")
        conn.execute("CREATE INDEX points_by_step ON points(series_id, step)")
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO points (series_id, step, timestamp, value) VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return seconds, os.path.getsize(path)

    def database_bytes(folder):
        conn = sqlite3.connect(os.path.join(folder, "workspace.db"))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder)
                   if name.startswith("workspace.db"))

    for n in job["series"]:
        folder = os.path.join(root, f"series-{n}")
        rng = random.Random(job["seed"])
        now = time.time()
        points = [("loss", rng.random(), step, now) for step in range(n)]
        with mlx.start_run("bench", workspace=folder) as run:
            start = time.perf_counter()
            for first in range(0, n, 1000):
                run.log_batch(points[first : first + 1000])
            run.flush()
            ingest = time.perf_counter() - start
        # The ceiling, right after ours in the same process, so that a busy machine slows both alike.
        raw_s, raw_bytes = raw_sqlite(folder + "-raw.db", [(1, p[2], p[3], p[1]) for p in points])
        del points
        mlx.flush()
        size = database_bytes(folder)
        ws = Workspace(folder)
        full = median(lambda: ws.tracking.metric_history(run.id, "loss"))
        history = ws.tracking.metric_history(run.id, "loss")
        assert history.total_points == n and len(history.steps) == n, "lost points"
        del history
        buckets = median(lambda: ws.tracking.metric_history(run.id, "loss", max_points=1000))
        returned = len(ws.tracking.metric_history(run.id, "loss", max_points=1000).steps)
        ws.close()
        out[str(n)] = {"ingest_s": ingest, "bytes": size, "full_s": full, "buckets_s": buckets, "buckets": returned,
                      "raw_sqlite3_s": raw_s, "raw_sqlite3_bytes": raw_bytes}

    folder = os.path.join(root, "search")
    ws = Workspace(folder)
    rng = random.Random(job["seed"])
    pending = {}
    for i in range(job["search_runs"]):
        run_id = ws.tracking.create_run("search", params={"opt": rng.choice(["adam", "sgd"])}).id
        pending[run_id] = [("loss", rng.random(), 0, time.time())]
    ws.tracking.write_metrics(pending)
    out["search_s"] = statistics.median(
        [median(lambda: ws.tracking.search_runs("search", "metrics.loss < 0.5", ["metrics.loss ASC"], 100))
         for _ in range(3)])
    out["search_found"] = len(ws.tracking.search_runs("search", "metrics.loss < 0.5", ["metrics.loss ASC"], 100).runs)
    ws.close()

    calls = job["log_calls"]
    with mlx.start_run("log", workspace=os.path.join(root, "log")) as run:
        run.log("loss", 0.5)
        run.flush()
        start = time.perf_counter()
        for i in range(calls):
            run.log("loss", 0.5)
        out["log_loop_s"] = time.perf_counter() - start
        run.flush()
        out["log_s"] = time.perf_counter() - start
    print(json.dumps(out))
""")


@dataclasses.dataclass
class Case:
    case: str
    title: str
    unit: str
    figure: float
    anchor: float | None
    anchor_name: str
    ratio: float | None
    ratio_definition: str
    target: str
    met: bool
    note: str = ""


def export_old_release(folder: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", OLD_RELEASE, "jupyter_mlext"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def measure(code: Path, root: Path, job: dict[str, Any]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    env["PYTHONPATH"] = str(code)
    root.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps({**job, "root": str(root)})],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {code} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def cases(sizes: Sizes, ours: dict[str, Any], old: dict[str, Any]) -> list[Case]:
    n, big = sizes.compare_points, sizes.large_points
    small, large, before = ours[str(n)], ours[str(big)], old[str(n)]
    raw_s, raw_bytes = small["raw_sqlite3_s"], small["raw_sqlite3_bytes"]
    ingest, raw_rate, old_rate = n / small["ingest_s"], n / raw_s, n / before["ingest_s"]
    per_point, old_per_point, raw_per_point = large["bytes"] / big, before["bytes"] / n, raw_bytes / n
    log_rate, old_log = sizes.log_calls / ours["log_s"], sizes.log_calls / old["log_s"]
    return [
        Case(
            "f",
            f"bulk ingest of {n:,} points (log_batch × 1,000)",
            "points/s",
            ingest,
            raw_rate,
            "raw sqlite3 executemany",
            ingest / raw_rate,
            "points/s ÷ raw sqlite3 rows/s",
            "≥ 2× raw sqlite3",
            ingest >= 2 * raw_rate,
            f"previous release {old_rate:,.0f} points/s ({ingest / old_rate:.1f}×, its own raw sqlite3 "
            f"{n / before['raw_sqlite3_s']:,.0f}); {big:,} points: {big / large['ingest_s']:,.0f} points/s "
            f"({big / large['ingest_s'] / (big / large['raw_sqlite3_s']):.2f}× raw sqlite3)",
        ),
        Case(
            "g",
            f"bytes per point on disk ({big:,} float points)",
            "bytes",
            per_point,
            old_per_point,
            "previous release",
            per_point / old_per_point,
            "bytes per point ÷ previous release's",
            "≤ 12 bytes",
            per_point <= 12,
            f"raw sqlite3 table {raw_per_point:.1f} bytes; ours at {n:,} points {small['bytes'] / n:.1f}",
        ),
        Case(
            "h",
            f"full history of {big:,} points",
            "s",
            large["full_s"],
            before["full_s"] * big / n,
            f"previous release, scaled from {n:,}",
            large["full_s"] / (before["full_s"] * big / n),
            "seconds ÷ previous release's (per point)",
            "≤ 1 s",
            large["full_s"] <= 1.0,
            f"{n:,} points: {small['full_s']:.3f} s vs {before['full_s']:.2f} s",
        ),
        Case(
            "i",
            f"{big:,} points → 1,000 buckets",
            "ms",
            large["buckets_s"] * 1000,
            before["buckets_s"] * 1000,
            f"previous release on {n:,} points",
            large["buckets_s"] / before["buckets_s"],
            "ms ÷ previous release's ms (on 1/5 of the points)",
            "≤ 20 ms",
            large["buckets_s"] <= 0.020,
            f"{large['buckets']} buckets; {n:,} points: {small['buckets_s'] * 1000:.1f} ms",
        ),
        Case(
            "j",
            f"latest-value search, {sizes.search_runs:,} runs × 1 metric, top 100",
            "ms",
            ours["search_s"] * 1000,
            old["search_s"] * 1000,
            "previous release",
            ours["search_s"] / old["search_s"],
            "ms ÷ previous release's ms",
            "unchanged or faster (≤ 1.1× for noise)",
            ours["search_s"] <= old["search_s"] * 1.1,
            f"{ours['search_found']} runs found",
        ),
        Case(
            "k",
            f"{sizes.log_calls:,} run.log(key, float) calls in a loop",
            "calls/s",
            log_rate,
            old_log,
            "previous release",
            log_rate / old_log,
            "calls/s ÷ previous release's",
            "≥ 2,000,000 calls/s",
            log_rate >= 2_000_000,
            f"incl. the final flush; the loop alone {sizes.log_calls / ours['log_loop_s']:,.0f} calls/s "
            f"(previous release {sizes.log_calls / old['log_loop_s']:,.0f})",
        ),
    ]


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("s", "ms", "bytes"):
        return f"{value:,.3f} {unit}" if value < 10 else f"{value:,.1f} {unit}"
    return f"{value:,.0f} {unit}"


def table(found: list[Case]) -> str:
    header = ("case", "figure", "anchor", "ratio", "target", "met")
    rows = [header] + [
        (
            f"({c.case}) {c.title}",
            figure(c.figure, c.unit),
            f"{figure(c.anchor, c.unit)} ({c.anchor_name})",
            "—" if c.ratio is None else f"{c.ratio:.2f}×",
            c.target,
            "yes" if c.met else "NO",
        )
        for c in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke sizes; no file unless --out")
    parser.add_argument("--out", type=Path, help=f"where to write the JSON results (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    out = args.out or (None if args.quick else DEFAULT_OUT)
    started = time.perf_counter()
    job = {"seed": SEED, "repeats": sizes.repeats, "search_runs": sizes.search_runs, "log_calls": sizes.log_calls}
    with tempfile.TemporaryDirectory(prefix="mlext-bench-blocks-") as tmp:
        root = Path(tmp)
        old_code = export_old_release(root / "old-release")
        print("  … previous release", file=sys.stderr, flush=True)
        old = measure(old_code, root / "old", {**job, "series": [sizes.compare_points]})
        print("  … this checkout", file=sys.stderr, flush=True)
        ours = measure(REPO, root / "ours", {**job, "series": [sizes.compare_points, sizes.large_points]})
    found = cases(sizes, ours, old)
    elapsed = time.perf_counter() - started
    print(table(found))
    print(f"\n{sum(c.met for c in found)} of {len(found)} targets met; {elapsed:,.0f} s in all.")
    write_results(
        out,
        {
            "machine": machine(sqlite=sqlite3.sqlite_version, previous_release=OLD_RELEASE),
            "quick": args.quick,
            "sizes": dataclasses.asdict(sizes),
            "seconds": elapsed,
            "cases": [dataclasses.asdict(c) for c in found],
            "raw": {"ours": ours, "previous_release": old},
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
