"""Plain data shapes shared by the store, the SDK, the CLI and the REST layer.

They are entities, not rows: the store maps rows to them, and every outer layer serialises them with
`to_dict()`, so one shape reaches Python callers, JSON clients and the terminal alike.
"""
from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any


class RunStatus(str, enum.Enum):
    QUEUED = "Queued"
    PREPARING = "Preparing"
    RUNNING = "Running"
    FINALIZING = "Finalizing"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELED = "Canceled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    def __str__(self) -> str:
        return self.value


TERMINAL_STATUSES = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED})

# A run only moves forward; a terminal status is final. The store refuses every other transition.
ALLOWED_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.PREPARING, RunStatus.RUNNING} | TERMINAL_STATUSES),
    RunStatus.PREPARING: frozenset({RunStatus.RUNNING} | TERMINAL_STATUSES),
    RunStatus.RUNNING: frozenset({RunStatus.FINALIZING} | TERMINAL_STATUSES),
    RunStatus.FINALIZING: TERMINAL_STATUSES,
    RunStatus.COMPLETED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELED: frozenset(),
}


def jsonable(value: Any) -> Any:
    """JSON has no NaN/inf: they travel as the strings "NaN", "Infinity", "-Infinity" and come back as floats."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class _Entity:
    def to_dict(self) -> dict[str, Any]:
        return jsonable(dataclasses.asdict(self))  # type: ignore[call-overload]


@dataclasses.dataclass(frozen=True)
class Experiment(_Entity):
    id: int
    name: str
    created_at: float
    run_count: int = 0


@dataclasses.dataclass(frozen=True)
class MetricSummary(_Entity):
    """Latest, smallest and largest value of one metric of one run, kept up to date on every write."""

    key: str
    last: float
    min: float | None
    max: float | None
    last_step: int
    last_timestamp: float
    count: int


@dataclasses.dataclass(frozen=True)
class RunInfo(_Entity):
    id: str
    experiment_id: int
    experiment: str
    parent_id: str | None
    name: str
    status: RunStatus
    created_at: float
    started_at: float | None
    ended_at: float | None
    user: str | None
    source_type: str | None
    source_name: str | None
    compute: str | None
    git_commit: str | None
    snapshot_id: str | None
    error: str | None
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    metrics: dict[str, MetricSummary] = dataclasses.field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at


@dataclasses.dataclass(frozen=True)
class MetricHistory(_Entity):
    """A metric series as parallel columns; when downsampled, each point stands for a bucket.

    `values` holds each bucket's last value (what a line chart draws), `mins`/`maxs` its extremes (the band
    around the line), so spikes survive downsampling.
    """

    run_id: str
    key: str
    steps: list[int]
    timestamps: list[float]
    values: list[float]
    mins: list[float]
    maxs: list[float]
    total_points: int
    downsampled: bool


@dataclasses.dataclass(frozen=True)
class Artifact(_Entity):
    run_id: str
    path: str
    size: int
    sha256: str
    created_at: float


@dataclasses.dataclass(frozen=True)
class RunPage(_Entity):
    runs: list[RunInfo]
    next_page_token: str | None


@dataclasses.dataclass(frozen=True)
class Event(_Entity):
    """One entry of the workspace's change feed; `seq` is the cursor a client resumes from."""

    seq: int
    at: float
    kind: str
    run_id: str | None
    data: dict[str, Any]


class TargetKind(str, enum.Enum):
    LOCAL = "local"
    DASK = "dask"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class ComputeTarget(_Entity):
    """Where submitted runs execute; `busy` and `queued` count its runs now."""

    name: str
    kind: TargetKind
    address: str | None
    concurrency: int
    created_at: float
    busy: int = 0
    queued: int = 0


@dataclasses.dataclass(frozen=True)
class JobSpec(_Entity):
    """What to execute for a submitted run: `entry` (a script path inside the snapshot) with `args`."""

    target: str
    entry: str
    args: list[str]
    timeout_s: float | None = None


@dataclasses.dataclass(frozen=True)
class Job(_Entity):
    """The execution record of a submitted run: who claimed it, which process runs it, how it ended."""

    run_id: str
    target: str
    entry: str
    args: list[str]
    timeout_s: float | None
    queued_at: float
    attempt: str | None
    host: str | None
    pid: int | None
    pid_started_at: float | None
    exit_code: int | None
    cancel_requested: bool


@dataclasses.dataclass(frozen=True)
class LogChunk(_Entity):
    """A piece of a run's log; read on from `next_offset`. `complete` once the run has ended and all is read."""

    run_id: str
    offset: int
    next_offset: int
    text: str
    size: int
    complete: bool


@dataclasses.dataclass(frozen=True)
class ModelVersion(_Entity):
    """One registered version of a model.

    `location` is where its files are: a folder under the workspace's `models/` when they were copied in
    (`stored == "copy"`), or the absolute path they were registered from (`stored == "reference"`).
    """

    name: str
    version: int
    run_id: str | None
    source: str
    stored: str
    location: str
    framework: str | None
    description: str | None
    user: str | None
    created_at: float
    size: int
    file_count: int
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    properties: dict[str, str] = dataclasses.field(default_factory=dict)
    aliases: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class RegisteredModel(_Entity):
    name: str
    created_at: float
    latest_version: int | None
    version_count: int
    aliases: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RegistryChange(_Entity):
    """One line of a model's append-only history: who registered, tagged, aliased or deleted what, and when."""

    seq: int
    at: float
    user: str | None
    name: str
    version: int | None
    action: str
    key: str | None
    value: str | None
    previous: str | None


@dataclasses.dataclass(frozen=True)
class ModelLineage(_Entity):
    """Where a version came from: its run (params, metrics, source, git commit, snapshot) and the run's parents."""

    version: ModelVersion
    run: RunInfo | None
    parents: list[RunInfo] = dataclasses.field(default_factory=list)
