"""Sweeps that run real trials: local supervisors and scripts, driven by `sweep.wait()` in this process."""

from __future__ import annotations

import os

import pytest
from sweep_support import gone, make_project, pids_of

import jupyter_mlext as mlx
from jupyter_mlext.entities import InvalidInput, RunStatus, SweepState, TrialState
from jupyter_mlext.sweeps.samplers import sample
from jupyter_mlext.sweeps.space import make_space


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


def _intervals(ws, sweep):
    runs = [ws.tracking.get_run(t.run_id) for t in sweep.trials]
    return [(run.started_at, run.ended_at) for run in runs]


def test_a_grid_sweep_runs_each_combination_once_concurrently_and_logs_the_best_so_far(ws, project):
    ws.compute.set_concurrency("local", 2)
    sweep = mlx.sweep(
        "grid",
        script=str(project / "train.py"),
        space={"quality": mlx.choice(["fair", "good"]), "x": mlx.choice([0.1, 0.5])},
        sampling="grid",
        primary_metric="loss",
        max_trials=50,
        max_concurrent=2,
        workspace=str(ws.root),
    )
    assert sweep.wait(timeout=240) is SweepState.COMPLETED
    trials = sweep.trials
    assert sorted((t.params["quality"], t.params["x"]) for t in trials) == [
        ("fair", 0.1),
        ("fair", 0.5),
        ("good", 0.1),
        ("good", 0.5),
    ]
    assert {t.state for t in trials} == {TrialState.COMPLETED}
    for trial in trials:
        run = ws.tracking.get_run(trial.run_id)
        assert run.parent_id == sweep.id and run.status is RunStatus.COMPLETED
        assert run.params == {"quality": trial.params["quality"], "x": str(trial.params["x"])}
    assert sweep.best_run.params["x"] == "0.1"  # (x - 0.3)² ties between 0.1 and 0.5; the lower number wins
    best = ws.tracking.metric_history(sweep.id, "best_loss")
    assert best.steps == sorted(best.steps) and best.values == sorted(best.values, reverse=True)
    assert best.values[-1] == pytest.approx(min(t.value for t in trials))
    # two at a time: some trials overlap, and never more than max_concurrent at once
    spans = _intervals(ws, sweep)
    overlapping = max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)
    assert overlapping == 2
    assert ws.tracking.get_run(sweep.id).status is RunStatus.COMPLETED


def test_a_trial_that_never_logs_the_primary_metric_fails_saying_so(ws, project):
    sweep = mlx.sweep(
        "silent",
        script=str(project / "train.py"),
        args=["--silent"],
        space={"x": mlx.uniform(0, 1)},
        primary_metric="loss",
        max_trials=1,
        workspace=str(ws.root),
    )
    assert sweep.wait(timeout=120) is SweepState.FAILED
    (trial,) = sweep.trials
    assert trial.state is TrialState.FAILED
    assert trial.error == "the primary metric 'loss' was never logged by this trial's run"
    assert ws.tracking.get_run(trial.run_id).tags["mlext.trial_state"] == "Failed"
    assert ws.sweeps.get(sweep.id).error == "no trial completed with a primary metric value"


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        (mlx.Bandit(slack_factor=0.1, delay_evaluation=2), "Bandit: loss 1.00"),
        (mlx.MedianStopping(delay_evaluation=2), "MedianStopping: loss best 1"),
        (mlx.TruncationSelection(truncation_percentage=50, delay_evaluation=2), "TruncationSelection: loss 1.00"),
    ],
)
def test_a_policy_stops_the_bad_trial_and_its_process_is_gone(ws, project, policy, words):
    ws.compute.set_concurrency("local", 2)
    sweep = mlx.sweep(
        "policies",
        script=str(project / "train.py"),
        args=["--pids", str(project / "pids")],
        space={"quality": mlx.choice(["bad", "good"])},
        sampling="grid",
        primary_metric="loss",
        max_concurrent=2,
        early_termination=policy,
        workspace=str(ws.root),
    )
    assert sweep.wait(timeout=240) is SweepState.COMPLETED
    bad, good = sweep.trials
    assert bad.state is TrialState.STOPPED and good.state is TrialState.COMPLETED
    run = ws.tracking.get_run(bad.run_id)
    assert run.status is RunStatus.CANCELED
    assert run.tags["mlext.termination"].startswith(words), run.tags["mlext.termination"]
    assert " at step " in run.tags["mlext.termination"]
    assert run.metrics["loss"].count < 400  # it did not run to its end
    (pid,) = pids_of(project, "bad")
    assert gone(pid)
    assert sweep.best_run.id == good.run_id


def test_bayesian_sampling_runs_trials_whose_values_follow_the_recorded_history(ws, project):
    space = {"x": mlx.uniform(0.0, 1.0)}
    sweep = mlx.sweep(
        "tpe",
        script=str(project / "train.py"),
        space=space,
        sampling="bayesian",
        primary_metric="loss",
        max_trials=3,
        seed=11,
        workspace=str(ws.root),
    )
    assert sweep.wait(timeout=240) is SweepState.COMPLETED
    trials = sweep.trials
    assert [t.state for t in trials] == [TrialState.COMPLETED] * 3
    checked = make_space(space)
    for trial in trials:  # one at a time: each trial saw exactly the trials before it
        assert trial.params == sample("bayesian", checked, trial.number, 11, trials[: trial.number])
        assert trial.value == pytest.approx((trial.params["x"] - 0.3) ** 2 + 0.001 * (19 % 3))


def test_a_function_sweep_calls_the_function_by_reference_in_a_process_of_its_own(ws, tmp_path, monkeypatch):
    (tmp_path / "code" / "pkg").mkdir(parents=True)
    (tmp_path / "code" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "code" / "pkg" / "trainer.py").write_text(
        "import os\nimport jupyter_mlext as mlx\n\n\ndef train(x, depth):\n"
        "    mlx.log('pid', os.getpid())\n    mlx.log('loss', (x - 0.3) ** 2 + depth)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    from pkg.trainer import train

    sweep = mlx.sweep(
        "function",
        function=train,
        space={"x": mlx.choice([0.3, 0.5]), "depth": mlx.choice([0])},
        sampling="grid",
        primary_metric="loss",
        workspace=str(ws.root),
    )
    assert sweep.wait(timeout=240) is SweepState.COMPLETED
    assert [t.value for t in sweep.trials] == [0.0, pytest.approx(0.04)]
    pids = {ws.tracking.get_run(t.run_id).metrics["pid"].last for t in sweep.trials}
    assert len(pids) == 2 and os.getpid() not in pids
    with pytest.raises(InvalidInput) as refused:
        mlx.sweep("function", function=lambda x: x, space={"x": mlx.uniform(0, 1)}, primary_metric="loss")
    assert refused.value.field == "function"
