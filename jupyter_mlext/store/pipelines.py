"""Pipelines as stored in the workspace: published versions, pipeline runs with their step states, schedules.

The state of a pipeline run is here, not in the process that drives it: whoever holds the run's lease (the
caller of `run_pipeline`, or the server's dispatcher once that lease has lapsed) reads it, advances it and writes
it back. Step transitions are conditional updates (`expected` states), so two drivers that raced would not both
act on one step; the lease keeps them from racing in the first place. A cancel is a request written here
(Running → Canceling) that whoever drives next carries out, so it works from any process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..entities import (
    NotFound,
    PipelineRun,
    PipelineState,
    PipelineStep,
    PipelineSummary,
    PublishedPipeline,
    Schedule,
    StepState,
)
from .database import Database

_LIVE = f"state IN ('{PipelineState.RUNNING.value}', '{PipelineState.CANCELING.value}')"
_RUN_COLUMNS = (
    "run_id, pipeline, version, definition, source_dir, params, force, trigger, state, error, created_at, ended_at"
)
_STEP_COLUMNS = "step, position, state, child_run_id, reuse_key, produced_by, error, updated_at"
_SCHEDULE_COLUMNS = "pipeline, cron, params, version, enabled, last_fired, user, created_at"


class PipelineRepository:
    """Pipelines of one workspace."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- published pipelines -------------------------------------------------------------------------------------

    def publish(
        self, name: str, definition: Mapping[str, Any], snapshot_id: str | None, user: str | None = None
    ) -> PublishedPipeline:
        """The next version, or the latest one again when neither the definition nor the code changed."""
        text = json.dumps(definition, sort_keys=True)
        with self._db.write() as conn:
            latest = conn.execute(
                "SELECT version, definition, snapshot_id FROM pipelines WHERE name = ? ORDER BY version DESC LIMIT 1",
                (name,),
            ).fetchone()
            if latest is not None and latest[1] == text and latest[2] == snapshot_id:
                version = latest[0]
            else:
                version = (latest[0] if latest else 0) + 1
                conn.execute(
                    "INSERT INTO pipelines (name, version, definition, snapshot_id, user, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, version, text, snapshot_id, user, time.time()),
                )
        return self.get_published(name, version)

    def get_published(self, name: str, version: int | None = None) -> PublishedPipeline:
        found = self._published(
            "WHERE name = ?" + ("" if version is None else " AND version = ?") + " ORDER BY version DESC LIMIT 1",
            [name] if version is None else [name, version],
        )
        if not found:
            what = f"pipeline {name!r}" + ("" if version is None else f" version {version}")
            raise NotFound(f"no published {what}", field="version" if version is not None else "name")
        return found[0]

    def versions(self, name: str) -> list[PublishedPipeline]:
        found = self._published("WHERE name = ? ORDER BY version", [name])
        if not found:
            raise NotFound(f"no published pipeline {name!r}", field="name")
        return found

    def _published(self, tail: str, params: list[Any]) -> list[PublishedPipeline]:
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT name, version, definition, snapshot_id, user, created_at FROM pipelines {tail}", params
            ).fetchall()
        return [
            PublishedPipeline(name, version, json.loads(definition), snapshot, user, created)
            for name, version, definition, snapshot, user, created in rows
        ]

    def list_pipelines(self) -> list[PipelineSummary]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT name, max(version), count(*), max(created_at) FROM pipelines GROUP BY name ORDER BY name"
            ).fetchall()
        schedules = {s.pipeline: s for s in self.list_schedules()}
        return [
            PipelineSummary(name, latest, count, updated, schedules.get(name)) for name, latest, count, updated in rows
        ]

    # -- pipeline runs -------------------------------------------------------------------------------------------

    def create_run(
        self,
        run_id: str,
        pipeline: str,
        version: int | None,
        definition: Mapping[str, Any],
        source_dir: str,
        params: Mapping[str, Any],
        force: bool,
        trigger: str,
        steps: Sequence[str],
    ) -> PipelineRun:
        now = time.time()
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO pipeline_runs ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL)",
                (
                    run_id,
                    pipeline,
                    version,
                    json.dumps(definition),
                    source_dir,
                    json.dumps(params),
                    int(force),
                    trigger,
                    PipelineState.RUNNING.value,
                    now,
                ),
            )
            conn.executemany(
                "INSERT INTO pipeline_steps (run_id, step, position, state, updated_at) VALUES (?, ?, ?, ?, ?)",
                [(run_id, step, position, StepState.PENDING.value, now) for position, step in enumerate(steps)],
            )
        return self.get_run(run_id)

    def get_run(self, run_id: str) -> PipelineRun:
        found = self._runs("WHERE run_id = ?", [run_id])
        if not found:
            raise NotFound(f"run {run_id} is not a pipeline run", field="run_id")
        return found[0]

    def list_runs(
        self, pipeline: str | None = None, state: PipelineState | None = None, limit: int = 100
    ) -> list[PipelineRun]:
        clauses, params = [], []
        if pipeline is not None:
            clauses.append("pipeline = ?")
            params.append(pipeline)
        if state is not None:
            clauses.append("state = ?")
            params.append(PipelineState(state).value)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._runs(f"{where} ORDER BY created_at DESC LIMIT ?", [*params, limit])

    def _runs(self, tail: str, params: list[Any]) -> list[PipelineRun]:
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT {_RUN_COLUMNS} FROM pipeline_runs {tail}", params).fetchall()
            steps: dict[str, list[PipelineStep]] = {row[0]: [] for row in rows}
            if steps:  # one query for the steps of all the runs (list_runs asks for at most a page of them)
                for run_id, *step in conn.execute(
                    f"SELECT run_id, {_STEP_COLUMNS} FROM pipeline_steps WHERE run_id IN "
                    f"({','.join('?' * len(steps))}) ORDER BY position",
                    list(steps),
                ):
                    steps[run_id].append(PipelineStep(step[0], step[1], StepState(step[2]), *step[3:]))
        return [
            PipelineRun(
                run_id,
                pipeline,
                version,
                json.loads(definition),
                source_dir,
                json.loads(values),
                bool(force),
                trigger,
                PipelineState(state),
                error,
                created,
                ended,
                steps[run_id],
            )
            for (
                run_id,
                pipeline,
                version,
                definition,
                source_dir,
                values,
                force,
                trigger,
                state,
                error,
                created,
                ended,
            ) in rows
        ]

    def acquire_lease(self, run_id: str, owner: str, ttl_s: float) -> bool:
        """Hold (or renew) the right to drive a live pipeline run for `ttl_s`; False while another holds it."""
        now = time.time()
        with self._db.write() as conn:
            return bool(
                conn.execute(
                    f"UPDATE pipeline_runs SET lease_owner = ?, lease_until = ? WHERE run_id = ? AND {_LIVE} "
                    "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)",
                    (owner, now + ttl_s, run_id, owner, now),
                ).rowcount
            )

    def release_lease(self, run_id: str, owner: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE pipeline_runs SET lease_owner = NULL, lease_until = NULL WHERE run_id = ? AND lease_owner = ?",
                (run_id, owner),
            )

    def unleased_running(self) -> list[str]:
        """Live pipeline runs that nobody drives now (never leased, released, or the holder died)."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT run_id FROM pipeline_runs WHERE {_LIVE} AND (lease_owner IS NULL OR lease_until < ?) "
                "ORDER BY created_at",
                (time.time(),),
            ).fetchall()
        return [row[0] for row in rows]

    def update_step(self, run_id: str, step: str, expected: Collection[StepState], **fields: Any) -> bool:
        """Set `fields` of a step that is in one of the `expected` states; False (nothing written) otherwise."""
        assignments = ", ".join(f"{name} = ?" for name in fields)
        values = [value.value if isinstance(value, StepState) else value for value in fields.values()]
        with self._db.write() as conn:
            return bool(
                conn.execute(
                    f"UPDATE pipeline_steps SET {assignments}, updated_at = ? WHERE run_id = ? AND step = ? "
                    f"AND state IN ({','.join('?' * len(expected))})",
                    [*values, time.time(), run_id, step, *(StepState(state).value for state in expected)],
                ).rowcount
            )

    def finish_run(self, run_id: str, state: PipelineState, error: str | None = None) -> None:
        with self._db.write() as conn:
            conn.execute(
                "UPDATE pipeline_runs SET state = ?, error = ?, ended_at = ?, lease_owner = NULL, lease_until = NULL "
                f"WHERE run_id = ? AND {_LIVE}",
                (PipelineState(state).value, error, time.time(), run_id),
            )

    def request_cancel(self, run_id: str, reason: str) -> bool:
        """Record a cancel for the run's driver (running → canceling, `reason` kept as the run's error); False,
        with nothing written, when the run is not running."""
        with self._db.write() as conn:
            return bool(
                conn.execute(
                    "UPDATE pipeline_runs SET state = ?, error = ? WHERE run_id = ? AND state = ?",
                    (PipelineState.CANCELING.value, reason, run_id, PipelineState.RUNNING.value),
                ).rowcount
            )

    def find_reusable(self, reuse_key: str) -> str | None:
        """The run whose outputs an earlier step with this key produced, if it still stands as Completed."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT s.produced_by FROM pipeline_steps s JOIN runs r ON r.id = s.produced_by "
                "WHERE s.reuse_key = ? AND s.state IN (?, ?) AND r.status = 'Completed' "
                "ORDER BY s.updated_at DESC LIMIT 1",
                (reuse_key, StepState.COMPLETED.value, StepState.REUSED.value),
            ).fetchone()
        return row[0] if row else None

    # -- schedules -----------------------------------------------------------------------------------------------

    def save_schedule(
        self,
        pipeline: str,
        cron: str,
        params: Mapping[str, Any],
        version: int | None,
        enabled: bool,
        user: str | None,
        last_fired: float | None = None,
    ) -> Schedule:
        """Create or replace the pipeline's schedule. `last_fired` None keeps the stored one (now for a new
        schedule, which therefore waits for its next tick rather than firing at once)."""
        now = time.time()
        with self._db.write() as conn:
            conn.execute(
                f"INSERT INTO pipeline_schedules ({_SCHEDULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (pipeline) DO UPDATE SET cron = excluded.cron, params = excluded.params, "
                "version = excluded.version, enabled = excluded.enabled, user = excluded.user, "
                "last_fired = CASE WHEN ? THEN excluded.last_fired ELSE last_fired END",
                (
                    pipeline,
                    cron,
                    json.dumps(params),
                    version,
                    int(enabled),
                    now if last_fired is None else last_fired,
                    user,
                    now,
                    last_fired is not None,
                ),
            )
        return self.get_schedule(pipeline)

    def get_schedule(self, pipeline: str) -> Schedule:
        found = self._schedules("WHERE pipeline = ?", [pipeline])
        if not found:
            raise NotFound(f"pipeline {pipeline!r} has no schedule", field="name")
        return found[0]

    def list_schedules(self, enabled_only: bool = False) -> list[Schedule]:
        return self._schedules("WHERE enabled = 1" if enabled_only else "", [])

    def _schedules(self, where: str, params: list[Any]) -> list[Schedule]:
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_SCHEDULE_COLUMNS} FROM pipeline_schedules {where} ORDER BY pipeline", params
            ).fetchall()
        return [
            Schedule(pipeline, cron, json.loads(values), version, bool(enabled), last, user, created)
            for pipeline, cron, values, version, enabled, last, user, created in rows
        ]

    def claim_fire(self, pipeline: str, previous: float, fired: float) -> bool:
        """Move `last_fired` from `previous` to `fired`: only the first of racing dispatchers gets True."""
        with self._db.write() as conn:
            return bool(
                conn.execute(
                    "UPDATE pipeline_schedules SET last_fired = ? "
                    "WHERE pipeline = ? AND last_fired = ? AND enabled = 1",
                    (fired, pipeline, previous),
                ).rowcount
            )
