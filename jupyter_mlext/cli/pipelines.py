"""`mlext pipeline …`: export a notebook, validate and run a pipeline folder, publish, trigger and schedule.

    mlext pipeline export analysis.ipynb -o analysis_pipeline/
    mlext pipeline run analysis_pipeline/ --param alpha=0.5
    mlext pipeline publish analysis_pipeline/
    mlext pipeline trigger analysis --param alpha=0.5 --wait
    mlext pipeline schedule analysis --cron "0 3 * * *"
    mlext pipeline cancel 3f2a9c1e

Param values are read as YAML scalars (`0.5` is a number, `true` a boolean, anything else text).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from ..entities import PipelineRun
from ..pipelines import service
from ..pipelines.definition import Pipeline
from ..pipelines.export import export_notebook
from ..pipelines.runner import drive, run_pipeline
from ..sdk.context import user
from .format import WAIT_EPILOG, Output, key_values, outcome, printable, table, time
from .session import Session


def register(groups: Any, group: Any, command: Any) -> None:
    """Add the `pipeline` group to the parser built in main.py."""
    pipeline = group(groups, "pipeline", "pipelines: export from a notebook, run, publish, trigger, schedule")
    export = command(pipeline, "export", _export, "write a notebook's steps as a pipeline folder")
    export.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb to turn into a pipeline folder")
    export.add_argument("-o", "--out", metavar="DIR", help="folder to write (default: <notebook>_pipeline/)")
    validate = command(pipeline, "validate", _validate, "check a pipeline folder (or pipeline.yaml) without running")
    validate.add_argument("path", metavar="DIR", help="a pipeline folder (with pipeline.yaml) or the file")
    run = command(pipeline, "run", _run, "run a pipeline folder, reusing unchanged steps")
    run.add_argument("path", metavar="DIR", help="a pipeline folder (with pipeline.yaml) or the file")
    run.add_argument("--force", action="store_true", help="re-run every step")
    run.add_argument("--experiment", metavar="NAME", help="default: the pipeline's name")
    run.add_argument("--no-wait", action="store_true", help="return at once; a server or agent drives the run")
    run.epilog = f"Without --no-wait, {WAIT_EPILOG} (with it, 0 once the run is started)."
    publish = command(pipeline, "publish", _publish, "store a pipeline folder as the next version")
    publish.add_argument("path", metavar="DIR", help="a pipeline folder (with pipeline.yaml) or the file")
    for creating in (run, publish):
        creating.set_defaults(creates_workspace=True)
    command(pipeline, "list", _list, "published pipelines with their latest version and schedule")
    trigger = command(pipeline, "trigger", _trigger, "run a published pipeline")
    trigger.add_argument("name", metavar="NAME", help="a published pipeline")
    trigger.add_argument("--version", type=int, metavar="N", help="default: the latest")
    trigger.add_argument("--wait", action="store_true", help="drive the run here until it ends")
    trigger.epilog = f"With --wait, {WAIT_EPILOG} (without it, 0 once the run is started)."
    schedule = command(pipeline, "schedule", _schedule, "run a published pipeline on a cron schedule")
    schedule.add_argument("name", metavar="NAME", help="a published pipeline")
    schedule.add_argument("--cron", required=True, metavar="EXPR", help='e.g. "*/5 * * * *"')
    schedule.add_argument("--version", type=int, metavar="N", help="pin a version (default: the latest at firing)")
    schedule.add_argument("--disable", action="store_true", help="keep the schedule but stop firing it")
    for taking_params in (run, trigger, schedule):
        taking_params.add_argument(
            "--param", action="append", default=[], metavar="KEY=VALUE", help="override a pipeline param (repeatable)"
        )
    show = command(pipeline, "show", _show, "a pipeline run's steps with their states")
    cancel = command(pipeline, "cancel", _cancel, "cancel a running pipeline run: stop its steps, start no more")
    for naming_run in (show, cancel):
        naming_run.add_argument("run", metavar="RUN", help="pipeline run id or a unique prefix")


def _params(args: argparse.Namespace) -> dict[str, Any]:
    return {key: yaml.safe_load(value) for key, value in key_values(args.param, "param").items()}


def _export(_: Session, args: argparse.Namespace) -> Output:
    folder = export_notebook(args.notebook, args.out)
    pipeline = Pipeline.load(folder)
    return Output(
        {"folder": str(folder), "pipeline": pipeline.to_dict()},
        f"wrote {folder} ({len(pipeline.steps)} steps: {', '.join(s.name for s in pipeline.steps)})",
    )


def _validate(_: Session, args: argparse.Namespace) -> Output:
    pipeline = Pipeline.load(args.path)
    order = pipeline.validate()
    return Output(
        pipeline.to_dict(),
        f"pipeline {pipeline.name!r} is valid; steps run in the order {' → '.join(step.name for step in order)}",
    )


def _run(session: Session, args: argparse.Namespace) -> Output:
    record = run_pipeline(
        session.workspace,
        Pipeline.load(args.path),
        _params(args),
        not args.no_wait,
        force=args.force,
        experiment=args.experiment,
        user=user(),
        on_progress=_Progress(),
    )
    return _record_output(session, record, waited=not args.no_wait)


def _publish(session: Session, args: argparse.Namespace) -> Output:
    published = service.publish_pipeline(session.workspace, Pipeline.load(args.path), user=user())
    return Output(published.to_dict(), f"published {published.name} version {published.version}")


def _list(session: Session, args: argparse.Namespace) -> Output:
    pipelines = session.workspace.pipelines.list_pipelines()
    rows = [
        [
            p.name,
            str(p.latest_version),
            time(p.updated_at),
            "-" if p.schedule is None else p.schedule.cron + ("" if p.schedule.enabled else " (disabled)"),
        ]
        for p in pipelines
    ]
    return Output(
        {"pipelines": [p.to_dict() for p in pipelines]},
        table([["NAME", "VERSION", "PUBLISHED", "SCHEDULE"], *rows], right={1}),
    )


def _trigger(session: Session, args: argparse.Namespace) -> Output:
    record = service.trigger_pipeline(
        session.workspace, args.name, _params(args), args.version, trigger="cli", user=user()
    )
    if args.wait:
        record = drive(session.workspace, record.run_id, on_progress=_Progress())
    return _record_output(session, record, waited=args.wait)


def _schedule(session: Session, args: argparse.Namespace) -> Output:
    schedule = service.schedule_pipeline(
        session.workspace, args.name, args.cron, _params(args), args.version, enabled=not args.disable, user=user()
    )
    described = service.describe_schedule(schedule)
    state = "disabled" if not schedule.enabled else f"next run {time(described['next_fire'])}"
    return Output(described, f"pipeline {schedule.pipeline} scheduled {schedule.cron!r} ({state})")


def _show(session: Session, args: argparse.Namespace) -> Output:
    return _described(service.describe_run(session.workspace, args.run))


def _cancel(session: Session, args: argparse.Namespace) -> Output:
    return _record_output(session, service.cancel_pipeline_run(session.workspace, args.run, user=user()))


class _Progress:
    """While a command drives a pipeline run: one line on stderr per step whose state changed, so a long run
    shows where it is (stdout keeps the final table, or the JSON)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, record: PipelineRun) -> None:
        if not self.seen:
            print(f"pipeline run {record.run_id[:8]} of {record.pipeline}: {len(record.steps)} steps", file=sys.stderr)
        width = max(len(step.step) for step in record.steps)
        for step in record.steps:
            if self.seen.get(step.step) != step.state.value:
                self.seen[step.step] = step.state.value
                detail = f" ({printable(step.error)})" if step.error else ""
                print(f"  {step.step.ljust(width)}  {step.state.value}{detail}", file=sys.stderr, flush=True)


def _record_output(session: Session, record: PipelineRun, waited: bool = False) -> Output:
    """The run's steps; after waiting for its end, with the exit status that says how it ended."""
    data, text, _ = _described(service.describe_run(session.workspace, record.run_id))
    return Output(data, text, outcome(record.state) if waited else 0)


def _described(run: dict[str, Any]) -> Output:
    rows = [
        [
            s["name"],
            s["state"],
            s["status"] or "-",
            (s["run_id"] or "-")[:8],
            (s["reused_from"] or "-")[:8],
            s["error"] or "",
        ]
        for s in run["steps"]
    ]
    text = f"pipeline run {run['run_id']} of {run['pipeline']}: {run['state']}\n" + table(
        [["STEP", "STATE", "STATUS", "RUN", "REUSED FROM", "ERROR"], *rows]
    )
    return Output(run, text)
