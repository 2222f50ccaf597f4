"""Published pipelines: publish (versioned definition + code snapshot), trigger a version, schedule it, cancel a
pipeline run, and describe one as the DAG the Pipelines panel draws. The SDK, the CLI and the REST handlers call
these.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compute.snapshot import create_snapshot, extract_snapshot
from ..entities import Conflict, InvalidInput, PipelineRun, PipelineState, PublishedPipeline, Schedule, StepState
from ..store import Workspace
from .definition import Pipeline
from .runner import settle, start_pipeline_run
from .schedules import check_cron, next_tick

# How long a cancel waits for the process driving the run (which notices within a poll) to carry it out.
CANCEL_WAIT_S = 10.0


def publish_pipeline(workspace: Workspace, pipeline: Pipeline, user: str | None = None) -> PublishedPipeline:
    """Snapshot the pipeline's folder and store its definition as the next version (the latest version again if
    neither changed)."""
    pipeline.validate()
    snapshot_id = create_snapshot(workspace, pipeline.source_dir)
    return workspace.pipelines.publish(pipeline.name, pipeline.to_dict(), snapshot_id, user)


def published_pipeline(workspace: Workspace, name: str, version: int | None = None) -> tuple[Pipeline, int]:
    """A published version (default the latest) as a Pipeline whose folder is its unpacked snapshot."""
    published = workspace.pipelines.get_published(name, version)
    return Pipeline.from_dict(published.definition, _unpacked(workspace, published.snapshot_id)), published.version


def _unpacked(workspace: Workspace, snapshot_id: str | None) -> Path:
    """Snapshots are content-addressed, so each is unpacked once (into a temporary folder, then renamed)."""
    target = workspace.paths.root / "pipelines" / str(snapshot_id)
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
        extract_snapshot(workspace.snapshots.read(str(snapshot_id)), staging)
        try:
            os.rename(staging, target)
        except OSError:  # another process unpacked it first
            shutil.rmtree(staging, ignore_errors=True)
    return target


def trigger_pipeline(
    workspace: Workspace,
    name: str,
    params: Mapping[str, Any] | None = None,
    version: int | None = None,
    *,
    trigger: str = "rest",
    user: str | None = None,
    tags: Mapping[str, Any] | None = None,
) -> PipelineRun:
    """Create a run of a published pipeline; the dispatcher drives it."""
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        raise InvalidInput(f"version must be a positive integer, got {version!r}", field="version")
    pipeline, version = published_pipeline(workspace, name, version)
    return start_pipeline_run(workspace, pipeline, params, version=version, trigger=trigger, user=user, tags=tags)


def cancel_pipeline_run(
    workspace: Workspace, run_id: str, user: str | None = None, *, wait_s: float = CANCEL_WAIT_S
) -> PipelineRun:
    """Cancel a running pipeline run, whoever drives it: the request is recorded in the store, then carried out
    here if nobody drives the run, else by its driver (the `run_pipeline(wait=True)` caller, a server's or
    agent's dispatcher), which this waits up to `wait_s` for. Asking again while that is under way is harmless;
    a run that has ended is refused (Conflict)."""
    run_id = workspace.tracking.resolve_run_id(run_id)
    pipelines = workspace.pipelines
    if not pipelines.request_cancel(run_id, f"canceled by {user}" if user else "canceled"):
        record = pipelines.get_run(run_id)
        if record.state is not PipelineState.CANCELING:
            raise Conflict(
                f"pipeline run {run_id} has already ended ({record.state}); there is nothing to cancel", field="run_id"
            )
    return settle(workspace, run_id, wait_s)


def schedule_pipeline(
    workspace: Workspace,
    name: str,
    cron: str,
    params: Mapping[str, Any] | None = None,
    version: int | None = None,
    enabled: bool = True,
    user: str | None = None,
) -> Schedule:
    """Create or replace the schedule of a published pipeline (its latest version at each firing, unless
    `version` pins one); it fires first at the next cron time."""
    check_cron(cron)
    pipeline, _ = published_pipeline(workspace, name, version)
    values = dict(params or {})
    pipeline.run_params(values)
    return workspace.pipelines.save_schedule(name, cron, values, version, enabled, user)


def describe_schedule(schedule: Schedule) -> dict[str, Any]:
    return {**schedule.to_dict(), "next_fire": next_tick(schedule.cron, schedule.last_fired)}


def summarise_run(record: PipelineRun) -> dict[str, Any]:
    return {key: value for key, value in record.to_dict().items() if key not in ("definition", "steps")}


def describe_run(workspace: Workspace, run_id: str) -> dict[str, Any]:
    """A pipeline run as a DAG: each step with its state, child run (and its status), inputs and dependencies."""
    record = workspace.pipelines.get_run(workspace.tracking.resolve_run_id(run_id))
    pipeline = Pipeline.from_dict(record.definition, record.source_dir)
    names = {step.name for step in pipeline.steps}
    children = {run.id: run for run in workspace.tracking.children(record.run_id)} if record.steps else {}
    steps = []
    for state in record.steps:
        step = pipeline.step(state.step)
        child = children.get(state.child_run_id) if state.child_run_id else None
        steps.append(
            {
                "name": step.name,
                "kind": step.kind,
                "state": state.state,
                "status": child.status.value if child else None,
                "run_id": state.child_run_id,
                "reused_from": state.produced_by if state.state is StepState.REUSED else None,
                "depends_on": sorted({producer for producer, _ in step.upstream(names).values()}),
                "inputs": dict(step.inputs),
                "outputs": list(step.outputs),
                "compute": step.compute,
                "error": state.error,
            }
        )
    parent = workspace.tracking.get_run(record.run_id)
    return {**summarise_run(record), "status": parent.status.value, "steps": steps}
