"""Resume after kill -9 of the process that drove a sweep: no finished trial runs again, the sampler goes on
where it was, and the trial that was running when everything died is re-queued once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sweep_support import make_project, wait_until

import jupyter_mlext as mlx
from jupyter_mlext.entities import SweepState, TrialState
from jupyter_mlext.sweeps.samplers import sample
from jupyter_mlext.sweeps.space import make_space

REPO = Path(__file__).resolve().parents[2]
DRIVER = """
import sys
import jupyter_mlext as mlx
sweep = mlx.sweep("resume", script=sys.argv[2], space={"x": mlx.uniform(0.0, 1.0)}, primary_metric="loss",
                  max_trials=6, seed=5, workspace=sys.argv[1])
print(sweep.id, flush=True)
sweep.wait()
"""


def test_a_sweep_resumes_after_its_driver_and_a_running_trial_are_killed(ws, tmp_path):
    project = make_project(tmp_path / "project")
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(ws.root), str(project / "train.py")],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sweep_id = driver.stdout.readline().strip()
        states = lambda: [t.state for t in ws.sweeps.trials(sweep_id)]  # noqa: E731
        wait_until(
            lambda: states().count(TrialState.COMPLETED) >= 2 and TrialState.RUNNING in states(),
            what="two trials completed and one running",
        )
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    # the machine "crashes": the running trial's supervisor dies with the driver (its script with it)
    running = next(t for t in ws.sweeps.trials(sweep_id) if t.state is TrialState.RUNNING)
    os.kill(ws.compute.get_job(running.run_id).pid, signal.SIGKILL)
    before = {t.number: t for t in ws.sweeps.trials(sweep_id) if t.state is TrialState.COMPLETED}

    sweep = mlx.get_sweep(sweep_id, workspace=str(ws.root)).resume(max_trials=8, timeout=300)

    assert sweep.status is SweepState.COMPLETED
    trials = sweep.trials
    assert [t.number for t in trials] == list(range(8))
    assert all(t.state is TrialState.COMPLETED for t in trials), [(t.number, t.state, t.error) for t in trials]
    for number, finished in before.items():  # never re-run: same run, same value
        assert trials[number].run_id == finished.run_id and trials[number].value == finished.value
    space = make_space({"x": mlx.uniform(0.0, 1.0)})
    assert [t.params for t in trials] == [sample("random", space, n, seed=5) for n in range(8)]
    lost = trials[running.number]
    assert lost.attempt == 2 and lost.run_id != running.run_id
    assert ws.tracking.get_run(running.run_id).tags["mlext.trial_state"] == "Lost"
    children = ws.tracking.children(sweep_id)
    per_trial = {}
    for child in children:
        per_trial.setdefault(child.tags["mlext.trial"], []).append(child.tags["mlext.attempt"])
    assert per_trial == {str(n): ["1", "2"] if n == running.number else ["1"] for n in range(8)}
