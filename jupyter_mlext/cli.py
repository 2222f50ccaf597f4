"""The `mlext` command line: read a workspace from a terminal, a script or CI without starting Jupyter.

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
import datetime
import json
import sys
import textwrap
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

from .errors import MLExtError, WorkspaceError
from .models import RunInfo
from .store import TrackingStore, resolve_workspace

METRIC_COLUMNS = 4  # latest metrics shown in run tables; --json carries them all


class Output(NamedTuple):
    data: Any  # what --json prints
    text: str  # what a person reads


Command = Callable[[TrackingStore, argparse.Namespace], Output]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        store = _open_store(args.workspace)
        try:
            output: Output = args.command(store, args)
        finally:
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


def _open_store(workspace: str | None) -> TrackingStore:
    """The workspace's store, refused rather than created when the directory holds no workspace database."""
    paths = resolve_workspace(workspace)
    if not paths.database.is_file():
        raise WorkspaceError(f"no workspace at {paths.root}")
    return TrackingStore(paths)


# -- commands ----------------------------------------------------------------------------------------------------

def _experiments_list(store: TrackingStore, args: argparse.Namespace) -> Output:
    experiments = store.list_experiments()
    rows = [[e.name, str(e.id), str(e.run_count), _time(e.created_at)] for e in experiments]
    return Output({"experiments": [e.to_dict() for e in experiments]},
                  _table([["NAME", "ID", "RUNS", "CREATED"], *rows], right={1, 2}))


def _runs_search(store: TrackingStore, args: argparse.Namespace) -> Output:
    page = store.search_runs(experiments=args.experiment, filter=args.filter, order_by=args.order_by,
                             max_results=args.max, page_token=args.page_token)
    text = _runs_table(page.runs)
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
    rows = [[str(step), _time(ts), _number(value), _number(low), _number(high)][:len(headers)]
            for step, ts, value, low, high in columns]
    text = _table([headers, *rows], right={0, 2, 3, 4})
    if history.downsampled:
        text += (f"\n{history.total_points} points shown as {len(rows)} buckets "
                 "(each: its last point, and the min and max of the bucket)")
    return Output(history.to_dict(), text)


def _artifacts_list(store: TrackingStore, args: argparse.Namespace) -> Output:
    artifacts = store.list_artifacts(store.resolve_run_id(args.run), args.path)
    rows = [[a.path, _size(a.size), a.sha256[:12]] for a in artifacts]
    return Output({"artifacts": [a.to_dict() for a in artifacts]},
                  _table([["PATH", "SIZE", "SHA256"], *rows], right={1}))


def _artifacts_download(store: TrackingStore, args: argparse.Namespace) -> Output:
    files = [str(path) for path in store.download_artifacts(store.resolve_run_id(args.run), args.path, args.dest)]
    return Output({"files": files}, "\n".join(files))


# -- human output ------------------------------------------------------------------------------------------------

def _runs_table(runs: list[RunInfo]) -> str:
    keys = sorted({key for run in runs for key in run.metrics})[:METRIC_COLUMNS]
    rows = [
        [run.id[:8], run.experiment, run.name, run.status.value, _time(run.started_at), _duration(run.duration),
         *(_number(run.metrics[key].last) if key in run.metrics else "-" for key in keys)]
        for run in runs
    ]
    headers = ["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION", *keys]
    return _table([headers, *rows], right=range(5, len(headers)))


def _run_text(run: RunInfo) -> str:
    fields = {
        "id": run.id, "name": run.name, "experiment": f"{run.experiment} (id {run.experiment_id})",
        "status": run.status.value, "parent": run.parent_id, "created": _time(run.created_at),
        "started": _time(run.started_at), "ended": _time(run.ended_at), "duration": _duration(run.duration),
        "user": run.user, "source": " ".join(filter(None, [run.source_type, run.source_name])),
        "compute": run.compute, "git commit": run.git_commit, "snapshot": run.snapshot_id,
    }
    metric_rows = [[s.key, _number(s.last), _number(s.min), _number(s.max), str(s.last_step), str(s.count)]
                   for s in run.metrics.values()]
    sections = [
        _table([[name, value or "-"] for name, value in fields.items()]),
        _section("params", [[key, value] for key, value in run.params.items()]),
        _section("tags", [[key, value] for key, value in run.tags.items()]),
        _section("metrics", [["KEY", "LAST", "MIN", "MAX", "STEP", "POINTS"], *metric_rows] if metric_rows else [],
                 right={1, 2, 3, 4, 5}),
    ]
    if run.error:
        sections.append("error:\n" + textwrap.indent(run.error, "  "))
    return "\n\n".join(sections)


def _section(title: str, rows: list[list[str]], right: Collection[int] = ()) -> str:
    return f"{title}:\n" + textwrap.indent(_table(rows, right), "  ") if rows else f"{title}: none"


def _table(rows: list[list[str]], right: Collection[int] = ()) -> str:
    """Rows as columns two spaces apart, left-aligned except the column indexes in `right` (numbers)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.rjust(width) if i in right else cell.ljust(width)
                  for i, (cell, width) in enumerate(zip(row, widths))).rstrip()
        for row in rows
    )


def _time(timestamp: float | None) -> str:
    """Local time to the second: what a person compares with their clock."""
    return "-" if timestamp is None else datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours:02d}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def _number(value: float | None) -> str:
    return "-" if value is None else format(value, ".6g")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


# -- arguments ---------------------------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlext", description="Read a jupyter-mlext workspace from the terminal.")
    _add_global_options(parser, on_command=False)
    groups = parser.add_subparsers(dest="group", required=True, metavar="{experiments,runs,artifacts}")

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
    return parser


def _add_global_options(parser: argparse.ArgumentParser, on_command: bool) -> None:
    """On the top parser with their defaults; repeated on each command without any, so they may also follow it."""
    default = {"default": argparse.SUPPRESS} if on_command else {}
    parser.add_argument("--workspace", metavar="PATH", **default,
                        help="workspace directory (default: $MLEXT_WORKSPACE, then ./.mlext)")
    parser.add_argument("--json", action="store_true", **default, help="print JSON instead of tables")


def _group(groups: Any, name: str, help: str) -> Any:
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
