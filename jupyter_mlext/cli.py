"""The `mlext` command line: a workspace from a terminal, a script or CI, without starting Jupyter.

Reading runs is here; compute (submit, cancel, logs, targets, server, agent) is in cli_compute.py, the model
registry in cli_models.py, deployment in cli_serving.py and pipelines in cli_pipelines.py.

    mlext experiments list
    mlext runs search "metrics.loss < 0.2 and params.lr = 0.01" --order-by "metrics.loss ASC"
    mlext --json runs show 3fa9c2
    mlext artifacts download 3fa9c2 model --dest out/

It is a thin layer over the TrackingStore: each command makes one store call and prints the result as aligned
columns for a person or, with --json, as the entities' `to_dict()` for a program (the shapes the REST API
returns). Every error jupyter-mlext raises on purpose becomes one line on stderr and exit status 1, so scripts can
test `$?` and people never see a traceback for a typo. Reading never creates a workspace: a mistyped --workspace is
reported instead of silently becoming a new, empty one.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable, Collection
from typing import Any

from . import cli_compute, cli_models, cli_pipelines
from . import cli_serving
from .cli_format import Output, duration, number, size, table, time
from .errors import MLExtError, WorkspaceError
from .models import RunInfo
from .store import TrackingStore, resolve_workspace

METRIC_COLUMNS = 4  # latest metrics shown in run tables; --json carries them all


Command = Callable[[TrackingStore, argparse.Namespace], Output]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    script_args = argv[argv.index("--") + 1:] if "--" in argv else []  # `mlext submit train.py -- --lr 0.1`
    parser = _parser()
    args, unknown = parser.parse_known_args(argv[:len(argv) - len(script_args) - (1 if "--" in argv else 0)])
    args.script_args = script_args
    if getattr(args, "launch", None) is not None:  # `mlext server`: the Jupyter server parses its own options
        return args.launch(args, unknown)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        # Most commands read or write a workspace; a few (`pipeline export|validate`) need none.
        store = (_open_store(args.workspace, create=getattr(args, "creates_workspace", False))
                 if getattr(args, "needs_workspace", True) else None)
        try:
            output: Output = args.command(store, args)
        finally:
            if store is not None:
                store.close()
    except MLExtError as error:
        return _fail(error.message)
    except OSError as error:  # e.g. a download destination that cannot be written
        return _fail(str(error))
    print(json.dumps(output.data, indent=2) if args.json else output.text)
    return 0


def _fail(message: str) -> int:
    print(f"mlext: error: {' '.join(message.splitlines())}", file=sys.stderr)
    return 1


def _open_store(workspace: str | None, create: bool = False) -> TrackingStore:
    """The workspace's store; reading commands refuse a directory without a workspace database rather than
    create one (a mistyped path), commands that write (submit, agent) create it."""
    paths = resolve_workspace(workspace)
    if not create and not paths.database.is_file():
        raise WorkspaceError(f"no workspace at {paths.root}")
    return TrackingStore(paths)


# -- commands ----------------------------------------------------------------------------------------------------

def _experiments_list(store: TrackingStore, args: argparse.Namespace) -> Output:
    experiments = store.list_experiments()
    rows = [[e.name, str(e.id), str(e.run_count), time(e.created_at)] for e in experiments]
    return Output({"experiments": [e.to_dict() for e in experiments]},
                  table([["NAME", "ID", "RUNS", "CREATED"], *rows], right={1, 2}))


def _runs_search(store: TrackingStore, args: argparse.Namespace) -> Output:
    page = store.search_runs(experiments=args.experiment, filter=args.filter, order_by=args.order_by,
                             max_results=args.max, page_token=args.page_token)
    text = _runstable(page.runs)
    if page.next_page_token is not None:
        text += f"\nnext page: {page.next_page_token}"
    return Output(page.to_dict(), text)


def _runs_show(store: TrackingStore, args: argparse.Namespace) -> Output:
    run = store.get_run(store.resolve_run_id(args.run))
    return Output(run.to_dict(), _run_text(run))


def _runs_metrics(store: TrackingStore, args: argparse.Namespace) -> Output:
    history = store.metric_history(store.resolve_run_id(args.run), args.key, args.max_points)
    headers = ["STEP", "TIMESTAMP", "VALUE", "MIN", "MAX"][:5 if history.downsampled else 3]
    columns = zip(history.steps, history.timestamps, history.values, history.mins, history.maxs)
    rows = [[str(step), time(ts), number(value), number(low), number(high)][:len(headers)]
            for step, ts, value, low, high in columns]
    text = table([headers, *rows], right={0, 2, 3, 4})
    if history.downsampled:
        text += (f"\n{history.total_points} points shown as {len(rows)} buckets "
                 "(each: its last point, and the min and max of the bucket)")
    return Output(history.to_dict(), text)


def _artifacts_list(store: TrackingStore, args: argparse.Namespace) -> Output:
    artifacts = store.list_artifacts(store.resolve_run_id(args.run), args.path)
    rows = [[a.path, size(a.size), a.sha256[:12]] for a in artifacts]
    return Output({"artifacts": [a.to_dict() for a in artifacts]},
                  table([["PATH", "SIZE", "SHA256"], *rows], right={1}))


def _artifacts_download(store: TrackingStore, args: argparse.Namespace) -> Output:
    files = [str(path) for path in store.download_artifacts(store.resolve_run_id(args.run), args.path, args.dest)]
    return Output({"files": files}, "\n".join(files))


# -- human output ------------------------------------------------------------------------------------------------

def _runstable(runs: list[RunInfo]) -> str:
    keys = sorted({key for run in runs for key in run.metrics})[:METRIC_COLUMNS]
    rows = [
        [run.id[:8], run.experiment, run.name, run.status.value, time(run.started_at), duration(run.duration),
         *(number(run.metrics[key].last) if key in run.metrics else "-" for key in keys)]
        for run in runs
    ]
    headers = ["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION", *keys]
    return table([headers, *rows], right=range(5, len(headers)))


def _run_text(run: RunInfo) -> str:
    fields = {
        "id": run.id, "name": run.name, "experiment": f"{run.experiment} (id {run.experiment_id})",
        "status": run.status.value, "parent": run.parent_id, "created": time(run.created_at),
        "started": time(run.started_at), "ended": time(run.ended_at), "duration": duration(run.duration),
        "user": run.user, "source": " ".join(filter(None, [run.source_type, run.source_name])),
        "compute": run.compute, "git commit": run.git_commit, "snapshot": run.snapshot_id,
    }
    metric_rows = [[s.key, number(s.last), number(s.min), number(s.max), str(s.last_step), str(s.count)]
                   for s in run.metrics.values()]
    sections = [
        table([[name, value or "-"] for name, value in fields.items()]),
        _section("params", [[key, value] for key, value in run.params.items()]),
        _section("tags", [[key, value] for key, value in run.tags.items()]),
        _section("metrics", [["KEY", "LAST", "MIN", "MAX", "STEP", "POINTS"], *metric_rows] if metric_rows else [],
                 right={1, 2, 3, 4, 5}),
    ]
    if run.error:
        sections.append("error:\n" + textwrap.indent(run.error, "  "))
    return "\n\n".join(sections)


def _section(title: str, rows: list[list[str]], right: Collection[int] = ()) -> str:
    return f"{title}:\n" + textwrap.indent(table(rows, right), "  ") if rows else f"{title}: none"


# -- arguments ---------------------------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlext", description="A jupyter-mlext workspace from the terminal.")
    _add_global_options(parser, on_command=False)
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    experiments = _group(groups, "experiments", "the workspace's experiments")
    _command(experiments, "list", _experiments_list, "experiments with their run counts")

    runs = _group(groups, "runs", "list, search and inspect runs")
    recent = _command(runs, "list", _runs_search, "runs, newest first")
    recent.set_defaults(filter=None)
    _add_paging_options(recent)
    search = _command(runs, "search", _runs_search, "runs matching a filter")
    search.add_argument("filter", metavar="FILTER", help="e.g. \"metrics.loss < 0.2 and params.lr = 0.01\"")
    _add_paging_options(search)
    show = _command(runs, "show", _runs_show, "every field, param, tag and metric of one run")
    show.add_argument("run", metavar="RUN", help="run id or a unique prefix of at least 4 characters")
    history = _command(runs, "metrics", _runs_metrics, "the history of one metric of a run")
    history.add_argument("run", metavar="RUN", help="run id or a unique prefix")
    history.add_argument("key", metavar="KEY", help="metric name")
    history.add_argument("--max-points", type=int, metavar="N", help="downsample to at most N buckets")

    artifacts = _group(groups, "artifacts", "files logged by runs")
    listing = _command(artifacts, "list", _artifacts_list, "a run's artifacts with size and sha256")
    download = _command(artifacts, "download", _artifacts_download, "copy a run's artifacts to a folder")
    for command in (listing, download):
        command.add_argument("run", metavar="RUN", help="run id or a unique prefix")
        command.add_argument("path", metavar="PATH", nargs="?", help="one artifact or folder (default: all)")
    download.add_argument("--dest", default=".", metavar="DIR", help="destination folder (default: .)")

    cli_compute.register(groups, runs, _group, _command)
    cli_models.register(groups, _group, _command)
    cli_serving.register(groups, _group, _command)
    cli_pipelines.register(groups, _group, _command)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, on_command: bool) -> None:
    """On the top parser with their defaults; repeated on each command without any, so they may also follow it."""
    default = {"default": argparse.SUPPRESS} if on_command else {}
    parser.add_argument("--workspace", metavar="PATH", **default,
                        help="workspace directory (default: $MLEXT_WORKSPACE, then ./.mlext)")
    parser.add_argument("--json", action="store_true", **default, help="print JSON instead of tables")


def _group(groups: Any, name: str, help: str) -> Any:
    """A command group (`mlext runs …`); its actions are added with `_command`."""
    return groups.add_parser(name, help=help, description=help).add_subparsers(
        dest="action", required=True, metavar="ACTION")


def _command(actions: Any, name: str, command: Command, help: str) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help, description=help)
    _add_global_options(parser, on_command=True)
    parser.set_defaults(command=command)
    return parser


def _add_paging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--experiment", action="append", metavar="NAME", help="only this experiment (repeatable)")
    parser.add_argument("--order-by", action="append", metavar="CLAUSE",
                        help='e.g. "metrics.loss ASC" (repeatable; default: newest first)')
    parser.add_argument("--max", type=int, default=50, metavar="N", help="runs per page (default: 50)")
    parser.add_argument("--page-token", metavar="TOKEN", help="the token printed after the previous page")
