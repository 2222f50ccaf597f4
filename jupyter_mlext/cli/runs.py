"""`mlext experiments|runs|artifacts …`: reading runs, following their logs, canceling them.

These work on the tracking store (store/base.py), so `--workspace` may also name a server
(`--workspace http://host:8888`, token from MLEXT_TRACKING_TOKEN); canceling needs the folder.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Collection
from typing import Any

from ..compute.submit import cancel
from ..compute.waiting import WaitNotice
from ..entities import InvalidInput, RunInfo
from . import compare
from .format import WAIT_EPILOG, Output, duration, number, outcome, printable, size, table, time
from .session import Session

METRIC_COLUMNS = 4  # latest metrics shown in run tables; --json carries them all
FOLLOW_POLL_S = 0.5


def register(groups: Any, group: Any, command: Any) -> None:
    """Add the `experiments`, `runs` and `artifacts` groups to the parser built in main.py."""
    experiments = group(groups, "experiments", "the workspace's experiments")
    command(experiments, "list", _experiments_list, "experiments with their run counts")

    runs = group(groups, "runs", "list, search and inspect runs")
    recent = command(runs, "list", _runs_search, "runs, newest first")
    recent.set_defaults(filter=None)
    _add_paging_options(recent)
    search = command(runs, "search", _runs_search, "runs matching a filter")
    search.add_argument("filter", metavar="FILTER", help='e.g. "metrics.loss < 0.2 and params.lr = 0.01"')
    _add_paging_options(search)
    show = command(runs, "show", _runs_show, "every field, param, tag and metric of one run")
    show.add_argument("run", metavar="RUN", help="run id or a unique prefix of at least 4 characters")
    history = command(runs, "metrics", _runs_metrics, "the history of one metric of a run")
    history.add_argument("run", metavar="RUN", help="run id or a unique prefix")
    history.add_argument("key", metavar="KEY", help="metric name")
    history.add_argument("--max-points", type=int, metavar="N", help="downsample to at most N buckets")
    compare.add_command(runs, command)
    canceling = command(runs, "cancel", _runs_cancel, "cancel a queued or running submitted run")
    canceling.add_argument("run", metavar="RUN", help="run id or a unique prefix")
    logs = command(runs, "logs", _runs_logs, "print a run's log (stdout and stderr of a submitted script)")
    logs.add_argument("run", metavar="RUN", help="run id or a unique prefix")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing until the run ends")
    logs.epilog = f"With --follow, {WAIT_EPILOG}."

    artifacts = group(groups, "artifacts", "files logged by runs")
    listing = command(artifacts, "list", _artifacts_list, "a run's artifacts with size and sha256")
    download = command(artifacts, "download", _artifacts_download, "copy a run's artifacts to a folder")
    for parser in (listing, download):
        parser.add_argument("run", metavar="RUN", help="run id or a unique prefix")
        parser.add_argument("path", metavar="PATH", nargs="?", help="one artifact or folder (default: all)")
    download.add_argument("--dest", default=".", metavar="DIR", help="destination folder (default: .)")


def _add_paging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--experiment", action="append", metavar="NAME", help="only this experiment (repeatable)")
    parser.add_argument(
        "--order-by",
        action="append",
        metavar="CLAUSE",
        help='e.g. "metrics.loss ASC" (repeatable; default: newest first)',
    )
    parser.add_argument("--max", type=int, default=50, metavar="N", help="runs per page (default: 50)")
    parser.add_argument("--page-token", metavar="TOKEN", help="the token printed after the previous page")
    parser.add_argument(
        "--columns",
        metavar="FIELDS",
        help="comma-separated params.KEY, metrics.KEY or tags.KEY to show instead of the latest metrics",
    )
    parser.add_argument("--tree", action="store_true", help="show child runs under their parents")


# -- commands ----------------------------------------------------------------------------------------------------


def _experiments_list(session: Session, args: argparse.Namespace) -> Output:
    experiments = session.store.list_experiments()
    rows = [[e.name, str(e.id), str(e.run_count), time(e.created_at)] for e in experiments]
    return Output(
        {"experiments": [e.to_dict() for e in experiments]},
        table([["NAME", "ID", "RUNS", "CREATED"], *rows], right={1, 2}),
    )


def _runs_search(session: Session, args: argparse.Namespace) -> Output:
    page = session.store.search_runs(
        experiments=args.experiment,
        filter=args.filter,
        order_by=args.order_by,
        max_results=args.max,
        page_token=args.page_token,
    )
    text = _runs_table(page.runs, _columns(args.columns), args.tree)
    if page.next_page_token is not None:
        text += f"\nnext page: {page.next_page_token}"
    return Output(page.to_dict(), text)


def _runs_show(session: Session, args: argparse.Namespace) -> Output:
    run = session.store.get_run(session.store.resolve_run_id(args.run))
    return Output(run.to_dict(), _run_text(run))


def _runs_metrics(session: Session, args: argparse.Namespace) -> Output:
    store = session.store
    history = store.metric_history(store.resolve_run_id(args.run), args.key, args.max_points)
    headers = ["STEP", "TIMESTAMP", "VALUE", "MIN", "MAX"][: 5 if history.downsampled else 3]
    columns = zip(history.steps, history.timestamps, history.values, history.mins, history.maxs)
    rows = [
        [str(step), time(ts), number(value), number(low), number(high)][: len(headers)]
        for step, ts, value, low, high in columns
    ]
    text = table([headers, *rows], right={0, 2, 3, 4})
    if history.downsampled:
        text += (
            f"\n{history.total_points} points shown as {len(rows)} buckets "
            "(each: its last point, and the min and max of the bucket)"
        )
    return Output(history.to_dict(), text)


def _runs_cancel(session: Session, args: argparse.Namespace) -> Output:
    workspace = session.workspace
    run_id = workspace.tracking.resolve_run_id(args.run)
    job = cancel(workspace, run_id)
    status = workspace.tracking.get_run(run_id).status.value
    return Output(job.to_dict(), f"cancel requested for {run_id} (now {status})")


def _runs_logs(session: Session, args: argparse.Namespace) -> Output:
    """With --follow the text is printed as it grows, and the exit status says how the run ended; with --json as
    well it is gathered into one document."""
    store = session.store
    run_id = store.resolve_run_id(args.run)
    if not args.follow:
        text = store.read_log(run_id).text
        return Output({"run_id": run_id, "text": text}, text.rstrip("\n"))
    folder = session.folder
    notice = WaitNotice(folder, run_id) if folder is not None else None
    texts = []
    for chunk in store.follow_log(run_id, poll_s=FOLLOW_POLL_S):
        if args.json:
            texts.append(chunk.text)
        else:
            sys.stdout.write(chunk.text)
            sys.stdout.flush()
        message = notice.due() if notice is not None else None
        if message:
            print(f"mlext: {message}", file=sys.stderr)
    data = {"run_id": run_id, "text": "".join(texts)} if args.json else {"run_id": run_id}
    return Output(data, "", outcome(store.get_run(run_id).status))


def _artifacts_list(session: Session, args: argparse.Namespace) -> Output:
    store = session.store
    artifacts = store.list_artifacts(store.resolve_run_id(args.run), args.path)
    rows = [[a.path, size(a.size), a.sha256[:12]] for a in artifacts]
    return Output(
        {"artifacts": [a.to_dict() for a in artifacts]}, table([["PATH", "SIZE", "SHA256"], *rows], right={1})
    )


def _artifacts_download(session: Session, args: argparse.Namespace) -> Output:
    store = session.store
    files = [str(path) for path in store.download_artifacts(store.resolve_run_id(args.run), args.path, args.dest)]
    return Output({"files": files}, "\n".join(files))


# -- human output ------------------------------------------------------------------------------------------------


def _columns(text: str | None) -> list[tuple[str, str]] | None:
    """`params.lr,metrics.loss` as [("params", "lr"), ("metrics", "loss")]."""
    if not text:
        return None
    columns = []
    for field in (part.strip() for part in text.split(",")):
        family, _, key = field.partition(".")
        if family not in ("params", "metrics", "tags") or not key:
            raise InvalidInput(f"--columns takes params.KEY, metrics.KEY or tags.KEY, got {field!r}", field="columns")
        columns.append((family, key))
    return columns


def _cell(run: RunInfo, family: str, key: str) -> str:
    if family == "metrics":
        return number(run.metrics[key].last) if key in run.metrics else "-"
    return (run.params if family == "params" else run.tags).get(key, "-")


def _tree_order(runs: list[RunInfo]) -> list[tuple[RunInfo, int]]:
    """Runs with their depth, each child right under its parent (a run whose parent is not among them is a
    root)."""
    ids = {run.id for run in runs}
    children: dict[str | None, list[RunInfo]] = {}
    for run in runs:
        children.setdefault(run.parent_id if run.parent_id in ids else None, []).append(run)
    ordered: list[tuple[RunInfo, int]] = []
    pending = [(run, 0) for run in reversed(children.get(None, []))]
    while pending:
        run, depth = pending.pop()
        ordered.append((run, depth))
        pending.extend((child, depth + 1) for child in reversed(children.get(run.id, [])))
    return ordered


def _runs_table(runs: list[RunInfo], columns: list[tuple[str, str]] | None = None, tree: bool = False) -> str:
    if columns is None:
        columns = [("metrics", key) for key in sorted({key for run in runs for key in run.metrics})[:METRIC_COLUMNS]]
    placed = _tree_order(runs) if tree else [(run, 0) for run in runs]
    rows = [
        [
            run.id[:8],
            run.experiment,
            ("  " * (depth - 1) + "└ " if depth else "") + run.name,
            run.status.value,
            time(run.started_at),
            duration(run.duration),
            *(_cell(run, family, key) for family, key in columns),
        ]
        for run, depth in placed
    ]
    headers = [
        "ID",
        "EXPERIMENT",
        "NAME",
        "STATUS",
        "STARTED",
        "DURATION",
        *(key if family == "metrics" else f"{family}.{key}" for family, key in columns),
    ]
    numeric = [i + 6 for i, (family, _) in enumerate(columns) if family == "metrics"]
    return table([headers, *rows], right={5, *numeric})


def _run_text(run: RunInfo) -> str:
    fields = {
        "id": run.id,
        "name": run.name,
        "experiment": f"{run.experiment} (id {run.experiment_id})",
        "status": run.status.value,
        "parent": run.parent_id,
        "created": time(run.created_at),
        "started": time(run.started_at),
        "ended": time(run.ended_at),
        "duration": duration(run.duration),
        "user": run.user,
        "source": " ".join(filter(None, [run.source_type, run.source_name])),
        "compute": run.compute,
        "git commit": run.git_commit,
        "snapshot": run.snapshot_id,
    }
    metric_rows = [
        [s.key, number(s.last), number(s.min), number(s.max), str(s.last_step), str(s.count)]
        for s in run.metrics.values()
    ]
    sections = [
        table([[name, value or "-"] for name, value in fields.items()]),
        _section("params", [[key, value] for key, value in run.params.items()]),
        _section("tags", [[key, value] for key, value in run.tags.items()]),
        _section(
            "metrics",
            [["KEY", "LAST", "MIN", "MAX", "STEP", "POINTS"], *metric_rows] if metric_rows else [],
            right={1, 2, 3, 4, 5},
        ),
    ]
    if run.error:
        sections.append("error:\n" + textwrap.indent(printable(run.error, keep_newlines=True), "  "))
    return "\n\n".join(sections)


def _section(title: str, rows: list[list[str]], right: Collection[int] = ()) -> str:
    return f"{title}:\n" + textwrap.indent(table(rows, right), "  ") if rows else f"{title}: none"
