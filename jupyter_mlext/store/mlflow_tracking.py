"""What MLflow's tracking protocol needs of experiments and runs beyond the TrackingStore contract (migration
m011): deletion marks, experiment tags, renames, deleting a run's tag, runs' inputs and outputs, metric history
pages, run search by parsed comparisons, runs imported with their own ids and times, and the import map.

The runs themselves stay ours: the rows, params, tags, metrics and artifacts of tracking.py. A deleted run or
experiment keeps its rows (MLflow's lifecycle stage "deleted", undone by restore); only MLflow's views hide it.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import Conflict, Experiment, InvalidInput, NotFound, RunInfo, RunStatus
from ..entities.mlflow import ExperimentRecord, RunIO
from . import events, metric_history
from .database import Database
from .search import Comparison, compile_comparisons, compile_order_by
from .tracking import SqliteTracking, select_runs
from .validation import check_name, check_texts, check_value, numeric_value

ACTIVE, DELETED, ALL = "active", "deleted", "all"


class MlflowTracking:
    """Experiments and runs as MLflow's API sees them, on the workspace's database. Safe to share between threads."""

    def __init__(self, db: Database, tracking: SqliteTracking) -> None:
        self._db = db
        self._tracking = tracking

    # -- experiments -------------------------------------------------------------------------------------------

    def experiments(self) -> list[ExperimentRecord]:
        with self._db.read() as conn:
            return _experiments(conn, "", [])

    def experiment(self, experiment_id: int) -> ExperimentRecord:
        with self._db.read() as conn:
            found = _experiments(conn, "WHERE x.id = ?", [experiment_id])
        if not found:
            raise NotFound(f"no experiment with id {experiment_id}", field="experiment_id")
        return found[0]

    def experiment_by_name(self, name: str) -> ExperimentRecord:
        with self._db.read() as conn:
            found = _experiments(conn, "WHERE x.name = ?", [name])
        if not found:
            raise NotFound(f"no experiment named {name!r}", field="experiment")
        return found[0]

    def create_experiment(
        self, name: str, tags: Mapping[str, Any] | None = None, *, created_at: float | None = None, exist_ok: bool
    ) -> ExperimentRecord:
        """A new experiment (Conflict if the name is taken, unless `exist_ok`), with its tags."""
        check_name(name, "name")
        rows = check_texts(tags, "tags")
        with self._db.write() as conn:
            row = conn.execute("SELECT id FROM experiments WHERE name = ?", (name,)).fetchone()
            if row is not None and not exist_ok:
                raise Conflict(f"experiment {name!r} already exists", field="name")
            if row is None:
                row = conn.execute(
                    "INSERT INTO experiments (name, created_at) VALUES (?, ?) RETURNING id",
                    (name, time.time() if created_at is None else created_at),
                ).fetchone()
            _set_experiment_tags(conn, row[0], rows)
            return _experiments(conn, "WHERE x.id = ?", [row[0]])[0]

    def rename_experiment(self, experiment_id: int, name: str) -> None:
        check_name(name, "new_name")
        with self._db.write() as conn:
            _require_experiment(conn, experiment_id)
            if conn.execute("SELECT 1 FROM experiments WHERE name = ? AND id != ?", (name, experiment_id)).fetchone():
                raise Conflict(f"experiment {name!r} already exists", field="new_name")
            conn.execute("UPDATE experiments SET name = ? WHERE id = ?", (name, experiment_id))

    def mark_experiment(self, experiment_id: int, deleted: bool) -> None:
        """Delete (mark) or restore an experiment and its runs, as MLflow does."""
        now = time.time() if deleted else None
        with self._db.write() as conn:
            _require_experiment(conn, experiment_id)
            conn.execute("UPDATE experiments SET deleted_at = ? WHERE id = ?", (now, experiment_id))
            conn.execute("UPDATE runs SET deleted_at = ? WHERE experiment_id = ?", (now, experiment_id))

    def set_experiment_tags(self, experiment_id: int, tags: Mapping[str, Any]) -> None:
        rows = check_texts(tags, "tags")
        with self._db.write() as conn:
            _require_experiment(conn, experiment_id)
            _set_experiment_tags(conn, experiment_id, rows)

    def delete_experiment_tag(self, experiment_id: int, key: str) -> None:
        with self._db.write() as conn:
            _require_experiment(conn, experiment_id)
            gone = conn.execute(
                "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", (experiment_id, key)
            ).rowcount
            if not gone:
                raise NotFound(f"experiment {experiment_id} has no tag {key!r}", field="key")

    # -- runs --------------------------------------------------------------------------------------------------

    def deleted_runs(self, run_ids: Sequence[str]) -> dict[str, float]:
        """When each deleted run among `run_ids` was deleted."""
        result: dict[str, float] = {}
        with self._db.read() as conn:
            for start in range(0, len(run_ids), 500):
                chunk = list(run_ids[start : start + 500])
                result.update(
                    conn.execute(
                        f"SELECT id, deleted_at FROM runs WHERE deleted_at IS NOT NULL AND id IN "
                        f"({','.join('?' * len(chunk))})",
                        chunk,
                    ).fetchall()
                )
        return result

    def mark_run(self, run_id: str, deleted: bool) -> None:
        with self._db.write() as conn:
            _require_run(conn, run_id)
            conn.execute("UPDATE runs SET deleted_at = ? WHERE id = ?", (time.time() if deleted else None, run_id))

    def rename_run(self, run_id: str, name: str) -> None:
        check_name(name, "run_name")
        with self._db.write() as conn:
            _require_run(conn, run_id)
            conn.execute("UPDATE runs SET name = ? WHERE id = ?", (name, run_id))

    def set_parent(self, run_id: str, parent_id: str) -> None:
        """Make `parent_id` the run's parent (MLflow sets the tag mlflow.parentRunId); no cycles."""
        with self._db.write() as conn:
            _require_run(conn, run_id)
            ancestor: str | None = parent_id
            while ancestor is not None:
                if ancestor == run_id:
                    raise InvalidInput(f"run {parent_id} descends from {run_id}", field="mlflow.parentRunId")
                row = conn.execute("SELECT parent_id FROM runs WHERE id = ?", (ancestor,)).fetchone()
                if row is None:
                    raise NotFound(f"parent run {parent_id!r} does not exist", field="mlflow.parentRunId")
                ancestor = row[0]
            conn.execute("UPDATE runs SET parent_id = ? WHERE id = ?", (parent_id, run_id))

    def delete_run_tag(self, run_id: str, key: str) -> None:
        with self._db.write() as conn:
            _require_run(conn, run_id)
            if not conn.execute("DELETE FROM tags WHERE run_id = ? AND key = ?", (run_id, key)).rowcount:
                raise NotFound(f"run {run_id} has no tag {key!r}", field="key")

    def add_io(self, run_id: str, items: Sequence[RunIO]) -> None:
        with self._db.write() as conn:
            _require_run(conn, run_id)
            conn.executemany(
                "INSERT INTO run_io (run_id, direction, kind, payload) VALUES (?, ?, ?, ?)",
                [(run_id, item.direction, item.kind, json.dumps(item.payload)) for item in items],
            )

    def io(self, run_ids: Sequence[str]) -> dict[str, list[RunIO]]:
        result: dict[str, list[RunIO]] = {run_id: [] for run_id in run_ids}
        with self._db.read() as conn:
            for start in range(0, len(run_ids), 500):
                chunk = list(run_ids[start : start + 500])
                for run_id, direction, kind, payload in conn.execute(
                    f"SELECT run_id, direction, kind, payload FROM run_io WHERE run_id IN "
                    f"({','.join('?' * len(chunk))}) ORDER BY seq",
                    chunk,
                ):
                    result[run_id].append(RunIO(direction, kind, json.loads(payload)))
        return result

    def search_runs(
        self,
        experiment_ids: Sequence[int],
        comparisons: Sequence[Comparison],
        filter_text: str,
        order_by: Sequence[str],
        view: str,
        max_results: int,
        offset: int,
    ) -> tuple[list[RunInfo], bool]:
        """One page of runs of the experiments that meet every comparison, and whether more follow."""
        where, params = compile_comparisons(comparisons, filter_text)
        joins, orders, order_params = compile_order_by(order_by)
        lifecycle = {ACTIVE: "r.deleted_at IS NULL", DELETED: "r.deleted_at IS NOT NULL", ALL: "1"}[view]
        marks = ",".join("?" * len(experiment_ids))
        with self._db.read() as conn:
            runs = select_runs(
                conn,
                f"{joins} WHERE ({where}) AND {lifecycle} AND r.experiment_id IN ({marks}) "
                f"ORDER BY {orders} LIMIT ? OFFSET ?",
                [*order_params, *params, *experiment_ids, max_results + 1, offset],
            )
        return runs[:max_results], len(runs) > max_results

    # -- metric history ----------------------------------------------------------------------------------------

    def history_page(self, run_id: str, key: str, offset: int, limit: int) -> list[tuple[int, float, float | None]]:
        """Points (step, timestamp, value or None for NaN) of one series in step order (equal steps as logged),
        `limit` from `offset`; an unknown key is an empty series (as MLflow answers)."""
        return self._points(run_id, key)[offset : offset + limit]

    def history_in_steps(
        self, run_id: str, key: str, start_step: int | None, end_step: int | None
    ) -> list[tuple[int, float, float | None]]:
        low = -math.inf if start_step is None else start_step
        high = math.inf if end_step is None else end_step
        return [point for point in self._points(run_id, key) if low <= point[0] <= high]

    def _points(self, run_id: str, key: str) -> list[tuple[int, float, float | None]]:
        """The whole series as the store reads it (sealed blocks and the open tail, store/metric_history.py)."""
        with self._db.read() as conn:
            _require_run(conn, run_id)
            try:
                found = metric_history.history(conn, run_id, key)
            except NotFound:
                return []
        return [
            (step, timestamp, None if math.isnan(value) else value)
            for step, timestamp, value in zip(found.steps, found.timestamps, found.values)
        ]

    # -- import ------------------------------------------------------------------------------------------------

    def import_run(
        self,
        run_id: str,
        experiment_id: int,
        *,
        parent_id: str | None,
        name: str,
        status: RunStatus,
        created_at: float,
        ended_at: float | None,
        user: str | None,
        source_type: str | None,
        source_name: str | None,
        git_commit: str | None,
        deleted: bool,
        params: Mapping[str, Any],
        tags: Mapping[str, Any],
    ) -> RunInfo:
        """A run as another tracking store recorded it: its id, times and status kept (an import, not a live run)."""
        check_name(name, "name")
        param_rows = [(k, v, numeric_value(v)) for k, v in check_texts(params, "params").items()]
        tag_rows = [(k, v, numeric_value(v)) for k, v in check_texts(tags, "tags").items()]
        with self._db.write() as conn:
            _require_experiment(conn, experiment_id)
            if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
                raise Conflict(f"run {run_id} already exists", field="run_id")
            conn.execute(
                "INSERT INTO runs (id, experiment_id, parent_id, name, status, created_at, started_at, ended_at, user, "
                "source_type, source_name, git_commit, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    experiment_id,
                    parent_id,
                    name,
                    status.value,
                    created_at,
                    created_at,
                    ended_at,
                    user,
                    source_type,
                    source_name,
                    git_commit,
                    time.time() if deleted else None,
                ),
            )
            conn.executemany(
                "INSERT INTO params (run_id, key, value, value_num) VALUES (?, ?, ?, ?)",
                [(run_id, *row) for row in param_rows],
            )
            conn.executemany(
                "INSERT INTO tags (run_id, key, value, value_num) VALUES (?, ?, ?, ?)",
                [(run_id, *row) for row in tag_rows],
            )
            events.emit(conn, events.RUN_CREATED, run_id, {"parent_id": parent_id, "status": status.value})
        return self._tracking.get_run(run_id)

    def imported(self, source: str, kind: str, source_id: str) -> str | None:
        """What an earlier import of `source` made of its `kind` object `source_id`, if it did."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT target_id FROM import_sources WHERE source = ? AND kind = ? AND source_id = ?",
                (source, kind, source_id),
            ).fetchone()
        return None if row is None else str(row[0])

    def remember_import(self, source: str, kind: str, source_id: str, target_id: str) -> None:
        check_value(source, "source")
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO import_sources (source, kind, source_id, target_id, imported_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (source, kind, source_id) DO UPDATE SET target_id = excluded.target_id",
                (source, kind, source_id, target_id, time.time()),
            )


def _experiments(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[ExperimentRecord]:
    rows = conn.execute(
        "SELECT x.id, x.name, x.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = x.id), x.deleted_at "
        f"FROM experiments x {where} ORDER BY x.id",
        params,
    ).fetchall()
    tags: dict[int, dict[str, str]] = {row[0]: {} for row in rows}
    if rows:
        ids = list(tags)
        for experiment_id, key, value in conn.execute(
            "SELECT experiment_id, key, value FROM experiment_tags "
            f"WHERE experiment_id IN ({','.join('?' * len(ids))})",
            ids,
        ):
            tags[experiment_id][key] = value
    return [ExperimentRecord(Experiment(*row[:4]), row[4], tags[row[0]]) for row in rows]


def _set_experiment_tags(conn: sqlite3.Connection, experiment_id: int, rows: Mapping[str, str]) -> None:
    conn.executemany(
        "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
        [(experiment_id, key, value) for key, value in rows.items()],
    )


def _require_experiment(conn: sqlite3.Connection, experiment_id: int) -> None:
    if not conn.execute("SELECT 1 FROM experiments WHERE id = ?", (experiment_id,)).fetchone():
        raise NotFound(f"no experiment with id {experiment_id}", field="experiment_id")


def _require_run(conn: sqlite3.Connection, run_id: str) -> None:
    if not conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
        raise NotFound(f"no run with id {run_id!r}", field="run_id")
