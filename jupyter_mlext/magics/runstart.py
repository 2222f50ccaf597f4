"""Starting the run of a `%%mlrun` cell: a run of the SDK whose source is the cell and whose snapshot is the
kernel's record, and which tells the cell when its first metric is logged (so the live chart appears then).

`sdk.start_run` cannot yet take a snapshot id or a source name, so this module creates the run through the
store that the SDK itself holds for the workspace and registers it as the SDK's active run; `mlx.active_run()`
and `mlx.log()` then reach it like any other run.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from .. import sdk
from ..errors import MLExtError
from ..store import TrackingStore

FirstMetricHook = Callable[["CellRun"], None]


class CellRun(sdk.Run):
    """A run started by a `%%mlrun` cell, or a child of one.

    The first `log`/`log_batch` call calls the hook, then replaces itself on the instance by the plain SDK
    method, so every later point costs exactly what it costs on any run.
    """

    def __init__(self, run_id: str, workspace: str | os.PathLike[str], on_first_metric: FirstMetricHook) -> None:
        super().__init__(run_id, workspace, _owned=True)
        self._on_first_metric: FirstMetricHook | None = on_first_metric

    def log(self, key: str, value: float, step: int | None = None, timestamp: float | None = None) -> None:
        sdk.Run.log(self, key, value, step, timestamp)
        self._first_metric()

    def log_batch(self, points: Any) -> None:
        sdk.Run.log_batch(self, points)
        self._first_metric()

    def child(self, name: str | None = None, *, params: Mapping[str, Any] | None = None,
              tags: Mapping[str, Any] | None = None) -> CellRun:
        """A child run whose metrics show in the cell's chart too."""
        return start_cell_run(self._store, self.info.experiment, name=name, params=params, tags=tags,
                              parent_id=self.id, on_first_metric=self._hook)

    def _hook(self, run: CellRun) -> None:
        hook, self._on_first_metric = self._on_first_metric, None
        if hook is not None:
            hook(run)

    def _first_metric(self) -> None:
        self.log = super().log  # type: ignore[method-assign]
        self.log_batch = super().log_batch  # type: ignore[method-assign]
        self._hook(self)


def workspace_store() -> TrackingStore:
    """The store the SDK uses for this process's workspace (MLEXT_WORKSPACE or ./.mlext)."""
    store, _ = sdk._open(None)
    if not isinstance(store, TrackingStore):
        raise MLExtError("%%mlrun needs the workspace folder; MLEXT_TRACKING_URI points at a tracking server")
    return store


def start_cell_run(
    store: TrackingStore,
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
    source = sdk._source()
    info = store.create_run(
        experiment, name=name, parent_id=parent_id, params=params, tags=tags, user=source["user"],
        source_type="notebook", source_name=source_name, git_commit=source["git_commit"], snapshot_id=snapshot_id,
    )
    run = CellRun(info.id, store.paths.root, on_first_metric)
    sdk._active.append(run)
    return run
