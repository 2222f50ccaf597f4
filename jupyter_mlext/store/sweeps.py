"""Sweeps as stored in the workspace: the sweep (its checked definition, state and driver lease) and its trials.

Whoever holds a sweep's lease (the caller of `sweep.wait()`, or a daemon once that lease has lapsed) reads the
sweep from here, advances it and writes it back (sweeps/driver.py). Trial transitions are conditional updates
(`expected` states), so two drivers that raced would not both act on one trial; the lease keeps them from racing
in the first place. A cancel is a request written here (Running → Canceling) that whoever drives next carries
out, so it works from any process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping
from typing import Any

from ..entities import Conflict, NotFound, RunInfo, RunStatus, Sweep, SweepState, Trial, TrialState
from .database import Database
from .tracking import SqliteTracking

_LIVE = f"state IN ('{SweepState.RUNNING.value}', '{SweepState.CANCELING.value}')"
_SWEEP_COLUMNS = "run_id, experiment, state, definition, max_trials, error, created_at, opened_at, ended_at"
_TRIAL_COLUMNS = "sweep_id, number, attempt, run_id, params, state, value, error, evaluated, created_at, ended_at"
_TRIAL_FIELDS = frozenset({"attempt", "run_id", "state", "value", "error", "evaluated", "ended_at"})


class SweepRepository:
    """Sweeps of one workspace. Thread safe; returns immutable entities."""

    def __init__(self, db: Database, tracking: SqliteTracking) -> None:
        self._db = db
        self._tracking = tracking

    def create(
        self,
        experiment: str,
        definition: Mapping[str, Any],
        snapshot_id: str | None,
        *,
        name: str | None = None,
        user: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> Sweep:
        """The sweep's parent run (Running) and its record, in one transaction: a refusal leaves neither."""
        now = time.time()
        with self._db.write() as conn:
            parent = self._tracking.create_run(
                experiment,
                name=name,
                user=user,
                source_type="sweep",
                source_name=str(definition.get("script") or definition.get("function") or "sweep"),
                snapshot_id=snapshot_id,
                params=params,
                tags=tags,
                status=RunStatus.RUNNING,
            )
            conn.execute(
                "INSERT INTO sweeps (run_id, experiment, definition, snapshot_id, max_trials, state, created_at, "
                "opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    parent.id,
                    experiment,
                    json.dumps(definition, sort_keys=True),
                    snapshot_id,
                    int(definition["max_trials"]),
                    SweepState.RUNNING.value,
                    now,
                    now,
                ),
            )
        return self.get(parent.id)

    def get(self, sweep_id: str) -> Sweep:
        found = self._sweeps("WHERE run_id = ?", [sweep_id])
        if not found:
            raise NotFound(f"no sweep with id {sweep_id!r}", field="sweep_id")
        return found[0]

    def resolve_id(self, id_or_prefix: str) -> str:
        """A sweep id from its full id or a unique prefix of at least 4 characters (the CLI shows short ids)."""
        run_id = self._tracking.resolve_run_id(id_or_prefix)
        self.get(run_id)
        return run_id

    def snapshot_of(self, sweep_id: str) -> str | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT snapshot_id FROM sweeps WHERE run_id = ?", (sweep_id,)).fetchone()
        if row is None:
            raise NotFound(f"no sweep with id {sweep_id!r}", field="sweep_id")
        return row[0]  # type: ignore[no-any-return]

    def list_sweeps(self, experiment: str | None = None, limit: int = 100) -> list[Sweep]:
        """Newest first."""
        if experiment is None:
            return self._sweeps("ORDER BY created_at DESC LIMIT ?", [limit])
        return self._sweeps("WHERE experiment = ? ORDER BY created_at DESC LIMIT ?", [experiment, limit])

    def _sweeps(self, tail: str, params: list[Any]) -> list[Sweep]:
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT {_SWEEP_COLUMNS} FROM sweeps {tail}", params).fetchall()
            sweeps = []
            for run_id, experiment, state, definition, max_trials, error, created, opened, ended in rows:
                spec = json.loads(definition)
                counts = dict(
                    conn.execute(
                        "SELECT state, count(*) FROM sweep_trials WHERE sweep_id = ? GROUP BY state", (run_id,)
                    ).fetchall()
                )
                order = "DESC" if spec.get("goal") == "maximize" else "ASC"
                best = conn.execute(
                    "SELECT number, value FROM sweep_trials WHERE sweep_id = ? AND state = ? AND value IS NOT NULL "
                    f"ORDER BY value {order}, number LIMIT 1",
                    (run_id, TrialState.COMPLETED.value),
                ).fetchone()
                sweeps.append(
                    Sweep(
                        run_id,
                        experiment,
                        SweepState(state),
                        spec,
                        max_trials,
                        error,
                        created,
                        opened,
                        ended,
                        counts,
                        best[0] if best else None,
                        best[1] if best else None,
                    )
                )
        return sweeps

    # -- trials --------------------------------------------------------------------------------------------------

    def trials(self, sweep_id: str) -> list[Trial]:
        """Every trial of the sweep, by number."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_TRIAL_COLUMNS} FROM sweep_trials WHERE sweep_id = ? ORDER BY number", (sweep_id,)
            ).fetchall()
        return [_trial(row) for row in rows]

    def add_trial(self, sweep_id: str, number: int, params: Mapping[str, Any]) -> Trial:
        """Record a sampled trial (Pending) before its run exists: a driver that dies between the two finds the
        trial, with its values, and makes its run rather than sampling again. Conflict if `number` is taken."""
        now = time.time()
        with self._db.write() as conn:
            taken = conn.execute(
                "SELECT 1 FROM sweep_trials WHERE sweep_id = ? AND number = ?", (sweep_id, number)
            ).fetchone()
            if taken:
                raise Conflict(f"sweep {sweep_id} already has a trial {number}", field="number")
            conn.execute(
                f"INSERT INTO sweep_trials ({_TRIAL_COLUMNS}) VALUES (?, ?, 1, NULL, ?, ?, NULL, NULL, 0, ?, NULL)",
                (sweep_id, number, json.dumps(dict(params), sort_keys=True), TrialState.PENDING.value, now),
            )
        return self.trial(sweep_id, number)

    def trial(self, sweep_id: str, number: int) -> Trial:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {_TRIAL_COLUMNS} FROM sweep_trials WHERE sweep_id = ? AND number = ?", (sweep_id, number)
            ).fetchone()
        if row is None:
            raise NotFound(f"sweep {sweep_id} has no trial {number}", field="number")
        return _trial(row)

    def update_trial(self, sweep_id: str, number: int, expected: Collection[TrialState], **fields: Any) -> bool:
        """Change a trial only if it is in one of the `expected` states; whether it changed."""
        unknown = set(fields) - _TRIAL_FIELDS
        if unknown:
            raise ValueError(f"unknown trial fields {sorted(unknown)}")
        values = [v.value if isinstance(v, TrialState) else v for v in fields.values()]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        marks = ", ".join("?" for _ in expected)
        with self._db.write() as conn:
            cursor = conn.execute(
                f"UPDATE sweep_trials SET {assignments} WHERE sweep_id = ? AND number = ? AND state IN ({marks})",
                [*values, sweep_id, number, *(state.value for state in expected)],
            )
            return cursor.rowcount == 1

    # -- the sweep's life ----------------------------------------------------------------------------------------

    def finish(self, sweep_id: str, state: SweepState, error: str | None = None) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE sweeps SET state = ?, error = ?, ended_at = ?, lease_owner = NULL, lease_until = NULL "
                f"WHERE run_id = ? AND {_LIVE}",
                (state.value, error, time.time(), sweep_id),
            )

    def request_cancel(self, sweep_id: str) -> bool:
        """Running → Canceling; False when the sweep has already ended or is being canceled."""
        self.get(sweep_id)
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE sweeps SET state = ? WHERE run_id = ? AND state = ?",
                (SweepState.CANCELING.value, sweep_id, SweepState.RUNNING.value),
            )
            return cursor.rowcount == 1

    def reopen(self, sweep_id: str, max_trials: int) -> Sweep:
        """Let the sweep go on up to `max_trials` trials: an ended sweep becomes Running again."""
        with self._db.write() as conn:
            conn.execute(
                "UPDATE sweeps SET max_trials = ?, opened_at = ?, state = CASE WHEN state = ? THEN state ELSE ? END, "
                "error = CASE WHEN state = ? THEN error ELSE NULL END, "
                "ended_at = CASE WHEN state = ? THEN ended_at ELSE NULL END WHERE run_id = ?",
                (
                    max_trials,
                    time.time(),
                    SweepState.CANCELING.value,
                    SweepState.RUNNING.value,
                    SweepState.CANCELING.value,
                    SweepState.CANCELING.value,
                    sweep_id,
                ),
            )
        return self.get(sweep_id)

    # -- leases --------------------------------------------------------------------------------------------------

    def acquire_lease(self, sweep_id: str, owner: str, ttl_s: float, replace: str | None = None) -> bool:
        """Take or renew the lease of a live sweep: free, ours, lapsed, or held by `replace` (a holder the caller
        knows to be dead)."""
        now = time.time()
        with self._db.write() as conn:
            cursor = conn.execute(
                f"UPDATE sweeps SET lease_owner = ?, lease_until = ? WHERE run_id = ? AND {_LIVE} "
                "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ? OR lease_owner = ?)",
                (owner, now + ttl_s, sweep_id, owner, now, replace),
            )
            return cursor.rowcount == 1

    def lease_holder(self, sweep_id: str) -> str | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT lease_owner FROM sweeps WHERE run_id = ? AND lease_until >= ?", (sweep_id, time.time())
            ).fetchone()
        return None if row is None else row[0]

    def release_lease(self, sweep_id: str, owner: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE sweeps SET lease_owner = NULL, lease_until = NULL WHERE run_id = ? AND lease_owner = ?",
                (sweep_id, owner),
            )

    def live(self) -> list[str]:
        """Live sweeps, oldest first (a driver tries each; the lease decides who drives)."""
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT run_id FROM sweeps WHERE {_LIVE} ORDER BY created_at").fetchall()
        return [row[0] for row in rows]

    def run_of(self, sweep_id: str) -> RunInfo:
        return self._tracking.get_run(sweep_id)


def _trial(row: tuple[Any, ...]) -> Trial:
    sweep_id, number, attempt, run_id, params, state, value, error, evaluated, created, ended = row
    values = json.loads(params)
    return Trial(sweep_id, number, attempt, run_id, values, TrialState(state), value, error, evaluated, created, ended)
