"""A workspace made by the release before metric blocks (commit OLD_RELEASE, every point a row) opens, reads
the same before, during and after its points are packed into blocks, and keeps logging.

The old workspace is real: tests/store/data/workspace-bbfab5d.tar.gz was written by that release running
MAKE_OLD_WORKSPACE (its package exported from git, run with PYTHONPATH pointing at it: `python
tests/store/test_metric_blocks_migration.py` makes it again), with seen.json, what that release's own reads
returned, which the new code must return too. It is kept in the repository so that the test needs no git
history (a shallow clone has none).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from io import BytesIO
from pathlib import Path

import pytest

from jupyter_mlext.compute.local import LocalBackend
from jupyter_mlext.daemon import Daemon
from jupyter_mlext.entities import TargetKind
from jupyter_mlext.store import Workspace
from jupyter_mlext.store.metric_blocks import BLOCK_POINTS

REPO = Path(__file__).resolve().parents[2]
OLD_RELEASE = "bbfab5d"  # the last commit before schema migration m009_metric_blocks

MAKE_OLD_WORKSPACE = textwrap.dedent("""
    import json, math, random, sys
    import jupyter_mlext
    from jupyter_mlext.store import Workspace
    from jupyter_mlext.store.schema import KNOWN_MIGRATIONS
    assert "m009_metric_blocks" not in KNOWN_MIGRATIONS, jupyter_mlext.__file__
    rng = random.Random(7)
    ws = Workspace(sys.argv[1])
    series = {
        "loss": [(1.0 / (i + 1), None, 1000.0 + i) for i in range(5000)],
        "acc": [(i / 700, i, 2000.0) for i in range(700)],
        "odd": [(v, None, 3000.0) for v in [1.0, math.nan, math.inf, -math.inf] * 300],
        "jumpy": [(rng.uniform(-1, 1), rng.randrange(0, 1500), 4000.0 + rng.random()) for _ in range(3000)],
    }
    runs = []
    for r in range(3):
        run = ws.tracking.create_run("old", name=f"old-{r}", params={"r": r})
        for key, points in series.items():
            for start in range(0, len(points), 333):
                ws.tracking.log_metrics(run.id, [(key, *p) for p in points[start : start + 333]])
        ws.tracking.log_metrics(run.id, [("final", 0.1 * r, None, None)])
        ws.tracking.set_status(run.id, "Completed")
        runs.append(run.id)
    seen = {
        "runs": runs,
        "histories": {
            f"{run_id}/{key}": ws.tracking.metric_history(run_id, key).to_dict()
            for run_id in runs for key in [*series, "final"]
        },
        "search": [r.id for r in ws.tracking.search_runs("old", "metrics.final < 0.15", ["metrics.final DESC"]).runs],
        "points": ws.db.read().__enter__().execute("SELECT count(*) FROM metric_points").fetchone()[0],
    }
    ws.close()
    print(json.dumps(seen))
""")


FIXTURE = Path(__file__).resolve().parent / "data" / f"workspace-{OLD_RELEASE}.tar.gz"


@pytest.fixture(scope="module")
def old_workspace(tmp_path_factory) -> tuple[Path, dict]:
    """A workspace written by the old release, and what that release read back from it."""
    root = tmp_path_factory.mktemp("old-release")
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(root, filter="data")
    return root / "ws", json.loads((root / "seen.json").read_text())


def make_fixture() -> None:
    """Write FIXTURE again with the old release itself (needs the git history of OLD_RELEASE)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", OLD_RELEASE, "jupyter_mlext"],
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(root / "code", filter="data")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
        env["PYTHONPATH"] = str(root / "code")
        made = subprocess.run(
            [sys.executable, "-c", MAKE_OLD_WORKSPACE, str(root / "ws")],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        (root / "seen.json").write_text(made.stdout)
        with tarfile.open(FIXTURE, "w:gz") as tar:
            tar.add(root / "ws", "ws")
            tar.add(root / "seen.json", "seen.json")


@pytest.fixture
def copy(old_workspace, tmp_path) -> tuple[Path, dict]:
    folder, seen = old_workspace
    shutil.copytree(folder, tmp_path / "ws")
    return tmp_path / "ws", seen


def _reads_as_before(ws: Workspace, seen: dict) -> None:
    for name, expected in seen["histories"].items():
        run_id, key = name.split("/")
        assert ws.tracking.metric_history(run_id, key).to_dict() == expected, name
        total = expected["total_points"]
        for max_points in (10, 200):
            sampled = ws.tracking.metric_history(run_id, key, max_points)
            if total <= max_points:
                assert not sampled.downsampled
                continue
            assert sampled.downsampled and sampled.total_points == total and len(sampled.steps) <= max_points
            assert sampled.steps == sorted(sampled.steps) and sampled.steps[-1] == expected["steps"][-1]
            logged = [float(v) for v in expected["values"]]  # the JSON spells NaN and infinities as strings
            numbers = [v for v in logged if not math.isnan(v)]
            assert max(v for v in sampled.maxs if not math.isnan(v)) == max(numbers)
            assert min(v for v in sampled.mins if not math.isnan(v)) == min(numbers)
    found = ws.tracking.search_runs("old", "metrics.final < 0.15", ["metrics.final DESC"])
    assert [r.id for r in found.runs] == seen["search"]


def _stored(ws: Workspace) -> tuple[int, int]:
    with ws.db.read() as conn:
        rows = conn.execute("SELECT count(*) FROM metric_points").fetchone()[0]
        sealed = conn.execute("SELECT coalesce(sum(count), 0) FROM metric_blocks").fetchone()[0]
    return rows, sealed


def _longest_tail(ws: Workspace) -> int:
    with ws.db.read() as conn:
        return conn.execute("SELECT max(count - sealed) FROM metric_series").fetchone()[0]


def test_an_old_workspace_opens_reads_the_same_and_converts_in_bounded_resumable_batches(copy):
    folder, seen = copy
    with Workspace(folder) as ws:
        assert _stored(ws) == (seen["points"], 0)  # opening converts nothing: it takes no longer than before
        _reads_as_before(ws, seen)
        assert ws.tracking.seal_pending_metrics(2 * BLOCK_POINTS) == 2 * BLOCK_POINTS
        assert _stored(ws) == (seen["points"] - 2 * BLOCK_POINTS, 2 * BLOCK_POINTS)
        _reads_as_before(ws, seen)  # half converted
    with Workspace(folder) as ws:  # another process picks up where the last one stopped
        batches = 0
        while ws.tracking.seal_pending_metrics(3 * BLOCK_POINTS):
            batches += 1
            if batches % 7 == 0:
                _reads_as_before(ws, seen)
        rows, sealed = _stored(ws)
        assert rows + sealed == seen["points"] and rows < 15 * BLOCK_POINTS  # 3 runs × 5 series
        assert _longest_tail(ws) < BLOCK_POINTS
        _reads_as_before(ws, seen)

        run_id = seen["runs"][0]
        ws.tracking.log_metrics(run_id, [("loss", 0.5, None, None)] * (BLOCK_POINTS + 3))
        history = ws.tracking.metric_history(run_id, "loss")
        assert history.steps == list(range(5000 + BLOCK_POINTS + 3)) and history.values[-1] == 0.5
        assert ws.tracking.get_run(run_id).metrics["loss"].count == 5000 + BLOCK_POINTS + 3


def test_writing_to_an_old_series_converts_it_as_it_goes(copy):
    folder, seen = copy
    with Workspace(folder) as ws:
        run_id = seen["runs"][1]
        ws.tracking.log_metrics(run_id, [("jumpy", 9.0, 700, 5000.0)])
        with ws.db.read() as conn:
            series_id, sealed = conn.execute(
                "SELECT id, sealed FROM metric_series WHERE run_id = ? AND key = 'jumpy'", (run_id,)
            ).fetchone()
            (rows,) = conn.execute("SELECT count(*) FROM metric_points WHERE series_id = ?", (series_id,)).fetchone()
        assert sealed == 3001 // BLOCK_POINTS * BLOCK_POINTS and rows == 3001 - sealed
        history = ws.tracking.metric_history(run_id, "jumpy")
        before = seen["histories"][f"{run_id}/jumpy"]
        at = bisect.bisect_right(before["steps"], 700)  # after the points of step 700 logged before it
        assert history.steps == before["steps"][:at] + [700] + before["steps"][at:]
        assert history.values == before["values"][:at] + [9.0] + before["values"][at:]


def test_the_daemon_converts_an_old_workspace_while_it_is_read(copy):
    folder, seen = copy
    with Workspace(folder) as ws:
        daemon = Daemon(ws, {TargetKind.LOCAL: LocalBackend(ws)}, kind="agent", dispatch=False)
        try:
            while _longest_tail(ws) >= BLOCK_POINTS:
                daemon.run_due()
                _reads_as_before(ws, seen)
                for ticker in daemon.tickers:
                    ticker.due = 0.0
        finally:
            daemon.stop()
        _reads_as_before(ws, seen)


if __name__ == "__main__":
    make_fixture()
