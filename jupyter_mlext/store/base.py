"""The tracking store as the SDK, the widgets and the CLI see it, whichever transport is underneath.

Two implementations: `store.tracking.SqliteTracking` on the workspace's database (a folder this machine sees) and
`store.rest.RestTracking` over a server's REST API (a Dask worker, a machine without the workspace). Both are
checked by one conformance suite (tests/store/test_tracking_contract.py).

Contract of every implementation:
- thread-safe: one instance per process and workspace serves every thread;
- returned entities are frozen dataclasses (entities/), never live rows;
- input is checked before anything is written, so refused input (InvalidInput naming the field, NotFound,
  Conflict) leaves the workspace as it was;
- the abstract methods are the primitives; everything else here is derived from them, so the two transports
  cannot diverge.
"""

from __future__ import annotations

import abc
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..entities import Artifact, Experiment, LogChunk, MetricHistory, NotFound, RunInfo, RunPage, RunStatus
from . import artifacts as artifact_files
from .logs import MAX_LOG_CHUNK
from .validation import Column, Point, check_relative_path, validate_point

# A source of one artifact file: a local file, or its bytes.
FileSource = artifact_files.FileSource


class TrackingStore(abc.ABC):
    """Experiments, runs, params, tags, metrics, artifacts and logs of one workspace."""

    @property
    @abc.abstractmethod
    def location(self) -> str:
        """What names the store: the workspace folder, or the server's URL."""

    # -- runs ----------------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def create_run(
        self,
        experiment: str,
        *,
        name: str | None = None,
        parent_id: str | None = None,
        user: str | None = None,
        source_type: str | None = None,
        source_name: str | None = None,
        git_commit: str | None = None,
        snapshot_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> RunInfo:
        """A new Running run in `experiment` (created on first use); params and tags land with it."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> RunInfo: ...

    @abc.abstractmethod
    def resolve_run_id(self, id_or_prefix: str) -> str:
        """A full run id from an unambiguous prefix of at least 4 characters (what people type)."""

    @abc.abstractmethod
    def set_status(self, run_id: str, status: RunStatus | str, error: str | None = None) -> RunInfo:
        """Move a run along its state machine (entities/runs.py); a terminal status is final (Conflict)."""

    @abc.abstractmethod
    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Params are immutable: the same value again is a no-op, another value a Conflict (nothing written)."""

    @abc.abstractmethod
    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None: ...

    # -- metrics -------------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def write_metrics(self, batch: Mapping[str, Sequence[Point]]) -> None:
        """Append points of several runs, already checked by `validate_point`, all or none: the one metric write
        primitive (the SDK's background writer calls it)."""

    def write_metric_columns(self, batch: Mapping[str, tuple[Sequence[Point], Sequence[Column]]]) -> None:
        """Like `write_metrics`, with each run's points followed by its column points (`Run.log`'s fast path:
        default steps, logged after that run's points of the same key). Stores that can take columns whole
        override it; this one turns them into points."""
        self.write_metrics(
            {
                run_id: [
                    *points,
                    *(
                        (key, value, None, timestamp)
                        for key, values, timestamps in columns
                        for value, timestamp in zip(values, timestamps)
                    ),
                ]
                for run_id, (points, columns) in batch.items()
            }
        )

    @abc.abstractmethod
    def metric_history(self, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
        """The series, or at most `max_points` buckets (min, max and last of each), downsampled in SQL."""

    def log_metrics(self, run_id: str, points: Iterable[tuple[str, Any, Any, Any]]) -> int:
        """Check and append (key, value, step or None, timestamp or None) points in one batch; returns how many."""
        now = time.time()
        checked = [validate_point(key, value, step, timestamp, now) for key, value, step, timestamp in points]
        self.write_metrics({run_id: checked})
        return len(checked)

    # -- search --------------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def search_runs(
        self,
        experiments: str | Sequence[str] | None = None,
        filter: str | None = None,
        order_by: str | Sequence[str] | None = None,
        max_results: int = 1000,
        page_token: str | None = None,
    ) -> RunPage:
        """Runs matching a filter of the search language (store/search.py), one page at a time."""

    @abc.abstractmethod
    def list_experiments(self) -> list[Experiment]: ...

    def get_experiment(self, name: str) -> Experiment:
        for experiment in self.list_experiments():
            if experiment.name == name:
                return experiment
        raise NotFound(f"no experiment named {name!r}", field="experiment")

    def children(self, run_id: str) -> list[RunInfo]:
        """The direct child runs of a run, oldest first."""
        runs: list[RunInfo] = []
        token = None
        while True:
            quoted = run_id.replace("'", "''")
            page = self.search_runs(
                filter=f"parent_id = '{quoted}'", order_by="created_at", max_results=10_000, page_token=token
            )
            runs += page.runs
            token = page.next_page_token
            if token is None:
                return runs

    # -- artifacts -----------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def store_files(self, run_id: str, files: Sequence[tuple[FileSource, str]]) -> list[Artifact]:
        """Store files as artifacts of a run: each (local file or bytes, checked relative artifact path)."""

    @abc.abstractmethod
    def list_artifacts(self, run_id: str, path: str | None = None) -> list[Artifact]:
        """All artifacts of a run, or those at `path` and below it."""

    @abc.abstractmethod
    def copy_artifact(self, run_id: str, path: str, target: BinaryIO) -> None:
        """Write the content of one artifact into `target`."""

    def log_artifact(self, run_id: str, local_path: str | os.PathLike[str], name: str | None = None) -> list[Artifact]:
        """Copy a file or a folder into the run's artifacts; `name` is its path there (default: its own name)."""
        files = artifact_files.files_to_copy(Path(local_path), name)
        return self.store_files(run_id, [(source, relative) for source, relative in files])

    def write_artifact(self, run_id: str, name: str, data: bytes) -> Artifact:
        return self.store_files(run_id, [(data, check_relative_path(name, "name"))])[0]

    def download_artifacts(self, run_id: str, path: str | None, destination: str | os.PathLike[str]) -> list[Path]:
        """Copy one artifact or a folder of them under `destination`, keeping their relative paths."""
        found = self.list_artifacts(run_id, path)
        if not found:
            raise NotFound(
                f"run {run_id} has no artifact {path!r}" if path else f"run {run_id} has no artifacts", field="path"
            )
        written = []
        for artifact in found:
            target = Path(destination) / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            try:
                with open(partial, "wb") as handle:
                    self.copy_artifact(run_id, artifact.path, handle)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            written.append(target)
        return written

    # -- logs ----------------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def read_log(self, run_id: str, offset: int = 0, max_bytes: int = MAX_LOG_CHUNK) -> LogChunk:
        """Up to `max_bytes` of the run's log from `offset` (negative: from the end), cut after a whole line;
        follow a running run by asking again from `next_offset` until `complete`."""

    def follow_log(self, run_id: str, offset: int = 0, poll_s: float = 0.25) -> Iterator[LogChunk]:
        """The run's log chunk by chunk from `offset` while it grows, until the run has ended and all is read
        (what `Run.wait(show_output=True)` and `mlext runs logs --follow` print). An empty chunk is yielded at
        each poll that found nothing new, so a caller can give up or say something while it waits."""
        while True:
            chunk = self.read_log(run_id, offset)
            offset = chunk.next_offset
            yield chunk
            if chunk.complete:
                return
            if chunk.next_offset >= chunk.size:
                time.sleep(poll_s)

    def close(self) -> None:  # noqa: B027 - nothing to release unless the transport holds something
        """Release what the store holds (connections)."""
