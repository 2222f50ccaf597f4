"""`mlext` commands for running things: submit a script, follow its log, cancel it, manage compute targets, and
start the headless server (`mlext server`) or the dispatcher alone (`mlext agent`)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from ..compute.local import LocalBackend
from ..compute.submit import submit
from ..compute.waiting import why_waiting
from ..daemon import Daemon
from ..entities import TargetKind
from ..sdk.context import user
from .format import Output, key_values, table, time
from .launch import launch_server
from .session import Session


def register(groups: Any, group: Any, command: Any) -> None:
    """Add `submit`, `agent`, `server` and the `compute` group to the parser built in main.py."""
    targets = group(groups, "compute", "compute targets that submitted runs execute on")
    command(targets, "list", _compute_list, "targets with their concurrency and current load")
    create = command(targets, "create", _compute_create, "add a target")
    create.add_argument("name", metavar="NAME", help="the new target's name, e.g. gpu-box")
    create.add_argument("--kind", choices=[k.value for k in TargetKind], default="local")
    create.add_argument("--address", metavar="URL", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    create.add_argument("--concurrency", type=int, default=1, metavar="N", help="runs at once (default: 1)")
    create.set_defaults(creates_workspace=True)
    delete = command(targets, "delete", _compute_delete, "remove a target without queued or active runs")
    delete.add_argument("name", metavar="NAME", help="the target to remove (not the built-in local)")

    job = groups.add_parser(
        "submit",
        help="run a script on a compute target as a tracked run",
        usage="mlext submit SCRIPT [options] [-- SCRIPT ARGS]",
        description="Snapshot the script's folder and queue it; a server or agent runs it. "
        "Everything after -- is passed to the script.",
    )
    job.add_argument(
        "script", metavar="SCRIPT", help="the Python file to run, inside --source-dir (default: its folder)"
    )
    job.add_argument("--compute", default="local", metavar="TARGET", help="compute target (default: local)")
    job.add_argument("--experiment", default="Default", metavar="NAME")
    job.add_argument("--name", metavar="NAME", help="display name of the run")
    job.add_argument("--source-dir", metavar="DIR", help="folder to snapshot (default: the script's folder)")
    job.add_argument("--timeout", type=float, metavar="SECONDS", help="fail the run after this long")
    job.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="log a param (repeatable)")
    job.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS, help="workspace directory")
    job.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    job.set_defaults(command=_submit, creates_workspace=True)

    agent = groups.add_parser(
        "agent",
        help="run queued jobs of a workspace without a Jupyter server",
        description="The dispatcher alone: starts queued runs until interrupted.",
    )
    agent.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS)
    agent.set_defaults(command=_agent, creates_workspace=True, json=False)

    server = groups.add_parser(
        "server",
        help="the REST API, live events and dispatcher without opening JupyterLab",
        description="Start a Jupyter server for the workspace without opening a browser: jupyter-mlext's REST API, "
        "events and dispatcher, next to the other server extensions enabled in this environment (JupyterLab's "
        "included, so its UI is there too). It listens on 127.0.0.1 unless --ServerApp.ip is given; as root it "
        "passes --allow-root (as `make lab` does); other options (--ServerApp.port=8890, "
        "--IdentityProvider.token=…) go to the server.",
    )
    server.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS)
    server.set_defaults(launch=_server)


def _compute_list(session: Session, args: argparse.Namespace) -> Output:
    targets = session.workspace.compute.list_targets()
    rows = [
        [t.name, t.kind.value, t.address or "-", str(t.concurrency), str(t.busy), str(t.queued), time(t.created_at)]
        for t in targets
    ]
    return Output(
        {"targets": [t.to_dict() for t in targets]},
        table([["NAME", "KIND", "ADDRESS", "CONCURRENCY", "BUSY", "QUEUED", "CREATED"], *rows], right={3, 4, 5}),
    )


def _compute_create(session: Session, args: argparse.Namespace) -> Output:
    target = session.workspace.compute.create_target(args.name, args.kind, args.address, args.concurrency)
    return Output(target.to_dict(), f"created compute target {target.name} ({target.kind.value})")


def _compute_delete(session: Session, args: argparse.Namespace) -> Output:
    session.workspace.compute.delete_target(args.name)
    return Output({"deleted": args.name}, f"deleted compute target {args.name}")


def _submit(session: Session, args: argparse.Namespace) -> Output:
    params = key_values(args.param, "param")
    run = submit(
        session.workspace,
        args.script,
        args.script_args,
        source_dir=args.source_dir,
        compute=args.compute,
        experiment=args.experiment,
        name=args.name,
        params=params,
        timeout_s=args.timeout,
        user=user(),
    )
    reason = why_waiting(session.workspace, run.compute or args.compute)
    if reason:
        print(f"mlext: note: run {run.id[:8]} is Queued: {reason}", file=sys.stderr)
    return Output(run.to_dict(), f"submitted {run.id} ({run.name}) to {run.compute}: {run.status.value}")


def _agent(session: Session, args: argparse.Namespace) -> Output:
    """The workspace's daemon (daemon.py) in this process, for `local` targets, until SIGINT or SIGTERM."""
    workspace = session.workspace
    local = LocalBackend(workspace)
    local.prewarm()
    daemon = Daemon(workspace, {TargetKind.LOCAL: local}, kind="agent")
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: daemon.request_stop())
    print(f"mlext agent: dispatching runs of {workspace.root} (Ctrl-C to stop)", file=sys.stderr)
    try:
        daemon.run()
    finally:
        daemon.stop()
    return Output({}, "mlext agent: stopped")


def _server(args: argparse.Namespace, server_args: list[str]) -> int:
    return launch_server(server_args, args.workspace)
