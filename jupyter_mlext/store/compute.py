"""Compute targets and the jobs of submitted runs, as stored in the workspace.

A job row exists for every submitted run and is created in the same transaction as its run, so a refused
submission leaves nothing behind. Claiming a job is one conditional UPDATE: whoever sets `attempt` first runs it,
and every other claimant (a second dispatcher, a retried Dask task) is told no — the guarantee that a run never
executes twice.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from typing import Any

from ..entities import ComputeTarget, Conflict, InvalidInput, Job, JobSpec, NotFound, RunStatus, TargetKind
from .database import Database
from .liveness import ProcessOwner, record_owner
from .tracking import SqliteTracking
from .validation import check_name, check_relative_path

ACTIVE_STATUSES = (RunStatus.PREPARING.value, RunStatus.RUNNING.value, RunStatus.FINALIZING.value)
MAX_CONCURRENCY = 256
# Targets every workspace is created with (migration m003) and every surface defaults to (`--compute local`):
# deleting one, or redefining its kind, would make every default submission fail.
BUILTIN_TARGETS = {"local": TargetKind.LOCAL}
# The tag a queued run carries while no dispatcher can start it, saying why (compute/waiting.py writes it).
WAITING_TAG = "mlext.waiting"
_DASK_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s/]+$")
_JOB_COLUMNS = (
    "run_id, target, entry, args, timeout_s, queued_at, attempt, host, pid, pid_started_at, exit_code, cancel_requested"
)


class ComputeRepository:
    """Targets and jobs of one workspace."""

    def __init__(self, db: Database, tracking: SqliteTracking) -> None:
        self._db = db
        self._tracking = tracking

    # -- targets -----------------------------------------------------------------------------------------------

    def list_targets(self) -> list[ComputeTarget]:
        return self._targets("", [])

    def get_target(self, name: str) -> ComputeTarget:
        found = self._targets("WHERE t.name = ?", [name])
        if not found:
            known = ", ".join(t.name for t in self.list_targets())
            raise NotFound(
                f"no compute target named {name!r} (the targets are {known}; add one with `mlext compute create`)",
                field="compute",
            )
        return found[0]

    def _targets(self, where: str, params: list[Any]) -> list[ComputeTarget]:
        placeholders = ",".join("?" * len(ACTIVE_STATUSES))
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT t.name, t.kind, t.address, t.concurrency, t.created_at, "
                f"(SELECT count(*) FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.target = t.name "
                f" AND r.status IN ({placeholders})), "
                "(SELECT count(*) FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.target = t.name "
                " AND r.status = 'Queued') "
                f"FROM compute_targets t {where} ORDER BY t.name",
                [*ACTIVE_STATUSES, *params],
            ).fetchall()
        return [
            ComputeTarget(name, TargetKind(kind), address, concurrency, created, busy, queued)
            for name, kind, address, concurrency, created, busy, queued in rows
        ]

    def create_target(self, name: str, kind: str, address: str | None = None, concurrency: int = 1) -> ComputeTarget:
        kind = self._check_target(name, kind, address, concurrency)
        with self._db.write() as conn:
            try:
                conn.execute(
                    "INSERT INTO compute_targets (name, kind, address, concurrency, created_at) VALUES (?, ?, ?, ?, ?)",
                    (name, kind.value, address, concurrency, time.time()),
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"a compute target named {name!r} exists already", field="name") from None
        return self.get_target(name)

    @staticmethod
    def _check_target(name: str, kind: str, address: str | None, concurrency: int) -> TargetKind:
        check_name(name, "name")
        try:
            kind = TargetKind(kind)
        except ValueError:
            raise InvalidInput(
                f"kind must be one of {[k.value for k in TargetKind]}, got {kind!r}", field="kind"
            ) from None
        builtin = BUILTIN_TARGETS.get(name)
        if builtin is not None and kind is not builtin:
            raise Conflict(
                f"compute target {name!r} is built in and stays of kind {builtin.value!r}; "
                f"give the {kind.value} target another name",
                field="kind",
            )
        if kind is TargetKind.DASK and not (isinstance(address, str) and _DASK_ADDRESS.match(address)):
            raise InvalidInput(
                f"a dask target needs a scheduler address like tcp://127.0.0.1:8786, got {address!r}", field="address"
            )
        if kind is TargetKind.LOCAL and address:
            raise InvalidInput("a local target takes no address", field="address")
        _check_concurrency(concurrency)
        return kind

    def declare_target(self, name: str, kind: str, address: str | None = None, concurrency: int = 1) -> ComputeTarget:
        """Create the target, or bring an existing one to this kind, address and concurrency: targets named in
        the server's configuration are declared there, so the configuration wins over earlier edits."""
        with self._db.read() as conn:
            exists = conn.execute("SELECT 1 FROM compute_targets WHERE name = ?", (name,)).fetchone()
        if exists is None:
            return self.create_target(name, kind, address, concurrency)
        checked = self._check_target(name, kind, address, concurrency)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE compute_targets SET kind = ?, address = ?, concurrency = ? WHERE name = ?",
                (checked.value, address, concurrency, name),
            )
        return self.get_target(name)

    def set_concurrency(self, name: str, concurrency: int) -> ComputeTarget:
        _check_concurrency(concurrency)
        with self._db.write() as conn:
            if not conn.execute(
                "UPDATE compute_targets SET concurrency = ? WHERE name = ?", (concurrency, name)
            ).rowcount:
                raise NotFound(f"no compute target named {name!r}", field="compute")
        return self.get_target(name)

    def delete_target(self, name: str) -> None:
        """Refused for a built-in target, and while the target has queued or active runs, which would otherwise
        never finish."""
        target = self.get_target(name)
        if name in BUILTIN_TARGETS:
            raise Conflict(
                f"compute target {name!r} is built in (the default of every submission) and cannot be deleted; "
                "change its concurrency instead",
                field="name",
            )
        if target.busy or target.queued:
            raise Conflict(
                f"compute target {name!r} has {target.busy} active and {target.queued} queued runs", field="name"
            )
        with self._db.write() as conn:
            conn.execute("DELETE FROM compute_targets WHERE name = ?", (name,))

    def note_waiting(self, target: str, reason: str) -> int:
        """Tag the queued runs of `target` with why nothing starts them (tag WAITING_TAG; claim removes it);
        returns how many runs got the note (a read when every one already has it)."""
        with self._db.read() as conn:
            runs = [
                row[0]
                for row in conn.execute(
                    "SELECT j.run_id FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.target = ? AND "
                    "r.status = 'Queued' AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.run_id = j.run_id AND "
                    "t.key = ? AND t.value = ?)",
                    (target, WAITING_TAG, reason),
                )
            ]
        for run_id in runs:
            self._tracking.set_tags(run_id, {WAITING_TAG: reason})
        return len(runs)

    # -- jobs --------------------------------------------------------------------------------------------------

    def check_spec(self, spec: JobSpec) -> JobSpec:
        """The spec with its entry normalised, or InvalidInput naming the field; the target must exist."""
        if not isinstance(spec.args, list) or not all(isinstance(a, str) for a in spec.args):
            raise InvalidInput("args must be a list of strings", field="args")
        if spec.timeout_s is not None and (
            isinstance(spec.timeout_s, bool)
            or not isinstance(spec.timeout_s, (int, float))
            or not 0 < spec.timeout_s <= 30 * 86400
        ):
            raise InvalidInput(
                f"timeout_s must be a positive number of seconds, got {spec.timeout_s!r}", field="timeout_s"
            )
        try:
            self.get_target(spec.target)
        except NotFound as unknown:
            message = unknown.message.replace("no compute target named", "unknown compute target")
            raise InvalidInput(message, field="compute") from None
        return JobSpec(
            spec.target,
            check_relative_path(spec.entry, "entry"),
            list(spec.args),
            None if spec.timeout_s is None else float(spec.timeout_s),
        )

    def get_job(self, run_id: str) -> Job:
        jobs = self._jobs("WHERE run_id = ?", [run_id])
        if not jobs:
            raise NotFound(f"run {run_id} was not submitted to a compute target", field="run_id")
        return jobs[0]

    def jobs_in(self, statuses: tuple[str, ...], target: str | None = None) -> list[Job]:
        """Jobs whose run has one of `statuses`, oldest first."""
        where = f"WHERE run_id IN (SELECT id FROM runs WHERE status IN ({','.join('?' * len(statuses))}))"
        params: list[Any] = list(statuses)
        if target is not None:
            where += " AND target = ?"
            params.append(target)
        return self._jobs(where + " ORDER BY queued_at", params)

    def _jobs(self, where: str, params: list[Any]) -> list[Job]:
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs {where}", params).fetchall()
        return [
            Job(
                run_id,
                target,
                entry,
                json.loads(args),
                timeout,
                queued,
                attempt,
                host,
                pid,
                started,
                code,
                bool(cancel),
            )
            for run_id, target, entry, args, timeout, queued, attempt, host, pid, started, code, cancel in rows
        ]

    def claim(self, run_id: str, attempt: str) -> bool:
        """Take a queued job for one execution attempt: True for the first claimant, False for any other."""
        with self._db.write() as conn:
            claimed = conn.execute(
                "UPDATE jobs SET attempt = ? WHERE run_id = ? AND attempt IS NULL AND cancel_requested = 0 "
                "AND (SELECT status FROM runs WHERE id = ?) = 'Queued'",
                (attempt, run_id, run_id),
            ).rowcount
            if claimed:
                conn.execute("DELETE FROM tags WHERE run_id = ? AND key = ?", (run_id, WAITING_TAG))
                self._tracking.set_status(run_id, RunStatus.PREPARING)
        return bool(claimed)

    def record_process(self, run_id: str, attempt: str, host: str, pid: int, pid_started_at: float) -> None:
        """Record the runner process of the attempt, once: a second execution of the same attempt (a Dask task
        retried after its worker died) is refused with Conflict and must not run the script."""
        with self._db.write() as conn:
            self._update_job(
                run_id, attempt, "host = ?, pid = ?, pid_started_at = ?", [host, pid, pid_started_at], "AND pid IS NULL"
            )
            # The runner owns the run from now on (liveness.py); it does not beat, so another host leaves it to
            # the dispatcher, which watches the runner through its backend.
            record_owner(conn, run_id, ProcessOwner(host, pid, pid_started_at), beat_at=None)

    def record_exit(self, run_id: str, attempt: str, exit_code: int | None) -> None:
        self._update_job(run_id, attempt, "exit_code = ?", [exit_code])

    def _update_job(self, run_id: str, attempt: str, assignments: str, values: list[Any], condition: str = "") -> None:
        with self._db.write() as conn:
            if not conn.execute(
                f"UPDATE jobs SET {assignments} WHERE run_id = ? AND attempt = ? {condition}",
                [*values, run_id, attempt],
            ).rowcount:
                raise Conflict(
                    f"run {run_id} is not held by attempt {attempt!r} (or it started already)", field="attempt"
                )

    def request_cancel(self, run_id: str) -> Job:
        """Mark the job canceled; a queued run becomes Canceled at once, a started one is stopped by its runner."""
        self.get_job(run_id)
        with self._db.write() as conn:
            conn.execute("UPDATE jobs SET cancel_requested = 1 WHERE run_id = ?", (run_id,))
            if self._tracking.get_run(run_id).status is RunStatus.QUEUED:  # not claimed: it never starts
                self._tracking.set_status(run_id, RunStatus.CANCELED, error="canceled before it started")
        return self.get_job(run_id)


def _check_concurrency(concurrency: Any) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInput(
            f"concurrency must be an integer from 1 to {MAX_CONCURRENCY}, got {concurrency!r}", field="concurrency"
        )
