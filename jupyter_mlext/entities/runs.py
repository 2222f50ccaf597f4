"""Runs and what they hold: the run status state machine, experiments, metrics, artifacts, logs, change events.

They are entities, not rows: the store maps rows to them, and every outer layer serialises them with
`to_dict()`, so one shape reaches Python callers, JSON clients and the terminal alike.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from .codec import Entity


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


@dataclasses.dataclass(frozen=True)
class Experiment(Entity):
    id: int
    name: str
    created_at: float
    run_count: int = 0


@dataclasses.dataclass(frozen=True)
class MetricSummary(Entity):
    """Latest, smallest and largest value of one metric of one run, kept up to date on every write."""

    key: str
    last: float
    min: float | None
    max: float | None
    last_step: int
    last_timestamp: float
    count: int


@dataclasses.dataclass(frozen=True)
class RunInfo(Entity):
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
class MetricHistory(Entity):
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
class Artifact(Entity):
    run_id: str
    path: str
    size: int
    sha256: str
    created_at: float


@dataclasses.dataclass(frozen=True)
class RunPage(Entity):
    runs: list[RunInfo]
    next_page_token: str | None


@dataclasses.dataclass(frozen=True)
class Event(Entity):
    """One entry of the workspace's change feed; `seq` is the cursor a client resumes from."""

    seq: int
    at: float
    kind: str
    run_id: str | None
    data: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class LogChunk(Entity):
    """A piece of a run's log; read on from `next_offset`. `complete` once the run has ended and all is read."""

    run_id: str
    offset: int
    next_offset: int
    text: str
    size: int
    complete: bool
