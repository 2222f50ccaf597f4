"""The tracking store on the workspace's database: experiments, runs, params, tags, metrics, artifacts and logs.

Every outer layer (SDK, magics, widgets, REST handlers, CLI) reads and writes runs through this class (or its
REST twin, rest.py, which has the same contract: base.py). It validates all input before it writes, so refused
input leaves the workspace as it was, and every write is one short transaction (database.py), so that many
processes can log into one workspace at once.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..entities import (
    ALLOWED_TRANSITIONS,
    Artifact,
    Conflict,
    Experiment,
    InvalidInput,
    JobSpec,
    LogChunk,
    MetricHistory,
    MetricSummary,
    NotFound,
    RunInfo,
    RunPage,
    RunStatus,
)
from ..entities.limits import MAX_ERROR_LENGTH
from . import artifacts as artifact_files
from . import events, logs, metric_history, metrics
from .base import FileSource, TrackingStore
from .database import Database
from .logs import MAX_LOG_CHUNK
from .paths import WorkspacePaths
from .search import compile_filter, compile_order_by
from .validation import Column, Point, check_name, check_relative_path, check_text, check_texts, numeric_value

MAX_PAGE_SIZE = 50_000
_IN_CHUNK = 500
_RUN_COLUMNS = (
    "r.id, r.experiment_id, e.name, r.parent_id, r.name, r.status, r.created_at, r.started_at, r.ended_at, "
    "r.user, r.source_type, r.source_name, r.compute, r.git_commit, r.snapshot_id, r.error"
)


class SqliteTracking(TrackingStore):
    """Runs of one workspace on its database. Safe to share between threads."""

    def __init__(self, db: Database, paths: WorkspacePaths) -> None:
        self._db = db
        self.paths = paths

    @property
    def location(self) -> str:
        return str(self.paths.root)

    # -- experiments -------------------------------------------------------------------------------------------

    def get_experiment(self, name: str) -> Experiment:
        found = self._experiments("WHERE x.name = ?", [name])
        if not found:
            raise NotFound(f"no experiment named {name!r}", field="experiment")
        return found[0]

    def list_experiments(self) -> list[Experiment]:
        return self._experiments("", [])

    def _experiments(self, where: str, params: list[Any]) -> list[Experiment]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT x.id, x.name, x.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = x.id) "
                f"FROM experiments x {where} ORDER BY x.name",
                params,
            ).fetchall()
        return [Experiment(*row) for row in rows]

    # -- runs --------------------------------------------------------------------------------------------------

    def create_run(
        self,
        experiment: str,
        *,
        name: str | None = None,
        parent_id: str | None = None,
        user: str | None = None,
        source_type: str | None = None,
        source_name: str | None = None,
        git_commit: str | None = None,
        snapshot_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        status: RunStatus | None = None,
        compute: str | None = None,
        job: JobSpec | None = None,
    ) -> RunInfo:
        """A new run; params and tags are checked first, and the run, its params, tags and job land together.

        With a `job` (checked by `ComputeRepository.check_spec`) the run is a submission: it waits Queued in the
        job queue of its compute target. `status` lets a pipeline record a step that ends where it starts.
        """
        check_name(experiment, "experiment")
        if name is not None:
            check_name(name, "name")
        for field, value in (
            ("user", user),
            ("source_type", source_type),
            ("source_name", source_name),
            ("git_commit", git_commit),
        ):
            check_text(value, field)
        param_rows = _key_values(params, "params")
        tag_rows = _key_values(tags, "tags")
        status = RunStatus(status or (RunStatus.QUEUED if job is not None else RunStatus.RUNNING))
        run_id = uuid.uuid4().hex
        now = time.time()
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (experiment, now),
            )
            experiment_id, run_count = conn.execute(
                "SELECT id, (SELECT count(*) FROM runs WHERE experiment_id = experiments.id) "
                "FROM experiments WHERE name = ?",
                (experiment,),
            ).fetchone()
            if parent_id is not None and not conn.execute("SELECT 1 FROM runs WHERE id = ?", (parent_id,)).fetchone():
                raise NotFound(f"parent run {parent_id!r} does not exist", field="parent_id")
            conn.execute(
                "INSERT INTO runs (id, experiment_id, parent_id, name, status, created_at, started_at, ended_at, user, "
                "source_type, source_name, compute, git_commit, snapshot_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    experiment_id,
                    parent_id,
                    name or f"{experiment}-{run_count + 1}",
                    status.value,
                    now,
                    None if status in (RunStatus.QUEUED, RunStatus.PREPARING) else now,
                    now if status.is_terminal else None,
                    user,
                    source_type,
                    source_name,
                    compute,
                    git_commit,
                    snapshot_id,
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
            if job is not None:
                conn.execute(
                    "INSERT INTO jobs (run_id, target, entry, args, timeout_s, queued_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (run_id, job.target, job.entry, json.dumps(job.args), job.timeout_s, now),
                )
            events.emit(
                conn,
                events.RUN_CREATED,
                run_id,
                {"experiment": experiment, "parent_id": parent_id, "status": status.value},
            )
            return self._get_run(conn, run_id)

    def get_run(self, run_id: str) -> RunInfo:
        with self._db.read() as conn:
            return self._get_run(conn, run_id)

    def _get_run(self, conn: sqlite3.Connection, run_id: str) -> RunInfo:
        runs = _load_runs(conn, "WHERE r.id = ?", [run_id])
        if not runs:
            raise NotFound(f"no run with id {run_id!r}", field="run_id")
        return runs[0]

    def resolve_run_id(self, id_or_prefix: str) -> str:
        if not isinstance(id_or_prefix, str) or len(id_or_prefix) < 4:
            raise InvalidInput("a run id needs at least 4 characters", field="run_id")
        pattern = id_or_prefix.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]") + "*"
        with self._db.read() as conn:
            rows = conn.execute("SELECT id FROM runs WHERE id GLOB ? LIMIT 2", (pattern,)).fetchall()
        if not rows:
            raise NotFound(f"no run with id {id_or_prefix!r}", field="run_id")
        if len(rows) > 1 and rows[0][0] != id_or_prefix:
            raise InvalidInput(f"run id prefix {id_or_prefix!r} is ambiguous", field="run_id")
        return str(rows[0][0])

    def set_status(self, run_id: str, status: RunStatus | str, error: str | None = None) -> RunInfo:
        try:
            target = RunStatus(status)
        except ValueError:
            raise InvalidInput(f"unknown status {status!r}", field="status") from None
        if error is not None:
            error = check_text(
                error[-MAX_ERROR_LENGTH:] if isinstance(error, str) else error, "error", MAX_ERROR_LENGTH
            )
        now = time.time()
        with self._db.write() as conn:
            row = conn.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFound(f"no run with id {run_id!r}", field="run_id")
            current = RunStatus(row[0])
            if target != current:
                if target not in ALLOWED_TRANSITIONS[current]:
                    raise Conflict(f"run {run_id} is {current.value} and cannot become {target.value}", field="status")
                conn.execute(
                    "UPDATE runs SET status = ?, "
                    "started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END, "
                    "ended_at = CASE WHEN ? THEN ? ELSE ended_at END, error = coalesce(?, error) WHERE id = ?",
                    (target.value, target is RunStatus.RUNNING, now, target.is_terminal, now, error, run_id),
                )
                events.emit(conn, events.STATUS, run_id, {"status": target.value, "previous": current.value})
            return self._get_run(conn, run_id)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        rows = _key_values(params, "params")
        with self._db.write() as conn:
            _require_run(conn, run_id)
            for key, value, value_num in rows:
                existing = conn.execute(
                    "SELECT value FROM params WHERE run_id = ? AND key = ?", (run_id, key)
                ).fetchone()
                if existing is None:
                    conn.execute(
                        "INSERT INTO params (run_id, key, value, value_num) VALUES (?, ?, ?, ?)",
                        (run_id, key, value, value_num),
                    )
                elif existing[0] != value:
                    raise Conflict(
                        f"param {key!r} of run {run_id} is already {existing[0]!r}; params cannot change "
                        f"(tried {value!r})",
                        field=f"params.{key}",
                    )

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        rows = _key_values(tags, "tags")
        with self._db.write() as conn:
            _require_run(conn, run_id)
            conn.executemany(
                "INSERT INTO tags (run_id, key, value, value_num) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, value_num = excluded.value_num",
                [(run_id, *row) for row in rows],
            )

    # -- metrics -----------------------------------------------------------------------------------------------

    def write_metrics(self, batch: Mapping[str, Sequence[Point]]) -> None:
        with self._db.write() as conn:
            for run_id, points in batch.items():
                if not points:
                    continue
                try:
                    series = metrics.write_points(conn, run_id, points)
                except sqlite3.IntegrityError:
                    raise NotFound(f"no run with id {run_id!r}", field="run_id") from None
                events.emit(conn, events.METRICS, run_id, {"series": series})

    def write_metric_columns(self, batch: Mapping[str, tuple[Sequence[Point], Sequence[Column]]]) -> None:
        with self._db.write() as conn:
            for run_id, (points, columns) in batch.items():
                try:
                    series = metrics.write_points(conn, run_id, points) if points else {}
                    if columns:
                        series = metrics.merge_series(series, metrics.write_columns(conn, run_id, columns))
                except sqlite3.IntegrityError:
                    raise NotFound(f"no run with id {run_id!r}", field="run_id") from None
                if series:
                    events.emit(conn, events.METRICS, run_id, {"series": series})

    def metric_history(self, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
        if max_points is not None and (
            isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1
        ):
            raise InvalidInput(f"max_points must be a positive integer, got {max_points!r}", field="max_points")
        with self._db.read() as conn:
            _require_run(conn, run_id)
            return metric_history.history(conn, run_id, key, max_points)

    def seal_pending_metrics(self, max_points: int = metrics.SEAL_PER_WRITE) -> int:
        """Pack up to `max_points` points of series stored before blocks existed into blocks (one short
        transaction); returns how many, 0 once none is left. The daemon calls it until then."""
        with self._db.write() as conn:
            return metrics.seal_pending(conn, max_points)

    # -- search ------------------------------------------------------------------------------------------------

    def search_runs(
        self,
        experiments: str | Sequence[str] | None = None,
        filter: str | None = None,
        order_by: str | Sequence[str] | None = None,
        max_results: int = 1000,
        page_token: str | None = None,
    ) -> RunPage:
        where, params = compile_filter(filter)
        joins, orders, order_params = compile_order_by(order_by)
        if isinstance(max_results, bool) or not isinstance(max_results, int) or not 1 <= max_results <= MAX_PAGE_SIZE:
            raise InvalidInput(f"max_results must be between 1 and {MAX_PAGE_SIZE}", field="max_results")
        offset = _page_offset(page_token)
        scope, scope_params = "", []
        with self._db.read() as conn:
            if experiments is not None:
                names = [experiments] if isinstance(experiments, str) else list(experiments)
                known = dict(conn.execute("SELECT name, id FROM experiments").fetchall())
                missing = [n for n in names if n not in known]
                if missing:
                    raise NotFound(f"no experiment named {missing[0]!r}", field="experiment")
                scope = f"AND r.experiment_id IN ({','.join('?' * len(names))})"
                scope_params = [known[n] for n in names]
            runs = _load_runs(
                conn,
                f"{joins} WHERE ({where}) {scope} ORDER BY {orders} LIMIT ? OFFSET ?",
                [*order_params, *params, *scope_params, max_results + 1, offset],
            )
        more = len(runs) > max_results
        return RunPage(runs=runs[:max_results], next_page_token=str(offset + max_results) if more else None)

    # -- artifacts ---------------------------------------------------------------------------------------------

    def store_files(self, run_id: str, files: Sequence[tuple[FileSource, str]]) -> list[Artifact]:
        """Write every file under a temporary name, put them in place, then record them in one transaction: a
        disk that fills (StorageFull) or fails (StorageError) half way leaves the run's artifacts as they were."""
        self.get_run(run_id)
        staged = artifact_files.stage_files(self.paths.run_artifacts(run_id), files)
        try:
            for file in staged:
                file.commit()
        finally:
            for file in staged:
                file.discard()
        written = [(relative, file.size, file.sha256) for (_, relative), file in zip(files, staged)]
        now = time.time()
        with self._db.write() as conn:
            conn.executemany(
                "INSERT INTO artifacts (run_id, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256, "
                "created_at = excluded.created_at",
                [(run_id, path, size, digest, now) for path, size, digest in written],
            )
            events.emit(conn, events.ARTIFACTS, run_id, {"paths": [path for path, _, _ in written]})
        return [Artifact(run_id, path, size, digest, now) for path, size, digest in written]

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[Artifact]:
        with self._db.read() as conn:
            _require_run(conn, run_id)
            if path is None:
                rows = conn.execute("SELECT * FROM artifacts WHERE run_id = ? ORDER BY path", (run_id,)).fetchall()
            else:
                prefix = check_relative_path(path, "path")
                rows = conn.execute(
                    "SELECT * FROM artifacts WHERE run_id = ? AND (path = ? OR substr(path, 1, ?) = ?) ORDER BY path",
                    (run_id, prefix, len(prefix) + 1, prefix + "/"),
                ).fetchall()
        return [Artifact(*row) for row in rows]

    def artifact_file(self, run_id: str, path: str) -> Path:
        """The file behind one artifact, checked to lie inside the run's folder."""
        relative = check_relative_path(path, "path")
        if not any(a.path == relative for a in self.list_artifacts(run_id, relative)):
            raise NotFound(f"run {run_id} has no artifact {path!r}", field="path")
        return artifact_files.contained_path(self.paths.run_artifacts(run_id), relative)

    def copy_artifact(self, run_id: str, path: str, target: BinaryIO) -> None:
        artifact_files.copy_file(self.artifact_file(run_id, path), target)

    # -- logs --------------------------------------------------------------------------------------------------

    def read_log(self, run_id: str, offset: int = 0, max_bytes: int = MAX_LOG_CHUNK) -> LogChunk:
        info = self.get_run(run_id)
        return logs.read_chunk(self.paths, info, offset, max_bytes)

    def append_log(self, run_id: str, data: bytes) -> None:
        self.get_run(run_id)
        logs.append(self.paths, run_id, data)

    def log_file(self, run_id: str) -> Path:
        """Where the run's log is written (a submitted script's stdout and stderr)."""
        return logs.contained_log_path(self.paths, run_id)


def _require_run(conn: sqlite3.Connection, run_id: str) -> None:
    if not conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
        raise NotFound(f"no run with id {run_id!r}", field="run_id")


def select_runs(conn: sqlite3.Connection, tail: str, params: list[Any]) -> list[RunInfo]:
    """Runs (with params, tags and metric summaries) of `runs r JOIN experiments e` and a SQL `tail` (joins,
    WHERE, ORDER BY, LIMIT) with its bound parameters: for the store's other search front ends."""
    return _load_runs(conn, tail, params)


def _load_runs(conn: sqlite3.Connection, tail: str, params: list[Any]) -> list[RunInfo]:
    rows = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id {tail}", params
    ).fetchall()
    ids = [row[0] for row in rows]
    run_params = _key_values_of(conn, "params", ids)
    run_tags = _key_values_of(conn, "tags", ids)
    summaries: dict[str, dict[str, MetricSummary]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        summaries.update(metrics.summaries(conn, ids[start : start + _IN_CHUNK]))
    return [_run_info(row, run_params[row[0]], run_tags[row[0]], summaries[row[0]]) for row in rows]


def _run_info(
    row: tuple[Any, ...], params: dict[str, str], tags: dict[str, str], summaries: dict[str, MetricSummary]
) -> RunInfo:
    """A run from a row of _RUN_COLUMNS and its params, tags and metric summaries."""
    (
        run_id,
        experiment_id,
        experiment,
        parent_id,
        name,
        status,
        created_at,
        started_at,
        ended_at,
        user,
        source_type,
        source_name,
        compute,
        git_commit,
        snapshot_id,
        error,
    ) = row
    return RunInfo(
        run_id,
        experiment_id,
        experiment,
        parent_id,
        name,
        RunStatus(status),
        created_at,
        started_at,
        ended_at,
        user,
        source_type,
        source_name,
        compute,
        git_commit,
        snapshot_id,
        error,
        params=params,
        tags=tags,
        metrics=summaries,
    )


def _key_values_of(conn: sqlite3.Connection, table: str, ids: list[str]) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {run_id: {} for run_id in ids}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        for run_id, key, value in conn.execute(
            f"SELECT run_id, key, value FROM {table} WHERE run_id IN ({','.join('?' * len(chunk))}) ORDER BY key",
            chunk,
        ):
            result[run_id][key] = value
    return result


def _key_values(values: Mapping[str, Any] | None, family: str) -> list[tuple[str, str, float | None]]:
    return [(key, text, numeric_value(text)) for key, text in check_texts(values, family).items()]


def _page_offset(page_token: str | None) -> int:
    if page_token is None:
        return 0
    if not isinstance(page_token, str) or not page_token.isdigit():
        raise InvalidInput(f"page_token {page_token!r} is not one this store handed out", field="page_token")
    return int(page_token)
