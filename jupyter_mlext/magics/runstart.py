"""Starting the run of a `%%mlrun` cell: a run of the SDK whose source is the cell and whose snapshot is the
kernel's record, and which tells the cell when its first metric is logged (so the live chart appears then).

The run is created in the workspace the SDK holds for this process (sdk/context.py) with the cell's snapshot
and source, and registered as an active run of this process, so `mlx.active_run()` and `mlx.log()` reach it
like any other run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ..sdk import context
from ..sdk import run as sdk_run
from ..sdk.run import Run
from ..store import Workspace

FirstMetricHook = Callable[["CellRun"], None]


class CellRun(Run):
    """A run started by a `%%mlrun` cell, or a child of one.

    The first `log`/`log_batch` call calls the hook, then replaces itself on the instance by the plain SDK
    method, so every later point costs exactly what it costs on any run.
    """

    def __init__(self, run_id: str, workspace: str | os.PathLike[str], on_first_metric: FirstMetricHook) -> None:
        super().__init__(run_id, workspace, owned=True)
        self._on_first_metric: FirstMetricHook | None = on_first_metric

    def log(self, key: str, value: float, step: int | None = None, timestamp: float | None = None) -> None:
        Run.log(self, key, value, step, timestamp)
        self._first_metric()

    def log_batch(self, points: Any) -> None:
        Run.log_batch(self, points)
        self._first_metric()

    def child(
        self, name: str | None = None, *, params: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None
    ) -> CellRun:
        """A child run whose metrics show in the cell's chart too."""
        return start_cell_run(
            workspace_of_process(),
            self.info.experiment,
            name=name,
            params=params,
            tags=tags,
            parent_id=self.id,
            on_first_metric=self._hook,
        )

    def _hook(self, run: CellRun) -> None:
        hook, self._on_first_metric = self._on_first_metric, None
        if hook is not None:
            hook(run)

    def _first_metric(self) -> None:
        self.log = super().log  # type: ignore[method-assign]
        self.log_batch = super().log_batch  # type: ignore[method-assign]
        self._hook(self)


def workspace_of_process() -> Workspace:
    """The workspace the SDK uses for this process (MLEXT_WORKSPACE or ./.mlext)."""
    return context.local_workspace(None, "%%mlrun needs")


def start_cell_run(
    workspace: Workspace,
    experiment: str,
    *,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    parent_id: str | None = None,
    source_name: str | None = None,
    snapshot_id: str | None = None,
    on_first_metric: FirstMetricHook,
) -> CellRun:
    """Create the run (Running) and make it the SDK's active run until it ends."""
    source = context.source()
    info = workspace.tracking.create_run(
        experiment,
        name=name,
        parent_id=parent_id,
        params=params,
        tags=tags,
        user=source["user"],
        source_type="notebook",
        source_name=source_name,
        git_commit=source["git_commit"],
        snapshot_id=snapshot_id,
    )
    run = CellRun(info.id, str(workspace.root), on_first_metric)
    sdk_run.active.append(run)
    return run
