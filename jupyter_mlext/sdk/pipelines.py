"""Pipelines from Python: define, run (reusing unchanged steps), publish, schedule.

pipeline = mlx.Pipeline("diabetes", params={"alpha": 0.1}, steps=[
    mlx.Step("prep", script="prep.py", outputs=["data"]),
    mlx.Step("train", script="train.py", inputs={"data": "prep.data"}, params={"alpha": "${alpha}"}),
])
result = mlx.run_pipeline(pipeline, params={"alpha": 0.5})    # waits; local steps start from here
mlx.publish_pipeline(pipeline)
mlx.schedule_pipeline("diabetes", cron="0 3 * * *")
mlx.cancel_pipeline_run(run_id)                                # stops its running steps, from any process
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..entities import PipelineRun, PublishedPipeline, Schedule
from ..pipelines import service
from ..pipelines.definition import Pipeline
from ..pipelines.runner import drive
from ..pipelines.runner import run_pipeline as _run_pipeline
from ..store import Workspace
from . import context
from .context import WorkspaceArg


def _store(workspace: WorkspaceArg) -> Workspace:
    return context.local_workspace(workspace, "pipelines need")


def run_pipeline(
    pipeline: Pipeline | str,
    params: Mapping[str, Any] | None = None,
    wait: bool = True,
    *,
    force: bool = False,
    version: int | None = None,
    experiment: str | None = None,
    timeout: float | None = None,
    workspace: WorkspaceArg = None,
) -> PipelineRun:
    """Run a Pipeline, or a published one by name (its latest version unless `version`). With `wait`, this
    process drives the run to its end and starts its local steps itself; without, a server or `mlext agent`
    does. Steps whose code, params, inputs and environment are unchanged are reused unless `force`."""
    store = _store(workspace)
    if isinstance(pipeline, str):
        record = service.trigger_pipeline(store, pipeline, params, version, trigger="sdk", user=context.user())
        return drive(store, record.run_id, timeout=timeout) if wait else record
    return _run_pipeline(
        store, pipeline, params, wait, force=force, experiment=experiment, user=context.user(), timeout=timeout
    )


def publish_pipeline(pipeline: Pipeline, workspace: WorkspaceArg = None) -> PublishedPipeline:
    """Store the pipeline's definition and a snapshot of its folder as its next version."""
    return service.publish_pipeline(_store(workspace), pipeline, user=context.user())


def schedule_pipeline(
    name: str,
    cron: str,
    params: Mapping[str, Any] | None = None,
    *,
    version: int | None = None,
    enabled: bool = True,
    workspace: WorkspaceArg = None,
) -> Schedule:
    """Run published pipeline `name` on a cron schedule (fired by the server's or agent's dispatcher)."""
    return service.schedule_pipeline(_store(workspace), name, cron, params, version, enabled, user=context.user())


def cancel_pipeline_run(run_id: str, workspace: WorkspaceArg = None) -> PipelineRun:
    """Cancel a running pipeline run (whichever process drives it): its running steps' jobs are canceled, the
    steps not started yet are marked NotStarted and the run ends Canceled. A later run reuses the steps that
    had completed. A run that has already ended is refused (Conflict)."""
    return service.cancel_pipeline_run(_store(workspace), run_id, user=context.user())


def get_pipeline_run(run_id: str, workspace: WorkspaceArg = None) -> dict[str, Any]:
    """A pipeline run as a DAG: its steps with their states, child runs and dependencies."""
    return service.describe_run(_store(workspace), run_id)
