"""`mlext sweep …`: run a sweep.yaml, list sweeps, show one with its trials, resume or cancel it.

mlext sweep run sweep.yaml             # creates the sweep and drives it here until it ends
mlext sweep run sweep.yaml --no-wait   # a server or `mlext agent` drives it
mlext sweep list
mlext sweep show 3f2a9c1e
mlext sweep resume 3f2a9c1e --max-trials 30
mlext sweep cancel 3f2a9c1e
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..sdk.context import user
from ..sweeps import service
from ..sweeps.definition import load_yaml
from ..sweeps.driver import drive
from .format import Output, outcome, table, time
from .session import Session

EPILOG = (
    "exit status: 0 the sweep completed, 1 error (e.g. an unknown sweep), 2 usage error, 3 the sweep failed, "
    "4 the sweep was canceled"
)


def register(groups: Any, group: Any, command: Any) -> None:
    """Add the `sweep` group to the parser built in main.py."""
    sweep = group(groups, "sweep", "hyperparameter sweeps: run a sweep.yaml, list, show, resume, cancel")
    run = command(sweep, "run", _run, "create a sweep from a sweep.yaml and drive it until it ends")
    run.add_argument("path", metavar="SWEEP_YAML", help="a sweep.yaml (its fields are those of mlx.sweep)")
    run.add_argument("--no-wait", action="store_true", help="return at once; a server or agent drives the sweep")
    run.set_defaults(creates_workspace=True)
    command(sweep, "list", _list, "sweeps, newest first, with their trial counts and best value")
    show = command(sweep, "show", _show, "a sweep's trials with their values, states and outcomes")
    resume = command(sweep, "resume", _resume, "carry a sweep on (finished trials are never re-run)")
    resume.add_argument("--max-trials", type=int, metavar="N", help="trials in all (default: the sweep's own)")
    resume.add_argument("--no-wait", action="store_true", help="return at once; a server or agent drives it")
    cancel = command(sweep, "cancel", _cancel, "stop a sweep's running trials and end it Canceled")
    for naming in (show, resume, cancel):
        naming.add_argument("sweep", metavar="ID", help="sweep id (its parent run's) or a unique prefix")
    for waiting in (run, resume):
        waiting.epilog = f"Without --no-wait, {EPILOG}."


def _run(session: Session, args: argparse.Namespace) -> Output:
    fields = load_yaml(args.path)
    record = service.create_sweep(session.workspace, fields, base_dir=str(Path(args.path).parent), user=user())
    return _finish(session, record.id, not args.no_wait)


def _resume(session: Session, args: argparse.Namespace) -> Output:
    sweep_id = session.workspace.sweeps.resolve_id(args.sweep)
    service.resume_sweep(session.workspace, sweep_id, args.max_trials)
    return _finish(session, sweep_id, not args.no_wait)


def _cancel(session: Session, args: argparse.Namespace) -> Output:
    sweep_id = session.workspace.sweeps.resolve_id(args.sweep)
    service.cancel_sweep(session.workspace, sweep_id)
    return _finish(session, sweep_id, True, dispatch=False)


def _finish(session: Session, sweep_id: str, wait: bool, dispatch: bool = True) -> Output:
    if wait:
        drive(session.workspace, sweep_id, dispatch=dispatch)
    described = service.describe(session.workspace, sweep_id)
    state = described["sweep"]["state"]
    return Output(described, _text(described), outcome(state) if wait else 0)


def _show(session: Session, args: argparse.Namespace) -> Output:
    described = service.describe(session.workspace, session.workspace.sweeps.resolve_id(args.sweep))
    return Output(described, _text(described))


def _list(session: Session, args: argparse.Namespace) -> Output:
    sweeps = session.workspace.sweeps.list_sweeps()
    rows = [
        [
            s.id[:8],
            s.experiment,
            s.state.value,
            s.definition["sampling"],
            f"{sum(s.trial_counts.values())}/{s.max_trials}",
            "-" if s.best_value is None else f"{s.definition['primary_metric']}={s.best_value:.6g}",
            time(s.created_at),
        ]
        for s in sweeps
    ]
    return Output(
        {"sweeps": [s.to_dict() for s in sweeps]},
        table([["ID", "EXPERIMENT", "STATE", "SAMPLING", "TRIALS", "BEST", "CREATED"], *rows], right={4}),
    )


def _text(described: dict[str, Any]) -> str:
    sweep = described["sweep"]
    metric = sweep["definition"]["primary_metric"]
    rows = [
        [
            str(t["number"]),
            t["state"],
            (t["run_id"] or "-")[:8],
            " ".join(f"{k}={v}" for k, v in t["params"].items()),
            "-" if t["value"] is None else f"{t['value']:.6g}",
            t["error"] or "",
        ]
        for t in described["trials"]
    ]
    best = (
        ""
        if sweep["best_value"] is None
        else f", best {metric} {sweep['best_value']:.6g} (trial {sweep['best_trial']})"
    )
    counts = f"{len(rows)}/{sweep['max_trials']} trials"
    head = f"sweep {sweep['id']} in {sweep['experiment']}: {sweep['state']}, {counts}{best}"
    return head + "\n" + table([["TRIAL", "STATE", "RUN", "VALUES", metric.upper(), "NOTE"], *rows], right={0, 4})
