"""The tracking store: experiments, runs, params, tags, metrics and artifacts of one workspace.

Every outer layer (SDK, magics, widgets, REST handlers, CLI) goes through this class. It validates all input
before it writes, so refused input leaves the workspace as it was, and every write is one short BEGIN IMMEDIATE
transaction so that many processes can log into one workspace at once.
"""
from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidInput, NotFound, WorkspaceError
from ..models import (
    ALLOWED_TRANSITIONS,
    Artifact,
    Event,
    Experiment,
    JobSpec,
    MetricHistory,
    RunInfo,
    RunPage,
    RunStatus,
)
from . import artifacts as artifact_files
from . import events, metrics
from .db import connect, write_transaction
from .schema import migrate
from .search import compile_filter, compile_order_by
from .validation import (
    INT64_MAX,
    check_metric_value,
    check_name,
    check_relative_path,
    check_step,
    check_timestamp,
    check_value,
    numeric_value,
)
from .workspace import WorkspacePaths, resolve_workspace

MAX_PAGE_SIZE = 50_000
_IN_CHUNK = 500
_RUN_COLUMNS = (
    "r.id, r.experiment_id, e.name, r.parent_id, r.name, r.status, r.created_at, r.started_at, r.ended_at, "
    "r.user, r.source_type, r.source_name, r.compute, r.git_commit, r.snapshot_id, r.error"
)


class TrackingStore:
    """One open workspace. Safe to share between threads; one per process and workspace is enough."""

    def __init__(self, workspace: WorkspacePaths | str | Path | None = None) -> None:
        self.paths = workspace if isinstance(workspace, WorkspacePaths) else resolve_workspace(workspace)
        self.paths.create()
        self._lock = threading.RLock()
        try:
            self.db = connect(self.paths.database)
            migrate(self.db)
        except sqlite3.DatabaseError as error:  # e.g. "file is not a database"
            raise WorkspaceError(f"cannot open the workspace database {self.paths.database}: {error}") from None

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def _write(self):
        return write_transaction(self.db)

    # -- experiments -------------------------------------------------------------------------------------------

    def get_or_create_experiment(self, name: str) -> Experiment:
        check_name(name, "experiment")
        with self._lock, self._write():
            self.db.conn.execute(
                "INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, time.time()),
            )
        return self.get_experiment(name)

    def get_experiment(self, name: str) -> Experiment:
        found = [e for e in self._experiments("WHERE x.name = ?", [name])]
        if not found:
            raise NotFound(f"no experiment named {name!r}", field="experiment")
        return found[0]

    def list_experiments(self) -> list[Experiment]:
        return self._experiments("", [])

    def _experiments(self, where: str, params: list[Any]) -> list[Experiment]:
        with self._lock:
            rows = self.db.conn.execute(
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
        status: RunStatus | None = None,
        user: str | None = None,
        source_type: str | None = None,
        source_name: str | None = None,
        compute: str | None = None,
        git_commit: str | None = None,
        snapshot_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        job: JobSpec | None = None,
    ) -> RunInfo:
        """A new run; params and tags are checked first, and the run, its params, tags and job land together.

        With a `job` (checked by `ComputeStore.check_spec`) the run is a submission: it waits in the job queue of
        its compute target.
        """
        check_name(experiment, "experiment")
        if name is not None:
            check_name(name, "name")
        param_rows = _key_values(params or {}, "params")
        tag_rows = _key_values(tags or {}, "tags")
        status = RunStatus(status or (RunStatus.QUEUED if job is not None else RunStatus.RUNNING))
        run_id = uuid.uuid4().hex
        now = time.time()
        with self._lock, self._write():
            conn = self.db.conn
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
                    run_id, experiment_id, parent_id, name or f"{experiment}-{run_count + 1}", status.value, now,
                    None if status in (RunStatus.QUEUED, RunStatus.PREPARING) else now,
                    now if status.is_terminal else None,
                    user, source_type, source_name, compute, git_commit, snapshot_id,
                ),
            )
            conn.executemany("INSERT INTO params (run_id, key, value, value_num) VALUES (?, ?, ?, ?)",
                             [(run_id, *row) for row in param_rows])
            conn.executemany("INSERT INTO tags (run_id, key, value, value_num) VALUES (?, ?, ?, ?)",
                             [(run_id, *row) for row in tag_rows])
            if job is not None:
                conn.execute("INSERT INTO jobs (run_id, target, entry, args, timeout_s, queued_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (run_id, job.target, job.entry, json.dumps(job.args), job.timeout_s, now))
            events.emit(conn, events.RUN_CREATED, run_id, {"experiment": experiment, "parent_id": parent_id,
                                                           "status": status.value})
        return self.get_run(run_id)

    def get_run(self, run_id: str) -> RunInfo:
        runs = self._load_runs("WHERE r.id = ?", [run_id])
        if not runs:
            raise NotFound(f"no run with id {run_id!r}", field="run_id")
        return runs[0]

    def resolve_run_id(self, id_or_prefix: str) -> str:
        """A full run id from an unambiguous prefix of at least 4 characters (what people type in a terminal)."""
        if not isinstance(id_or_prefix, str) or len(id_or_prefix) < 4:
            raise InvalidInput("a run id needs at least 4 characters", field="run_id")
        pattern = id_or_prefix.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]") + "*"
        with self._lock:
            rows = self.db.conn.execute("SELECT id FROM runs WHERE id GLOB ? LIMIT 2", (pattern,)).fetchall()
        if not rows:
            raise NotFound(f"no run with id {id_or_prefix!r}", field="run_id")
        if len(rows) > 1 and rows[0][0] != id_or_prefix:
            raise InvalidInput(f"run id prefix {id_or_prefix!r} is ambiguous", field="run_id")
        return rows[0][0]

    def set_status(self, run_id: str, status: RunStatus | str, error: str | None = None) -> RunInfo:
        """Move a run along its state machine; a terminal status is final."""
        try:
            target = RunStatus(status)
        except ValueError:
            raise InvalidInput(f"unknown status {status!r}", field="status") from None
        now = time.time()
        with self._lock, self._write():
            conn = self.db.conn
            row = conn.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise NotFound(f"no run with id {run_id!r}", field="run_id")
            current = RunStatus(row[0])
            if target != current:
                if target not in ALLOWED_TRANSITIONS[current]:
                    raise Conflict(f"run {run_id} is {current.value} and cannot become {target.value}",
                                   field="status")
                conn.execute(
                    "UPDATE runs SET status = ?, "
                    "started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END, "
                    "ended_at = CASE WHEN ? THEN ? ELSE ended_at END, error = coalesce(?, error) WHERE id = ?",
                    (target.value, target is RunStatus.RUNNING, now, target.is_terminal, now, error, run_id),
                )
                events.emit(conn, events.STATUS, run_id, {"status": target.value, "previous": current.value})
        return self.get_run(run_id)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Params are immutable: the same value again is a no-op, another value is a Conflict and nothing is written."""
        rows = _key_values(params, "params")
        with self._lock, self._write():
            conn = self.db.conn
            self._require_run(run_id)
            for key, value, value_num in rows:
                existing = conn.execute("SELECT value FROM params WHERE run_id = ? AND key = ?",
                                        (run_id, key)).fetchone()
                if existing is None:
                    conn.execute("INSERT INTO params (run_id, key, value, value_num) VALUES (?, ?, ?, ?)",
                                 (run_id, key, value, value_num))
                elif existing[0] != value:
                    raise Conflict(
                        f"param {key!r} of run {run_id} is already {existing[0]!r}; params cannot change "
                        f"(tried {value!r})",
                        field=f"params.{key}",
                    )

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        rows = _key_values(tags, "tags")
        with self._lock, self._write():
            self._require_run(run_id)
            self.db.conn.executemany(
                "INSERT INTO tags (run_id, key, value, value_num) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, value_num = excluded.value_num",
                [(run_id, *row) for row in rows],
            )

    def _require_run(self, run_id: str) -> None:
        if not self.db.conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
            raise NotFound(f"no run with id {run_id!r}", field="run_id")

    # -- metrics -----------------------------------------------------------------------------------------------

    def log_metrics(self, run_id: str, points: Iterable[tuple[str, Any, Any, Any]]) -> int:
        """Append (key, value, step or None, timestamp or None) points in one transaction; returns how many."""
        now = time.time()
        checked = [validate_point(key, value, step, timestamp, now) for key, value, step, timestamp in points]
        self.write_metrics({run_id: checked})
        return len(checked)

    def write_metrics(self, batch: Mapping[str, Sequence[metrics.Point]]) -> None:
        """Append points of several runs, already checked by `validate_point`, in one transaction.

        The SDK checks each point where it is logged, so that a bad value raises at the caller's line; this is
        then the one write primitive its background writer needs.
        """
        with self._lock, self._write():
            for run_id, points in batch.items():
                if not points:
                    continue
                try:
                    series = metrics.write_points(self.db, run_id, points)
                except sqlite3.IntegrityError:
                    raise NotFound(f"no run with id {run_id!r}", field="run_id") from None
                events.emit(self.db.conn, events.METRICS, run_id, {"series": series})

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the workspace, never for this store's
        own writes: a cheap way to wait for another process's change without watching files."""
        with self._lock:
            return self.db.conn.execute("PRAGMA data_version").fetchone()[0]

    def metric_history(self, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
        if max_points is not None and (isinstance(max_points, bool) or not isinstance(max_points, int)
                                       or max_points < 1):
            raise InvalidInput(f"max_points must be a positive integer, got {max_points!r}", field="max_points")
        with self._lock:
            self._require_run(run_id)
            return metrics.history(self.db, run_id, key, max_points)

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
        if experiments is not None:
            names = [experiments] if isinstance(experiments, str) else list(experiments)
            known = {e.name: e.id for e in self.list_experiments()}
            missing = [n for n in names if n not in known]
            if missing:
                raise NotFound(f"no experiment named {missing[0]!r}", field="experiment")
            scope = f"AND r.experiment_id IN ({','.join('?' * len(names))})"
            scope_params = [known[n] for n in names]
        runs = self._load_runs(
            f"{joins} WHERE ({where}) {scope} ORDER BY {orders} LIMIT ? OFFSET ?",
            [*order_params, *params, *scope_params, max_results + 1, offset],
        )
        more = len(runs) > max_results
        return RunPage(runs=runs[:max_results], next_page_token=str(offset + max_results) if more else None)

    def _load_runs(self, tail: str, params: list[Any]) -> list[RunInfo]:
        with self._lock:
            rows = self.db.conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id {tail}", params
            ).fetchall()
            ids = [row[0] for row in rows]
            run_params = self._key_values_of("params", ids)
            run_tags = self._key_values_of("tags", ids)
            summaries: dict[str, dict] = {}
            for start in range(0, len(ids), _IN_CHUNK):
                summaries.update(metrics.summaries(self.db, ids[start:start + _IN_CHUNK]))
        return [
            RunInfo(*row[:5], RunStatus(row[5]), *row[6:], params=run_params[row[0]], tags=run_tags[row[0]],
                    metrics=summaries[row[0]])
            for row in rows
        ]

    def _key_values_of(self, table: str, ids: list[str]) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {run_id: {} for run_id in ids}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start:start + _IN_CHUNK]
            for run_id, key, value in self.db.conn.execute(
                f"SELECT run_id, key, value FROM {table} WHERE run_id IN ({','.join('?' * len(chunk))}) ORDER BY key",
                chunk,
            ):
                result[run_id][key] = value
        return result

    # -- change feed -------------------------------------------------------------------------------------------

    def events_since(self, cursor: int, limit: int = 1000) -> list[Event]:
        """Changes committed after event `cursor`, oldest first (see store/events.py)."""
        with self._lock:
            return events.read_since(self.db.conn, cursor, limit)

    def latest_event(self) -> int:
        with self._lock:
            return events.latest_seq(self.db.conn)

    def oldest_event(self) -> int | None:
        """The oldest event still kept (older ones were pruned), or None if there are none."""
        with self._lock:
            return events.oldest_seq(self.db.conn)

    def prune_events(self, keep: int) -> int:
        with self._lock, self._write():
            return events.prune(self.db.conn, keep)

    # -- artifacts ---------------------------------------------------------------------------------------------

    def log_artifact(self, run_id: str, local_path: str | Path, name: str | None = None) -> list[Artifact]:
        """Copy a file or a folder into the run's artifacts; `name` is its path there (default: its own name)."""
        files = artifact_files.files_to_copy(Path(local_path), name)
        with self._lock:
            self._require_run(run_id)
        written = [(relative, *artifact_files.write_file(self._run_root(run_id), relative,
                                                         artifact_files.read_chunks(source)))
                   for source, relative in files]
        return self._record_artifacts(run_id, written)

    def write_artifact(self, run_id: str, name: str, data: bytes) -> Artifact:
        relative = check_relative_path(name, "name")
        with self._lock:
            self._require_run(run_id)
        size, digest = artifact_files.write_file(self._run_root(run_id), relative, iter([data]))
        return self._record_artifacts(run_id, [(relative, size, digest)])[0]

    def _record_artifacts(self, run_id: str, written: list[tuple[str, int, str]]) -> list[Artifact]:
        now = time.time()
        with self._lock, self._write():
            self.db.conn.executemany(
                "INSERT INTO artifacts (run_id, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256, "
                "created_at = excluded.created_at",
                [(run_id, path, size, digest, now) for path, size, digest in written],
            )
            events.emit(self.db.conn, events.ARTIFACTS, run_id, {"paths": [path for path, _, _ in written]})
        return [Artifact(run_id, path, size, digest, now) for path, size, digest in written]

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[Artifact]:
        """All artifacts of a run, or those at `path` and below it."""
        with self._lock:
            self._require_run(run_id)
            if path is None:
                rows = self.db.conn.execute("SELECT * FROM artifacts WHERE run_id = ? ORDER BY path",
                                            (run_id,)).fetchall()
            else:
                prefix = check_relative_path(path, "path")
                rows = self.db.conn.execute(
                    "SELECT * FROM artifacts WHERE run_id = ? AND (path = ? OR substr(path, 1, ?) = ?) ORDER BY path",
                    (run_id, prefix, len(prefix) + 1, prefix + "/"),
                ).fetchall()
        return [Artifact(*row) for row in rows]

    def artifact_file(self, run_id: str, path: str) -> Path:
        """The file behind one artifact, checked to lie inside the run's folder."""
        matches = [a for a in self.list_artifacts(run_id, path) if a.path == check_relative_path(path, "path")]
        if not matches:
            raise NotFound(f"run {run_id} has no artifact {path!r}", field="path")
        return artifact_files.contained_path(self._run_root(run_id), matches[0].path)

    def download_artifacts(self, run_id: str, path: str | None, destination: str | Path) -> list[Path]:
        """Copy one artifact or a folder of them under `destination`, keeping their relative paths."""
        found = self.list_artifacts(run_id, path)
        if not found:
            raise NotFound(f"run {run_id} has no artifact {path!r}" if path else f"run {run_id} has no artifacts",
                           field="path")
        root = self._run_root(run_id)
        pairs = [(artifact_files.contained_path(root, a.path), a.path) for a in found]
        artifact_files.copy_tree_out(pairs, Path(destination))
        return [Path(destination) / relative for _, relative in pairs]

    def _run_root(self, run_id: str) -> Path:
        return self.paths.run_artifacts(run_id)


_checked_metric_names: set[str] = set()


def validate_point(key: Any, value: Any, step: Any, timestamp: Any, now: float) -> metrics.Point:
    """A checked (key, float value, step or None, timestamp) point.

    It runs once per logged point, so the common case (a known name, a float, an int step) is kept to a few
    type checks; everything else goes through the full checks, which name the field at fault.
    """
    if key not in _checked_metric_names:
        check_name(key, "metric name")
        if len(_checked_metric_names) < 10_000:
            _checked_metric_names.add(key)
    if type(value) is not float:
        value = check_metric_value(value, f"metrics.{key}")
    if step is not None and (type(step) is not int or not -INT64_MAX <= step <= INT64_MAX):
        step = check_step(step, f"metrics.{key} step")
    if timestamp is None:
        timestamp = now
    elif type(timestamp) is not float or not math.isfinite(timestamp):
        timestamp = check_timestamp(timestamp, f"metrics.{key} timestamp")
    return key, value, step, timestamp


def _key_values(values: Mapping[str, Any], family: str) -> list[tuple[str, str, float | None]]:
    if not isinstance(values, Mapping):
        raise InvalidInput(f"{family} must be a mapping of names to values", field=family)
    rows = []
    for key, value in values.items():
        check_name(key, f"{family} key")
        text = check_value(value, f"{family}.{key}")
        rows.append((key, text, numeric_value(text)))
    return rows


def _page_offset(page_token: str | None) -> int:
    if page_token is None:
        return 0
    if not isinstance(page_token, str) or not page_token.isdigit():
        raise InvalidInput(f"page_token {page_token!r} is not one this store handed out", field="page_token")
    return int(page_token)
