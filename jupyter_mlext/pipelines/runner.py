"""Running a pipeline: a parent run, one child run per step, steps submitted as jobs as soon as their inputs exist.

One implementation, driven from two places. `run_pipeline(..., wait=True)` drives the run in the caller's
process (SDK, CLI) until it ends; a triggered or scheduled run, or one whose caller went away, is driven by the
server's dispatcher tick (see driver.py). Both call `advance`, which reads the run's state from the store, moves
it on as far as it can without waiting, and writes it back. Whoever drives holds the run's lease, renewed while
it drives; a lease that lapses (its holder died) lets the dispatcher take over, so a run survives restarts.

Step outcomes, as the store and the panels show them:
- submitted steps are child runs (source_type "pipeline_step") with the usual statuses;
- a step whose reuse key (keys.py) matches an earlier finished step is not run: its child run is created
  Completed with the tag `mlext.reused_from=<run id>` (the run whose outputs it stands for), step state Reused;
- when a step fails, no further step starts; once running steps end, the steps that never started get a child
  run with status Canceled and the tag `mlext.step_state=NotStarted` (step state NotStarted), and the
  pipeline run fails. Running the pipeline again reuses every step that had succeeded;
- a cancel (`cancel_pipeline_run`, any process) is recorded in the store (state Canceling) and carried out by
  whoever holds the lease: submitted steps get their jobs canceled (step state Canceled), steps not started yet
  become NotStarted as above, and the pipeline run ends Canceled (state Canceled), its parent run too.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ..compute.dispatcher import Dispatcher
from ..compute.local import LocalBackend
from ..compute.submit import cancel as cancel_job
from ..entities import (
    Conflict,
    InvalidInput,
    MLExtError,
    NotFound,
    PipelineRun,
    PipelineState,
    PipelineStep,
    RunInfo,
    RunStatus,
    StepState,
    TargetKind,
)
from ..store import Workspace
from ..store.pipelines import PipelineRepository
from .definition import Pipeline, Step
from .keys import code_digest, code_files, environment_digest, files_digest, path_digest, reuse_key
from .staging import SOURCE_TYPE, InputSource, loggable, submit_step

log = logging.getLogger(__name__)

LEASE_TTL_S = 30.0
POLL_S = 0.5
CHANGE_POLL_S = 0.002  # a look at data_version costs ~2 µs
REUSED_FROM_TAG = "mlext.reused_from"
STEP_STATE_TAG = "mlext.step_state"
# The parent run's status for each way a pipeline run ends.
_END_STATUS = {
    PipelineState.COMPLETED: RunStatus.COMPLETED,
    PipelineState.FAILED: RunStatus.FAILED,
    PipelineState.CANCELED: RunStatus.CANCELED,
}


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def start_pipeline_run(
    workspace: Workspace,
    pipeline: Pipeline,
    params: Mapping[str, Any] | None = None,
    *,
    version: int | None = None,
    force: bool = False,
    trigger: str = "manual",
    experiment: str | None = None,
    user: str | None = None,
    tags: Mapping[str, Any] | None = None,
) -> PipelineRun:
    """Check the pipeline and create its run (parent run + step states); nothing executes yet."""
    order = pipeline.validate()
    values = pipeline.run_params(params)
    compute = workspace.compute
    for step in pipeline.steps:
        try:
            compute.get_target(step.compute)
        except NotFound:
            raise InvalidInput(
                f"step {step.name!r}: unknown compute target {step.compute!r}", field=f"steps.{step.name}.compute"
            ) from None
    run_tags = {"mlext.pipeline": pipeline.name, "mlext.trigger": trigger, **(tags or {})}
    if version is not None:
        run_tags["mlext.pipeline_version"] = version
    parent = workspace.tracking.create_run(
        experiment or pipeline.name,
        name=pipeline.name,
        status=RunStatus.RUNNING,
        user=user,
        source_type="pipeline",
        source_name=pipeline.name,
        params=loggable(values),
        tags=run_tags,
    )
    return workspace.pipelines.create_run(
        parent.id,
        pipeline.name,
        version,
        pipeline.to_dict(),
        str(pipeline.source_dir),
        values,
        force,
        trigger,
        [step.name for step in order],
    )


def run_pipeline(
    workspace: Workspace,
    pipeline: Pipeline,
    params: Mapping[str, Any] | None = None,
    wait: bool = True,
    *,
    force: bool = False,
    experiment: str | None = None,
    user: str | None = None,
    dispatch: bool = True,
    timeout: float | None = None,
    on_progress: Callable[[PipelineRun], None] | None = None,
) -> PipelineRun:
    """Run `pipeline` with `params` (overriding its defaults). With `wait`, drive it here until it ends (with
    `dispatch`, this process also starts the steps' local jobs, so no server is needed); without, return at once
    and leave it to a server's or `mlext agent`'s dispatcher. `force` re-runs every step instead of reusing."""
    record = start_pipeline_run(workspace, pipeline, params, force=force, experiment=experiment, user=user)
    if not wait:
        return record
    return drive(workspace, record.run_id, dispatch=dispatch, timeout=timeout, on_progress=on_progress)


def drive(
    workspace: Workspace,
    run_id: str,
    *,
    dispatch: bool = True,
    timeout: float | None = None,
    on_progress: Callable[[PipelineRun], None] | None = None,
) -> PipelineRun:
    """Advance the pipeline run until it ends (or `timeout` passes; it then carries on without us).
    `on_progress(run)` is called with the run whenever a step's state has changed (and once at the start)."""
    pipelines = workspace.pipelines
    owner = lease_owner()
    dispatcher = Dispatcher(workspace, {TargetKind.LOCAL: LocalBackend(workspace)}) if dispatch else None
    deadline = None if timeout is None else time.monotonic() + timeout
    reported: tuple[object, ...] | None = None
    try:
        while True:
            seen = workspace.data_version()
            if pipelines.acquire_lease(run_id, owner, LEASE_TTL_S):
                advance(workspace, run_id)
            record = pipelines.get_run(run_id)
            states = (record.state, *(step.state for step in record.steps))
            if on_progress is not None and states != reported:
                reported = states
                on_progress(record)
            if not record.state.is_live or (deadline is not None and time.monotonic() > deadline):
                return record
            if dispatcher is not None:
                dispatcher.tick()
            _wait_for_others(workspace, seen, POLL_S)
    finally:
        pipelines.release_lease(run_id, owner)
        if dispatcher is not None:
            dispatcher.close()


def settle(workspace: Workspace, run_id: str, wait_s: float) -> PipelineRun:
    """Advance the run once here if nobody drives it (a cancel is then carried out at once); else give its
    driver up to `wait_s` to move it on, and answer the run as it then is."""
    pipelines = workspace.pipelines
    owner = lease_owner()
    deadline = time.monotonic() + wait_s
    while True:
        seen = workspace.data_version()
        if pipelines.acquire_lease(run_id, owner, LEASE_TTL_S):
            try:
                return advance(workspace, run_id)
            finally:
                pipelines.release_lease(run_id, owner)
        record = pipelines.get_run(run_id)
        if not record.state.is_live or time.monotonic() > deadline:
            return record
        _wait_for_others(workspace, seen, POLL_S)


def _wait_for_others(workspace: Workspace, seen: int, timeout: float) -> None:
    """Return as soon as another process commits to the workspace (a step's supervisor reporting), or after
    `timeout`: a finished step's successor starts within CHANGE_POLL_S instead of a whole polling interval."""
    deadline = time.monotonic() + timeout
    while workspace.data_version() == seen and time.monotonic() < deadline:
        time.sleep(CHANGE_POLL_S)


def advance(workspace: Workspace, run_id: str) -> PipelineRun:
    """Move the run on as far as it goes without waiting: record finished steps, reuse or submit ready ones,
    and end the run when nothing is left. The caller holds the run's lease."""
    pipelines = workspace.pipelines
    record = pipelines.get_run(run_id)
    while record.state.is_live and _step_once(workspace, pipelines, record):
        record = pipelines.get_run(run_id)
    return record


def _step_once(workspace: Workspace, pipelines: PipelineRepository, record: PipelineRun) -> bool:
    """One pass over the steps; True if anything changed (another pass may then do more)."""
    pipeline = Pipeline.from_dict(record.definition, record.source_dir, checked=True)  # checked when it started
    if record.state is PipelineState.CANCELING:
        _cancel(workspace, pipelines, record, pipeline)
        return False
    if any(
        _collect(workspace, pipelines, record, pipeline.step(s.step), s)
        for s in record.steps
        if s.state == StepState.QUEUED
    ):
        return True
    if any(s.state == StepState.FAILED for s in record.steps):
        if not any(s.state == StepState.QUEUED for s in record.steps):
            _fail_run(workspace, pipelines, record)
        return False
    if all(s.state.is_done for s in record.steps):
        _end_parent(workspace, pipelines, record.run_id, PipelineState.COMPLETED)
        return False
    states = {s.step: s for s in record.steps}
    names = set(states)
    changed = False
    for state in record.steps:
        step = pipeline.step(state.step)
        if state.state != StepState.PENDING or any(
            not states[p].state.is_done for p, _ in step.upstream(names).values()
        ):
            continue
        _start(workspace, pipelines, record, pipeline, step, states)
        changed = True
    return changed


def _collect(
    workspace: Workspace, pipelines: PipelineRepository, record: PipelineRun, step: Step, state: PipelineStep
) -> bool:
    """Record the outcome of a submitted step whose child run has ended."""
    assert state.child_run_id is not None  # a step is queued together with the child run it was submitted as
    child = workspace.tracking.get_run(state.child_run_id)
    if not child.status.is_terminal:
        return False
    if child.status is RunStatus.COMPLETED:
        missing = [o for o in step.outputs if not workspace.tracking.list_artifacts(child.id, f"outputs/{o}")]
        if missing:
            return pipelines.update_step(
                record.run_id,
                step.name,
                [StepState.QUEUED],
                state=StepState.FAILED,
                error=f"step {step.name!r} wrote no files to its declared output(s) "
                f"{', '.join(f'outputs/{o}/' for o in missing)}",
            )
        return pipelines.update_step(
            record.run_id, step.name, [StepState.QUEUED], state=StepState.COMPLETED, produced_by=child.id
        )
    reason = child.error or child.status.value
    return pipelines.update_step(
        record.run_id,
        step.name,
        [StepState.QUEUED],
        state=StepState.FAILED,
        error=f"step {step.name!r} {child.status.value.lower()}: {reason}",
    )


def _start(
    workspace: Workspace,
    pipelines: PipelineRepository,
    record: PipelineRun,
    pipeline: Pipeline,
    step: Step,
    states: dict[str, PipelineStep],
) -> None:
    """Reuse an earlier result of the step if its key matches one, else submit it."""
    parent = workspace.tracking.get_run(record.run_id)
    params = step.resolved_params(record.params)
    try:
        inputs, digests = _inputs(workspace, pipeline, step, states)
        files = code_files(workspace, pipeline, step)
        key = reuse_key(code_digest(pipeline, step, files), params, digests, environment_digest())
        tags = {"mlext.step": step.name, "mlext.reuse_key": key}
        prior = None if record.force else pipelines.find_reusable(key)
        if prior is not None:
            child = _reused_child(workspace, parent, step, params, prior, tags)
            pipelines.update_step(
                record.run_id,
                step.name,
                [StepState.PENDING],
                state=StepState.REUSED,
                child_run_id=child.id,
                reuse_key=key,
                produced_by=prior,
            )
            return
        child = submit_step(
            workspace,
            pipeline,
            step,
            files,
            params,
            inputs,
            parent_id=parent.id,
            experiment=parent.experiment,
            tags=tags,
            user=parent.user,
        )
    except (MLExtError, OSError) as error:
        message = error.message if isinstance(error, MLExtError) else str(error)
        pipelines.update_step(
            record.run_id,
            step.name,
            [StepState.PENDING],
            state=StepState.FAILED,
            error=f"step {step.name!r} could not be submitted: {message}",
        )
        return
    pipelines.update_step(
        record.run_id, step.name, [StepState.PENDING], state=StepState.QUEUED, child_run_id=child.id, reuse_key=key
    )


def _inputs(
    workspace: Workspace, pipeline: Pipeline, step: Step, states: dict[str, PipelineStep]
) -> tuple[dict[str, InputSource], dict[str, str]]:
    """Where each input comes from, and a digest of its content."""
    upstream = step.upstream(set(states))
    sources: dict[str, InputSource] = {}
    digests: dict[str, str] = {}
    for name in step.inputs:
        if name in upstream:
            producer, output = upstream[name]
            run_id = states[producer].produced_by
            assert run_id is not None  # the producer is done (completed or reused), which records its run
            prefix = f"outputs/{output}/"
            artifacts = workspace.tracking.list_artifacts(run_id, f"outputs/{output}")
            sources[name] = ("run", run_id, output)
            digests[name] = files_digest([(a.path[len(prefix) :], a.sha256) for a in artifacts])
        else:
            path = pipeline.input_path(step, name)  # checked again: the folder may have changed since validate()
            sources[name] = ("path", str(path))
            digests[name] = path_digest(path)
    return sources, digests


def _reused_child(
    workspace: Workspace, parent: RunInfo, step: Step, params: Mapping[str, Any], prior: str, tags: Mapping[str, Any]
) -> RunInfo:
    return workspace.tracking.create_run(
        parent.experiment,
        name=step.name,
        parent_id=parent.id,
        status=RunStatus.COMPLETED,
        user=parent.user,
        source_type=SOURCE_TYPE,
        source_name=f"{parent.source_name}.{step.name}",
        compute=step.compute,
        snapshot_id=workspace.tracking.get_run(prior).snapshot_id,
        params=loggable(params),
        tags={**tags, REUSED_FROM_TAG: prior},
    )


def _fail_run(workspace: Workspace, pipelines: PipelineRepository, record: PipelineRun) -> None:
    failed = [s for s in record.steps if s.state == StepState.FAILED]
    _not_started(workspace, pipelines, record, {"mlext.blocked_by": ",".join(s.step for s in failed)})
    error = "; ".join(s.error or f"step {s.step!r} failed" for s in failed)
    _end_parent(workspace, pipelines, record.run_id, PipelineState.FAILED, error)


def _cancel(workspace: Workspace, pipelines: PipelineRepository, record: PipelineRun, pipeline: Pipeline) -> None:
    """Carry out a requested cancel. A submitted step that ended meanwhile keeps its outcome (a completed one is
    reused by the next run); the others' jobs are canceled, which stops their processes."""
    for state in record.steps:
        if state.state != StepState.QUEUED or _collect(workspace, pipelines, record, pipeline.step(state.step), state):
            continue
        try:
            cancel_job(workspace, str(state.child_run_id))
        except (Conflict, NotFound):  # the job ended or is gone: nothing left to stop
            pass
        pipelines.update_step(
            record.run_id,
            state.step,
            [StepState.QUEUED],
            state=StepState.CANCELED,
            error=f"step {state.step!r} canceled with the pipeline run",
        )
    _not_started(workspace, pipelines, record, {})
    _end_parent(workspace, pipelines, record.run_id, PipelineState.CANCELED, record.error)


def _not_started(
    workspace: Workspace, pipelines: PipelineRepository, record: PipelineRun, tags: Mapping[str, Any]
) -> None:
    """Give each step that never started a Canceled child run tagged NotStarted, so every view lists it."""
    parent = workspace.tracking.get_run(record.run_id)
    for state in record.steps:
        if state.state == StepState.PENDING:
            child = workspace.tracking.create_run(
                parent.experiment,
                name=state.step,
                parent_id=parent.id,
                status=RunStatus.CANCELED,
                user=parent.user,
                source_type=SOURCE_TYPE,
                source_name=f"{parent.source_name}.{state.step}",
                tags={"mlext.step": state.step, STEP_STATE_TAG: StepState.NOT_STARTED.value, **tags},
            )
            pipelines.update_step(
                record.run_id, state.step, [StepState.PENDING], state=StepState.NOT_STARTED, child_run_id=child.id
            )


def _end_parent(
    workspace: Workspace, pipelines: PipelineRepository, run_id: str, state: PipelineState, error: str | None = None
) -> None:
    """The parent run's status first: should we die in between, the next driver finds the run still to end.
    A parent that ended already (a previous driver got this far, or it completed just as a cancel came in)
    decides: the pipeline run ends as it did."""
    try:
        workspace.tracking.set_status(run_id, _END_STATUS[state], error=error)
    except Conflict:
        parent = workspace.tracking.get_run(run_id)
        state = next(end for end, status in _END_STATUS.items() if status is parent.status)
        error = parent.error
    pipelines.finish_run(run_id, state, error)
