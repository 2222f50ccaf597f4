"""The Python surface: runs as context managers, buffered logging, search, and the run of a submitted script.

    import jupyter_mlext as mlx
    with mlx.start_run(experiment="diabetes", params={"alpha": 0.1}) as run:
        run.log("mse", 3.2)
        with run.child("fold-1") as fold:
            fold.log("mse", 3.0)

Magics, widgets, the CLI and the server are thin layers over these functions and the store beneath them.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from ..compute import submit as compute_submit
from ..compute.waiting import WaitNotice, why_waiting
from ..entities import Artifact, Experiment, InvalidInput, LogChunk, MetricHistory, MLExtError, RunInfo, RunStatus
from ..store.logs import MAX_LOG_CHUNK
from ..store.validation import Point, check_relative_path, common_points, validate_point
from . import context
from .context import WorkspaceArg
from .writer import MAX_PENDING_POINTS

active: list[Run] = []  # started by this process (SDK or a `%%mlrun` cell) and not yet ended, innermost last
_context_run: list[Run] = []
_context_guard = threading.Lock()

DEFAULT_EXPERIMENT = "Default"
RUN_ID_ENV = "MLEXT_RUN_ID"
EXPERIMENT_ENV = "MLEXT_EXPERIMENT"
WAIT_POLL_S = 0.25
_now = time.time


class Run:
    """A handle on one run: log into it, read it back, start child runs under it.

    A run started here (or by `Run.get_context()` outside a submission) is owned by this process and ends when
    its `with` block ends, or at interpreter exit; in a workspace folder it records this process and beats, so a
    run whose process is killed is marked Failed ("process lost") by the next process that opens the workspace.
    A run fetched with `get_run` or handed over by the dispatcher is not: its status stays with whoever owns it.
    """

    def __init__(self, run_id: str, workspace: WorkspaceArg = None, *, owned: bool = False) -> None:
        self._opened = context.opened(workspace)
        self._store, self._metrics = self._opened.store, self._opened.writer
        self._buffer = self._metrics.buffer(run_id)
        self._columns = self._buffer.columns
        self._workspace = self._store.location
        self.id = run_id
        self.owned = owned
        if owned and self._opened.heartbeat is not None:
            self._opened.heartbeat.own(run_id)

    def __repr__(self) -> str:
        return f"<Run {self.id} in {self._workspace}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Run) and (other.id, other._workspace) == (self.id, self._workspace)

    def __hash__(self) -> int:
        return hash((self.id, self._workspace))

    # -- reading ------------------------------------------------------------------------------------------------

    @property
    def info(self) -> RunInfo:
        """The run as stored now (status, timings, params, tags, latest metrics)."""
        return self._store.get_run(self.id)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def experiment(self) -> str:
        return self.info.experiment

    @property
    def status(self) -> RunStatus:
        return self.info.status

    @property
    def params(self) -> dict[str, str]:
        return self.info.params

    @property
    def tags(self) -> dict[str, str]:
        return self.info.tags

    @property
    def metrics(self) -> dict[str, float]:
        """The latest value of each metric (after committing what this process logged)."""
        self.flush()
        return {key: summary.last for key, summary in self.info.metrics.items()}

    def history(self, key: str, max_points: int | None = None) -> MetricHistory:
        self.flush()
        return self._store.metric_history(self.id, key, max_points)

    def children(self) -> list[Run]:
        """The direct child runs, oldest first."""
        self.flush()
        return [Run(info.id, self._workspace) for info in self._store.children(self.id)]

    def list_artifacts(self, path: str | None = None) -> list[Artifact]:
        return self._store.list_artifacts(self.id, path)

    def download_artifacts(self, path: str | None = None, destination: str | os.PathLike[str] = ".") -> list[Path]:
        return self._store.download_artifacts(self.id, path, destination)

    # -- logging ------------------------------------------------------------------------------------------------

    def log(self, key: str, value: float, step: int | None = None, timestamp: float | None = None) -> None:
        """Log one value of a metric. `step` defaults to the number of points already in the series.

        Returns at once: the point is committed by a background thread within ~0.1 s. A float logged under a
        name already checked for this run, with the default step and time, takes the fast path (two appends to
        the key's float64 columns); anything else is checked in full and refused here, at the call, naming the
        field.
        """
        column = self._columns.get(key)
        if column is not None and type(value) is float and step is None and timestamp is None:
            values, timestamps = column
            values.append(value)  # before the timestamp: the writer takes as many values as there are timestamps
            timestamps.append(_now())
            if self._metrics.attention or len(timestamps) > MAX_PENDING_POINTS:
                self._metrics.attend()
            return
        point = validate_point(key, value, step, timestamp, _now())
        if step is None and timestamp is None:  # checked and converted: from now on this key takes the fast path
            values, timestamps = self._buffer.column(key)
            values.append(point[1])
            timestamps.append(point[3])
            if self._metrics.attention or len(timestamps) > MAX_PENDING_POINTS:
                self._metrics.attend()
            return
        self._metrics.add_point(self.id, point)

    def log_batch(self, points: Iterable[tuple[Any, ...]]) -> None:
        """Log many points at once: tuples of (key, value[, step[, timestamp]])."""
        points = list(points)
        common = common_points(points)
        if common is not None:
            self._metrics.add(self.id, common)
            return
        now = _now()
        checked: list[Point] = []
        for point in points:
            if not isinstance(point, (tuple, list)) or not 2 <= len(point) <= 4:
                raise InvalidInput(
                    f"each point must be (key, value[, step[, timestamp]]), got {point!r:.60}", field="points"
                )
            key, value, step, timestamp = (*point, None, None)[:4]
            checked.append(validate_point(key, value, step, timestamp, now))
        self._metrics.add(self.id, checked)

    def log_params(self, params: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """Record params (immutable: logging another value for a name raises Conflict)."""
        self._store.log_params(self.id, {**(params or {}), **kwargs})

    def set_tags(self, tags: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self._store.set_tags(self.id, {**(tags or {}), **kwargs})

    def log_artifact(self, local_path: str | os.PathLike[str], name: str | None = None) -> list[Artifact]:
        """Copy a file or a folder into the run; `name` is its path among the run's artifacts."""
        return self._store.log_artifact(self.id, local_path, name)

    def log_text(self, text: str, name: str) -> Artifact:
        return self._store.write_artifact(self.id, name, text.encode("utf-8"))

    def log_figure(self, figure: Any, name: str, **savefig_kwargs: Any) -> Artifact:
        """Save a matplotlib figure as an artifact; the format follows the name's extension (png by default)."""
        relative = check_relative_path(name, "name")
        suffix = Path(relative).suffix.lstrip(".").lower() or "png"
        buffer = io.BytesIO()
        figure.savefig(buffer, format=suffix, **savefig_kwargs)
        return self._store.write_artifact(self.id, relative, buffer.getvalue())

    def flush(self) -> None:
        """Commit every point this process has logged so far."""
        self._metrics.flush()

    # -- following a submitted run -------------------------------------------------------------------------------

    def read_log(self, offset: int = 0, max_bytes: int = MAX_LOG_CHUNK) -> LogChunk:
        """A chunk of the run's log (stdout/stderr of a submitted script) from `offset`; a negative offset counts
        from the end. Follow a running run by asking again from `next_offset` until `complete`."""
        return self._store.read_log(self.id, offset, max_bytes)

    def wait(self, timeout: float | None = None, show_output: bool = False) -> RunStatus:
        """Block until the run ends (or `timeout` seconds pass) and return its status; with `show_output` its log
        is printed as it grows. The counterpart of Azure ML's `wait_for_completion`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        notice = WaitNotice(self._opened.workspace, self.id) if self._opened.workspace is not None else None
        if show_output:
            for chunk in self._store.follow_log(self.id, poll_s=WAIT_POLL_S):
                sys.stdout.write(chunk.text)
                _say(notice)
                if deadline is not None and time.monotonic() >= deadline:
                    break
            return self.status
        while True:
            status = self.status
            if status.is_terminal or (deadline is not None and time.monotonic() >= deadline):
                return status
            _say(notice)
            time.sleep(WAIT_POLL_S)

    def cancel(self) -> RunStatus:
        """Cancel a queued or running submitted run; returns the status right after the request. A run that has
        ended is refused (Conflict)."""
        if self._opened.workspace is None:
            raise MLExtError(f"canceling runs needs the workspace folder, not the tracking server {self._workspace}")
        compute_submit.cancel(self._opened.workspace, self.id)
        return self.status

    # -- lifecycle ----------------------------------------------------------------------------------------------

    def child(
        self, name: str | None = None, *, params: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None
    ) -> Run:
        """Start a child run (any depth) in the same experiment; use it as a context manager."""
        return start_run(
            self.info.experiment, name=name, params=params, tags=tags, parent=self, workspace=self._workspace
        )

    def end(self, status: RunStatus | str = RunStatus.COMPLETED, error: str | None = None) -> None:
        """Commit pending points, then record the final status."""
        try:
            self.flush()
        finally:
            if self in active:
                active.remove(self)
            if self._opened.heartbeat is not None:
                self._opened.heartbeat.release(self.id)
            self._store.set_status(self.id, status, error=error)

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.end(RunStatus.COMPLETED)
        elif isinstance(exc, KeyboardInterrupt):
            self.end(RunStatus.CANCELED, error="interrupted (KeyboardInterrupt)")
        else:
            self.end(RunStatus.FAILED, error="".join(traceback.format_exception(exc_type, exc, tb)))

    @classmethod
    def get_context(cls) -> Run:
        """The run this code belongs to.

        Inside a submitted run (MLEXT_RUN_ID set) that is the submitted run. Anywhere else it is one run for this
        process, started on first use in the experiment MLEXT_EXPERIMENT (or "Default") and ended at exit:
        Completed, or Failed if the interpreter stops on an uncaught exception.
        """
        existing = context_run()
        if existing is not None:
            return existing
        run_id = os.environ.get(RUN_ID_ENV)
        if run_id:
            context.opened().store.get_run(run_id)  # NotFound now if the submitted run is not in the store
            run = cls(run_id)
        else:
            script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
            run = start_run(os.environ.get(EXPERIMENT_ENV) or DEFAULT_EXPERIMENT, name=script)
        return set_context_run(run)


def start_run(
    experiment: str | None = None,
    name: str | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    parent: Run | str | None = None,
    workspace: WorkspaceArg = None,
) -> Run:
    """Start a run owned by this process. As a context manager it ends Completed, Failed on an exception (with
    the traceback recorded), or Canceled on KeyboardInterrupt; the exception still propagates."""
    store = context.opened(workspace).store
    parent_id = parent.id if isinstance(parent, Run) else parent
    info = store.create_run(
        experiment or os.environ.get(EXPERIMENT_ENV) or DEFAULT_EXPERIMENT,
        name=name,
        parent_id=parent_id,
        params=params,
        tags=tags,
        **context.source(),
    )
    run = Run(info.id, store.location, owned=True)
    active.append(run)
    return run


def active_run() -> Run | None:
    """The innermost run started in this process and not yet ended."""
    return active[-1] if active else None


def log(key: str, value: float, step: int | None = None, timestamp: float | None = None) -> None:
    """Log into the active run, or into `Run.get_context()` when no run is active."""
    (active[-1] if active else Run.get_context()).log(key, value, step, timestamp)


def get_run(run_id: str, workspace: WorkspaceArg = None) -> Run:
    store = context.opened(workspace).store
    return Run(store.resolve_run_id(run_id), store.location)


def list_experiments(workspace: WorkspaceArg = None) -> list[Experiment]:
    return context.opened(workspace).store.list_experiments()


class RunList(list[Run]):
    """A page of runs; pass `next_page_token` back to `search_runs` for the next page (None on the last)."""

    next_page_token: str | None = None


def search_runs(
    experiments: str | Sequence[str] | None = None,
    filter: str | None = None,
    order_by: str | Sequence[str] | None = None,
    max_results: int = 1000,
    page_token: str | None = None,
    workspace: WorkspaceArg = None,
) -> RunList:
    """Runs matching a filter such as "metrics.mse < 3 and params.alpha = 0.1", in `order_by` order."""
    found = context.opened(workspace)
    found.writer.flush()
    page = found.store.search_runs(experiments, filter, order_by, max_results, page_token)
    result = RunList(Run(info.id, found.store.location) for info in page.runs)
    result.next_page_token = page.next_page_token
    return result


def submit(
    script: str | os.PathLike[str],
    args: Sequence[str] = (),
    *,
    source_dir: str | os.PathLike[str] | None = None,
    compute: str = "local",
    experiment: str | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    workspace: WorkspaceArg = None,
) -> Run:
    """Queue `script` (inside `source_dir`, default its own folder) as a run on the compute target `compute`.

    The source folder is snapshotted first, so later edits do not change what runs. A dispatcher (the Jupyter
    server's, or `mlext agent`) starts it; follow it with `run.wait(show_output=True)`.
    """
    folder = context.local_workspace(workspace, "submitting needs")
    info = compute_submit.submit(
        folder,
        script,
        args,
        source_dir=source_dir,
        compute=compute,
        experiment=experiment or os.environ.get(EXPERIMENT_ENV) or DEFAULT_EXPERIMENT,
        name=name,
        params=params,
        tags=tags,
        timeout_s=timeout,
        user=context.user(),
    )
    reason = info.compute and why_waiting(folder, info.compute)
    if reason:
        warnings.warn(f"run {info.id[:8]} is Queued: {reason}", NoDispatcherWarning, stacklevel=2)
    return Run(info.id, str(folder.root))


class NoDispatcherWarning(UserWarning):
    """A submitted run waits Queued because nothing that could start it runs (compute/waiting.py)."""


def _say(notice: WaitNotice | None) -> None:
    """Print why a waited-on run is not starting, when that is due."""
    message = notice.due() if notice is not None else None
    if message:
        print(f"mlext: {message}", file=sys.stderr)


def flush() -> None:
    """Commit everything this process has logged, in every workspace."""
    context.flush_all()


def context_run() -> Run | None:
    return _context_run[0] if _context_run else None


def set_context_run(run: Run) -> Run:
    """Record the run of `Run.get_context()` (the first one set wins) and return it."""
    with _context_guard:
        if not _context_run:
            _context_run.append(run)
        return _context_run[0]


def _end_owned_runs(error: str | None) -> None:
    """At exit: end the runs this process still owns, Failed with `error` if the interpreter stopped on one."""
    owned = [run for run in reversed(active) if run.owned]
    current = context_run()
    if current is not None and current.owned and current not in owned:
        owned.append(current)
    for run in owned:
        if not run.status.is_terminal:
            run.end(RunStatus.FAILED if error else RunStatus.COMPLETED, error=error)


context.at_exit(_end_owned_runs)
