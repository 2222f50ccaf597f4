"""Sweeps: create one, move it on (`advance`), cancel it, resume it. Every surface calls these.

The model. A sweep is a parent run (source_type "sweep"); each trial is a submitted child run (source_type
"sweep_trial") whose params are the values sampled for it, queued on the sweep's compute target from the
snapshot taken when the sweep was created. The sweep's state (store/sweeps.py: definition, trials with their
values and outcomes, how far the policy has judged each) is in the workspace, and `advance` is a pure step over
it: record the outcomes of ended trials, judge running ones by the termination policy, start new ones up to
`max_concurrent`, and end the sweep when nothing is left. Whoever holds the sweep's lease calls it (driver.py).

Outcomes, as the store shows them:
- a trial whose run completed takes the last value of the primary metric as its value; one that never logged
  the primary metric is Failed with the reason (its run stays Completed: a run's end is final, so the trial's
  verdict is the tags `mlext.trial_state=Failed` and `mlext.trial_error` on it);
- a trial the policy stops is Stopped at once (its slot is free for the next trial), its run gets the tag
  `mlext.termination` with the policy's sentence and is canceled (its process group killed, on local and dask)
  and ends Canceled;
- a trial whose process was lost (its run Failed as "process lost" or "its runner ... is gone", with no exit
  code: a crash or a restart, not the script) is marked Lost and re-queued once as attempt 2 of the same trial,
  with the same values; a second loss fails it;
- after each ended trial, the parent run logs `best_<primary_metric>`: the best value so far, at step = the
  number of ended trials.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

from ..compute.dispatcher import Backends
from ..compute.submit import cancel as cancel_job
from ..entities import Conflict, InvalidInput, NotFound, RunInfo, RunStatus, Sweep, SweepState, Trial, TrialState
from ..store import Workspace
from .definition import SweepSpec, make_spec, spec_from_dict
from .policies import Point, judge
from .samplers import grid_size, sample
from .trials import make_trial_run, take_snapshot

log = logging.getLogger(__name__)

TERMINATION_TAG = "mlext.termination"
TRIAL_STATE_TAG = "mlext.trial_state"
TRIAL_ERROR_TAG = "mlext.trial_error"
_LOST = ("process lost", "its runner")


def create_sweep(
    workspace: Workspace, fields: Mapping[str, Any], *, base_dir: str | None = None, user: str | None = None
) -> Sweep:
    """Check the definition, take the snapshot, create the parent run and the sweep's record; no trial starts
    here (a driver does that). Any refusal is an InvalidInput naming the field, before anything is written."""
    spec = make_spec(fields, base_dir)
    try:
        workspace.compute.get_target(spec.compute)
    except NotFound:
        raise InvalidInput(f"unknown compute target {spec.compute!r}", field="compute") from None
    snapshot_id = take_snapshot(workspace, spec)
    return workspace.sweeps.create(
        spec.experiment,
        spec.to_dict(),
        snapshot_id,
        name=spec.name,
        user=user,
        params={"sampling": spec.sampling, "primary_metric": spec.primary_metric, "goal": spec.goal},
        tags={"mlext.sweep_sampling": spec.sampling},
    )


def cancel_sweep(workspace: Workspace, sweep_id: str) -> Sweep:
    """Record a cancel; the sweep's driver stops its trials and ends it Canceled. Conflict once it has ended."""
    sweep = workspace.sweeps.get(workspace.sweeps.resolve_id(sweep_id))
    sweep_id = sweep.id
    if not sweep.state.is_live:
        raise Conflict(f"sweep {sweep_id} has already ended ({sweep.state.value})", field="sweep_id")
    workspace.sweeps.request_cancel(sweep_id)
    return workspace.sweeps.get(sweep_id)


def resume_sweep(workspace: Workspace, sweep_id: str, max_trials: int | None = None) -> Sweep:
    """Let the sweep go on, up to `max_trials` trials in all (default: its own). Trials that ended stay as they
    are; the sampler continues from the recorded trials. Its timeout counts again from now."""
    sweep = workspace.sweeps.get(workspace.sweeps.resolve_id(sweep_id))
    sweep_id = sweep.id
    spec = spec_from_dict(sweep.definition)
    total = len(workspace.sweeps.trials(sweep_id))
    wanted = sweep.max_trials if max_trials is None else max_trials
    if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1:
        raise InvalidInput(f"max_trials must be an integer ≥ 1, not {wanted!r}", field="max_trials")
    if wanted < total:
        raise InvalidInput(f"max_trials must be at least {total}, the trials the sweep has", field="max_trials")
    if spec.sampling == "grid":
        wanted = min(wanted, grid_size(spec.space))
    return workspace.sweeps.reopen(sweep_id, wanted)


@dataclasses.dataclass
class Curves:
    """The primary-metric curves of ended trials, kept by a driver between passes (they no longer change)."""

    ended: dict[str, tuple[list[float], list[int]]] = dataclasses.field(default_factory=dict)

    def of(self, workspace: Workspace, run: RunInfo, metric: str) -> tuple[list[float], list[int]]:
        if run.id in self.ended:
            return self.ended[run.id]
        if metric not in run.metrics:
            return [], []
        history = workspace.tracking.metric_history(run.id, metric)
        curve = (list(history.values), list(history.steps))
        if run.status.is_terminal:
            self.ended[run.id] = curve
        return curve


def advance(
    workspace: Workspace, sweep_id: str, backends: Backends | None = None, curves: Curves | None = None
) -> Sweep:
    """One pass over the sweep; the caller holds its lease. Never waits."""
    sweeps = workspace.sweeps
    sweep = sweeps.get(sweep_id)
    if not sweep.state.is_live:
        return sweep
    spec = spec_from_dict(sweep.definition)
    curves = curves or Curves()
    if sweep.state is SweepState.CANCELING:
        _stop_all(workspace, sweep_id, backends, "the sweep was canceled", TrialState.CANCELED)
        if not _still_ending(workspace, sweep_id):
            _end(workspace, sweep_id, spec, SweepState.CANCELED, "canceled")
        return sweeps.get(sweep_id)
    runs = {run.id: run for run in workspace.tracking.children(sweep_id)}
    ended_before = _ended_count(sweeps.trials(sweep_id))
    for trial in sweeps.trials(sweep_id):
        _record(workspace, sweep_id, spec, trial, runs, backends)
    if spec.early_termination is not None:
        _judge_running(workspace, sweep_id, spec, runs, backends, curves)
    trials = sweeps.trials(sweep_id)
    if _ended_count(trials) != ended_before:
        _log_best(workspace, sweep_id, spec, trials)
    past_deadline = spec.timeout is not None and time.time() > sweep.opened_at + spec.timeout
    if past_deadline:
        reason = f"the sweep's timeout of {spec.timeout:g} s passed"
        _stop_all(workspace, sweep_id, backends, reason, TrialState.CANCELED)
    else:
        _fill(workspace, sweep_id, spec, sweep.max_trials)
    trials = sweeps.trials(sweep_id)
    if not any(trial.state.is_active for trial in trials) and not _still_ending(workspace, sweep_id):
        exhausted = spec.sampling == "grid" and len(trials) >= grid_size(spec.space)
        if past_deadline or exhausted or len(trials) >= sweeps.get(sweep_id).max_trials:
            completed = [t for t in trials if t.state is TrialState.COMPLETED]
            if completed:
                _end(workspace, sweep_id, spec, SweepState.COMPLETED, None)
            else:
                _end(workspace, sweep_id, spec, SweepState.FAILED, "no trial completed with a primary metric value")
    return sweeps.get(sweep_id)


def _still_ending(workspace: Workspace, sweep_id: str) -> bool:
    """Whether a stopped or canceled trial's run is still on its way out: the sweep ends after its trials."""
    return any(not run.status.is_terminal for run in workspace.tracking.children(sweep_id))


def _ended_count(trials: list[Trial]) -> int:
    return sum(1 for t in trials if t.state in (TrialState.COMPLETED, TrialState.FAILED, TrialState.STOPPED))


def _record(
    workspace: Workspace,
    sweep_id: str,
    spec: SweepSpec,
    trial: Trial,
    runs: dict[str, RunInfo],
    backends: Backends | None,
) -> None:
    """Bring one trial's state up to date with its run."""
    sweeps = workspace.sweeps
    if trial.state is TrialState.STOPPED and trial.run_id is not None:
        run = runs.get(trial.run_id)
        if run is not None and not run.status.is_terminal:  # a driver died between stopping and canceling
            _cancel(workspace, trial.run_id, backends)
        return
    if not trial.state.is_active:
        return
    if trial.run_id is None:
        run = make_trial_run(workspace, sweep_id, spec, trial)
        sweeps.update_trial(sweep_id, trial.number, [TrialState.PENDING], run_id=run.id, state=TrialState.QUEUED)
        return
    run = runs.get(trial.run_id) or workspace.tracking.get_run(trial.run_id)
    now = time.time()
    if not run.status.is_terminal:
        if run.status is RunStatus.RUNNING and trial.state is TrialState.QUEUED:
            sweeps.update_trial(sweep_id, trial.number, [TrialState.QUEUED], state=TrialState.RUNNING)
        return
    active = [TrialState.QUEUED, TrialState.RUNNING]
    if run.status is RunStatus.COMPLETED:
        summary = run.metrics.get(spec.primary_metric)
        if summary is None:
            error = f"the primary metric {spec.primary_metric!r} was never logged by this trial's run"
            workspace.tracking.set_tags(run.id, {TRIAL_STATE_TAG: TrialState.FAILED.value, TRIAL_ERROR_TAG: error})
            sweeps.update_trial(sweep_id, trial.number, active, state=TrialState.FAILED, error=error, ended_at=now)
        else:
            sweeps.update_trial(
                sweep_id, trial.number, active, state=TrialState.COMPLETED, value=summary.last, ended_at=now
            )
    elif run.status is RunStatus.CANCELED:
        sweeps.update_trial(sweep_id, trial.number, active, state=TrialState.CANCELED, error=run.error, ended_at=now)
    elif _lost(workspace, run) and trial.attempt == 1:
        if sweeps.update_trial(
            sweep_id, trial.number, active, state=TrialState.PENDING, attempt=2, run_id=None, error=run.error
        ):
            workspace.tracking.set_tags(run.id, {TRIAL_STATE_TAG: TrialState.LOST.value})
            log.info("sweep %s: trial %d was lost (%s); re-queued once", sweep_id, trial.number, run.error)
            _record(workspace, sweep_id, spec, sweeps.trial(sweep_id, trial.number), runs, backends)
    else:
        sweeps.update_trial(sweep_id, trial.number, active, state=TrialState.FAILED, error=run.error, ended_at=now)


def _lost(workspace: Workspace, run: RunInfo) -> bool:
    if run.status is not RunStatus.FAILED or not run.error or not run.error.startswith(_LOST):
        return False
    return workspace.compute.get_job(run.id).exit_code is None


def _judge_running(
    workspace: Workspace,
    sweep_id: str,
    spec: SweepSpec,
    runs: dict[str, RunInfo],
    backends: Backends | None,
    curves: Curves,
) -> None:
    policy = spec.early_termination
    assert policy is not None
    trials = workspace.sweeps.trials(sweep_id)
    metric = spec.primary_metric
    waiting = []
    for trial in trials:
        if trial.state is not TrialState.RUNNING or trial.run_id not in runs:
            continue
        summary = runs[trial.run_id].metrics.get(metric)
        if summary is not None and summary.count > trial.evaluated:
            waiting.append(trial)
    if not waiting:
        return
    known = {t.run_id: curves.of(workspace, runs[t.run_id], metric) for t in trials if t.run_id in runs}
    for trial in waiting:
        assert trial.run_id is not None
        values, steps = known[trial.run_id]
        others = [curve for run_id, (curve, _) in known.items() if run_id != trial.run_id]
        for k in range(trial.evaluated + 1, len(values) + 1):
            reason = judge(policy, Point(k, steps[k - 1], values, others, metric, spec.maximize))
            if reason is not None:
                _stop(workspace, sweep_id, trial, reason, values[k - 1], backends)
                break
        else:
            workspace.sweeps.update_trial(sweep_id, trial.number, [TrialState.RUNNING], evaluated=len(values))


def _stop(
    workspace: Workspace, sweep_id: str, trial: Trial, reason: str, value: float, backends: Backends | None
) -> None:
    """The trial frees its slot now; its run is tagged with the reason and canceled (its process ends)."""
    assert trial.run_id is not None
    workspace.tracking.set_tags(trial.run_id, {TERMINATION_TAG: reason})
    if workspace.sweeps.update_trial(
        sweep_id,
        trial.number,
        [TrialState.RUNNING],
        state=TrialState.STOPPED,
        error=reason,
        value=value,
        ended_at=time.time(),
    ):
        log.info("sweep %s: trial %d stopped: %s", sweep_id, trial.number, reason)
        _cancel(workspace, trial.run_id, backends)


def _cancel(workspace: Workspace, run_id: str, backends: Backends | None) -> None:
    try:
        cancel_job(workspace, run_id, backends)
    except Conflict:  # it ended by itself in between
        pass


def _stop_all(workspace: Workspace, sweep_id: str, backends: Backends | None, reason: str, state: TrialState) -> None:
    for trial in workspace.sweeps.trials(sweep_id):
        if not trial.state.is_active:
            continue
        if (
            workspace.sweeps.update_trial(
                sweep_id, trial.number, [trial.state], state=state, error=reason, ended_at=time.time()
            )
            and trial.run_id is not None
        ):
            _cancel(workspace, trial.run_id, backends)


def _fill(workspace: Workspace, sweep_id: str, spec: SweepSpec, max_trials: int) -> None:
    """Sample and queue new trials while slots are free and trials remain."""
    sweeps = workspace.sweeps
    trials = sweeps.trials(sweep_id)
    active = sum(1 for t in trials if t.state.is_active)
    number = len(trials)
    while active < spec.max_concurrent and number < max_trials:
        values = sample(spec.sampling, spec.space, number, spec.seed, trials, spec.maximize)
        if values is None:
            return
        trial = sweeps.add_trial(sweep_id, number, values)
        run = make_trial_run(workspace, sweep_id, spec, trial)
        sweeps.update_trial(sweep_id, number, [TrialState.PENDING], run_id=run.id, state=TrialState.QUEUED)
        trials.append(sweeps.trial(sweep_id, number))
        active += 1
        number += 1


def _log_best(workspace: Workspace, sweep_id: str, spec: SweepSpec, trials: list[Trial]) -> None:
    values = [t.value for t in trials if t.state is TrialState.COMPLETED and t.value is not None]
    if not values:
        return
    best = max(values) if spec.maximize else min(values)
    workspace.tracking.log_metrics(sweep_id, [(f"best_{spec.primary_metric}", best, _ended_count(trials), None)])


def _end(workspace: Workspace, sweep_id: str, spec: SweepSpec, state: SweepState, error: str | None) -> None:
    sweep = workspace.sweeps.get(sweep_id)
    if sweep.best_trial is not None:
        workspace.tracking.set_tags(
            sweep_id, {"mlext.best_trial": sweep.best_trial, f"mlext.best_{spec.primary_metric}": sweep.best_value}
        )
    workspace.sweeps.finish(sweep_id, state, error)
    status = {
        SweepState.COMPLETED: RunStatus.COMPLETED,
        SweepState.FAILED: RunStatus.FAILED,
        SweepState.CANCELED: RunStatus.CANCELED,
    }[state]
    try:
        workspace.tracking.set_status(sweep_id, status, error=error)
    except Conflict:  # a resumed sweep: its parent run had ended already, and a run's end is final
        pass


def best_run_id(workspace: Workspace, sweep_id: str) -> str | None:
    sweep = workspace.sweeps.get(sweep_id)
    if sweep.best_trial is None:
        return None
    return workspace.sweeps.trial(sweep_id, sweep.best_trial).run_id


def describe(workspace: Workspace, sweep_id: str) -> dict[str, Any]:
    """The sweep with its trials (each with its run's status and primary metric summary), as the views read it."""
    sweep = workspace.sweeps.get(workspace.sweeps.resolve_id(sweep_id))
    sweep_id = sweep.id
    runs = {run.id: run for run in workspace.tracking.children(sweep_id)}
    metric = sweep.definition["primary_metric"]
    trials = []
    for trial in workspace.sweeps.trials(sweep_id):
        run = runs.get(trial.run_id or "")
        summary = run.metrics.get(metric) if run else None
        trials.append(
            {
                **trial.to_dict(),
                "run_status": run.status.value if run else None,
                "termination": run.tags.get(TERMINATION_TAG) if run else None,
                "latest": None if summary is None else summary.last,
                "steps": 0 if summary is None else summary.count,
            }
        )
    return {"sweep": sweep.to_dict(), "trials": trials, "best_run_id": best_run_id(workspace, sweep_id)}
