"""Running one `%%mlrun` cell as a tracked run.

Order matters: the cell is compiled first (a syntax error creates no run), then the kernel's record is stored as
the run's snapshot and the run starts, the `--param` values land in the user namespace, and the cell executes
with its output tee'd to the run log. However it ends, the run gets its final status (Completed; Failed with the
traceback in its log and its error; Canceled on KeyboardInterrupt) before the exception reaches IPython, and the
live chart (if a metric was logged) is redrawn one last time from the kernel thread so the notebook keeps the
final picture.
"""

from __future__ import annotations

import ast
import os
import sys
import threading
import traceback
from types import CodeType, TracebackType
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from ..entities import MLExtError, RunStatus
from ..sdk.run import DEFAULT_EXPERIMENT, EXPERIMENT_ENV
from ..store import Workspace
from .options import CellOptions
from .record import SESSION_VARIABLES, KernelRecorder
from .runstart import CellRun, start_cell_run, workspace_of_process
from .snapshot import store_record
from .tee import LogTee

INTERRUPTED = "interrupted (KeyboardInterrupt)"


class CellRunner:
    """Runs `%%mlrun` cells of one kernel; holds what is cached across cells (the kernel recorder)."""

    def __init__(self, shell: InteractiveShell, recorder: KernelRecorder) -> None:
        self.shell = shell
        self.recorder = recorder

    def run(self, options: CellOptions, body: str, default_experiment: str | None) -> Any:
        """Execute `body` as a run; returns the value of its last expression (shown as the cell's result)."""
        __tracebackhide__ = True  # IPython hides this frame in the traceback it shows for the cell
        code, last, filename = _compile(self.shell, body)
        chart = _CellChart(options.chart)
        try:
            workspace = workspace_of_process()
            run = self._start(workspace, options, body, default_experiment, chart)
        except MLExtError as refusal:
            raise UsageError(f"%%mlrun: {refusal.message}") from None
        chart.root = run
        self.shell.user_ns.update(options.params)
        tee = LogTee(workspace.tracking.log_file(run.id))
        status, error = RunStatus.COMPLETED, None
        try:
            with tee:
                exec(code, self.shell.user_ns)  # noqa: S102 - running the user's cell is the point
                return None if last is None else eval(last, self.shell.user_ns)  # noqa: S307
        except KeyboardInterrupt as exc:
            status, error = RunStatus.CANCELED, INTERRUPTED
            tee.append(f"{_user_traceback(exc, filename)}{INTERRUPTED}: run canceled\n")
            raise
        except BaseException as exc:
            status, error = RunStatus.FAILED, _user_traceback(exc, filename)
            tee.append(error)
            raise
        finally:
            try:
                run.end(status, error=error)
            finally:
                chart.finish()

    def _start(
        self, workspace: Workspace, options: CellOptions, body: str, default_experiment: str | None, chart: _CellChart
    ) -> CellRun:
        """Store the kernel's record as a snapshot, then create the run on it (bad names raise MLExtError)."""
        experiment = options.experiment or default_experiment or os.environ.get(EXPERIMENT_ENV) or DEFAULT_EXPERIMENT
        notebook = _notebook_path(self.shell)
        count = _cell_number(self.shell)
        record = self.recorder.capture(
            _executed_cells(self.shell), body, os.path.basename(notebook) if notebook else None
        )
        return start_cell_run(
            workspace,
            experiment,
            name=options.name,
            params=options.params,
            tags=options.tags,
            source_name=f"{notebook} In[{count}]" if notebook else f"In[{count}]",
            snapshot_id=store_record(workspace, record),
            on_first_metric=chart.show,
        )


def _compile(shell: InteractiveShell, body: str) -> tuple[CodeType, CodeType | None, str]:
    """The cell body as code (IPython syntax such as `!cmd` and `%magic` lines included), with its last
    expression apart so its value can be the cell's result. A leading newline keeps line numbers in tracebacks
    equal to the notebook's, whose line 1 is `%%mlrun`."""
    source = "\n" + shell.transform_cell(body)  # type: ignore[no-untyped-call]  # IPython leaves it unannotated
    filename = shell.compile.cache(source, _cell_number(shell))
    tree = ast.parse(source, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(
            ast.Expression(tree.body.pop().value), filename, "eval", flags=shell.compile.flags, dont_inherit=True
        )
    return compile(tree, filename, "exec", flags=shell.compile.flags, dont_inherit=True), last, filename


def _user_traceback(exc: BaseException, filename: str) -> str:
    """The traceback from the cell's own frame down: the frames of this runner are not the user's concern."""
    tb: TracebackType | None = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


def _executed_cells(shell: InteractiveShell) -> list[tuple[int, str]]:
    """(execution number, raw source) of every cell run so far in this kernel, this one included."""
    assert shell.history_manager is not None  # an InteractiveShell sets up its history when it starts
    history = shell.history_manager.input_hist_raw
    return [(number, source) for number, source in enumerate(history) if number > 0]


def _cell_number(shell: InteractiveShell) -> int:
    """The In[] number of the cell being executed: the last one stored in the history."""
    assert shell.history_manager is not None  # an InteractiveShell sets up its history when it starts
    return len(shell.history_manager.input_hist_raw) - 1


def _notebook_path(shell: InteractiveShell) -> str | None:
    """The kernel's notebook as the frontend named it: `__session__` (ipykernel sets it from the Jupyter server's
    JPY_SESSION_NAME, the notebook's absolute path), VS Code's `__vsc_ipynb_file__`, else JPY_SESSION_NAME itself
    (kernels whose shell does not set `__session__`). The run's source then names the notebook, not only a cell."""
    candidates = [shell.user_ns.get(variable) for variable in SESSION_VARIABLES]
    candidates.append(os.environ.get("JPY_SESSION_NAME"))
    for value in candidates:
        if isinstance(value, str) and value:
            return value
    return None


class _CellChart:
    """The live chart under a `%%mlrun` cell: displayed when the cell's run (or a child of it) logs its first
    metric, following the run and its children until the cell ends."""

    def __init__(self, keys: list[str] | None) -> None:
        self.keys = keys
        self.root: CellRun | None = None
        self._chart: Any = None
        self._guard = threading.Lock()

    def show(self, _first: CellRun) -> None:
        """Called from inside the user's logging call: a chart that cannot be drawn must not fail the training,
        so a failure here is reported in one line and the run goes on."""
        with self._guard:
            if self._chart is not None or self.root is None:
                return
            try:
                from ..widgets import LiveChart

                self._chart = LiveChart(self.root, self.keys, include_children=True)
            except Exception as error:  # noqa: BLE001 - see the docstring
                print(f"jupyter-mlext: the live chart is off for this run: {error}", file=sys.stderr)
                return
        display(self._chart)  # type: ignore[no-untyped-call]  # IPython leaves it unannotated

    def finish(self) -> None:
        """Stop following and draw the final picture from the kernel thread (a frontend that saves the notebook,
        or nbclient, records the widget state from messages sent while the cell runs)."""
        with self._guard:
            chart = self._chart
        if chart is not None:
            try:
                chart.stop()
            except Exception as error:  # noqa: BLE001 - the run has ended; the chart must not hide how
                print(f"jupyter-mlext: the live chart could not draw the end of the run: {error}", file=sys.stderr)
