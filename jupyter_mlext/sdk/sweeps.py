"""Hyperparameter sweeps from Python.

sweep = mlx.sweep("diabetes", script="train.py",
                  space={"lr": mlx.loguniform(1e-4, 1e-1), "depth": mlx.choice([2, 4, 8])},
                  sampling="random", primary_metric="loss", goal="minimize", max_trials=20, max_concurrent=2,
                  early_termination=mlx.Bandit(slack_factor=0.1, delay_evaluation=5))
sweep.wait(); sweep.best_run; sweep.trials; sweep.status
mlx.get_sweep(sweep.id).resume(max_trials=30)
sweep.cancel()
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..entities import InvalidInput, SweepState, Trial
from ..entities import Sweep as SweepRecord
from ..store import Workspace
from ..sweeps import service
from ..sweeps.driver import drive
from ..sweeps.policies import Policy
from ..sweeps.space import Distribution
from . import context
from .context import WorkspaceArg
from .run import Run


def _store(workspace: WorkspaceArg) -> Workspace:
    return context.local_workspace(workspace, "sweeps need")


class Sweep:
    """A handle on a sweep in the workspace; every property reads the store afresh."""

    def __init__(self, sweep_id: str, workspace: WorkspaceArg = None) -> None:
        self._workspace = _store(workspace)
        self.id = self._workspace.sweeps.resolve_id(sweep_id)

    def __repr__(self) -> str:
        record = self.record
        return f"<Sweep {self.id[:8]} {record.state.value} {len(self.trials)}/{record.max_trials} trials>"

    @property
    def record(self) -> SweepRecord:
        return self._workspace.sweeps.get(self.id)

    @property
    def status(self) -> SweepState:
        return self.record.state

    @property
    def trials(self) -> list[Trial]:
        """Every trial, by number: its values, state, value of the primary metric, run id."""
        return self._workspace.sweeps.trials(self.id)

    @property
    def best_run(self) -> Run | None:
        """The completed trial with the best primary metric (None before any has completed)."""
        run_id = service.best_run_id(self._workspace, self.id)
        return None if run_id is None else Run(run_id, self._workspace.root)

    @property
    def run(self) -> Run:
        """The sweep's parent run (its metric `best_<primary_metric>` is the best value over ended trials)."""
        return Run(self.id, self._workspace.root)

    def wait(self, timeout: float | None = None) -> SweepState:
        """Drive the sweep in this process until it ends (starting local trials here; no server needed), or until
        `timeout` seconds pass; then a server or `mlext agent` carries it on."""
        return drive(self._workspace, self.id, timeout=timeout).state

    def cancel(self) -> SweepState:
        """Stop every running trial and end the sweep Canceled (carried out by its driver, or here)."""
        service.cancel_sweep(self._workspace, self.id)
        return drive(self._workspace, self.id, dispatch=False, timeout=30).state

    def resume(self, max_trials: int | None = None, wait: bool = True, timeout: float | None = None) -> Sweep:
        """Carry on up to `max_trials` trials in all: finished trials are never re-run, the sampler continues
        from them, and trials lost with a crashed process are re-queued once. With `wait`, drive it here."""
        service.resume_sweep(self._workspace, self.id, max_trials)
        if wait:
            self.wait(timeout)
        return self

    def describe(self) -> dict[str, Any]:
        return service.describe(self._workspace, self.id)


def _function_reference(function: Callable[..., Any]) -> tuple[str, str]:
    """("module:qualname", the folder the module imports from) for a callable importable by reference."""
    module_name = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", "")
    if not module_name or module_name == "__main__" or "<" in qualname:
        raise InvalidInput(
            "function must be importable by reference (defined at the top level of a module, not in a notebook "
            "or __main__): put it in a .py file next to the notebook and import it",
            field="function",
        )
    try:
        path = Path(inspect.getfile(sys.modules[module_name]))
    except (KeyError, TypeError):
        raise InvalidInput(f"function: cannot find the file of module {module_name!r}", field="function") from None
    depth = module_name.count(".") + (1 if path.name == "__init__.py" else 0)
    return f"{module_name}:{qualname}", str(path.resolve().parents[depth])


def sweep(
    experiment: str,
    *,
    space: Mapping[str, Distribution | Mapping[str, Any]],
    primary_metric: str,
    script: str | None = None,
    function: Callable[..., Any] | str | None = None,
    source_dir: str | None = None,
    args: Sequence[str] = (),
    sampling: str = "random",
    goal: str = "minimize",
    max_trials: int = 10,
    max_concurrent: int = 1,
    timeout: float | None = None,
    seed: int = 0,
    early_termination: Policy | None = None,
    compute: str = "local",
    name: str | None = None,
    workspace: WorkspaceArg = None,
) -> Sweep:
    """Create a sweep (its parent run and stored definition). Trials run when something drives it: `wait()`
    here, or the daemon of a running JupyterLab or `mlext agent`. Each trial is a child run with the sampled
    values as params, running `script` as `python script --name value ...`, or calling `function(**values)`."""
    fields: dict[str, Any] = {
        "experiment": experiment,
        "space": space,
        "primary_metric": primary_metric,
        "script": script,
        "source_dir": source_dir,
        "args": list(args),
        "sampling": sampling,
        "goal": goal,
        "max_trials": max_trials,
        "max_concurrent": max_concurrent,
        "timeout": timeout,
        "seed": seed,
        "early_termination": early_termination,
        "compute": compute,
        "name": name,
    }
    if callable(function):
        fields["function"], default_dir = _function_reference(function)
        fields["source_dir"] = source_dir or default_dir
    else:
        fields["function"] = function
    store = _store(workspace)
    record = service.create_sweep(store, {k: v for k, v in fields.items() if v is not None}, user=context.user())
    return Sweep(record.id, store.root)


def get_sweep(sweep_id: str, workspace: WorkspaceArg = None) -> Sweep:
    return Sweep(sweep_id, workspace)


def list_sweeps(experiment: str | None = None, workspace: WorkspaceArg = None) -> list[SweepRecord]:
    return _store(workspace).sweeps.list_sweeps(experiment)
