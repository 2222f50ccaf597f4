"""Pipelines: published versions, pipeline runs with the state of each step, cron schedules.

Their states share one vocabulary with run statuses (runs.py): a word means the same wherever it appears in the
store, the API, the CLI and the panels, and only the states that runs have no word for are added.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from .codec import Entity


class PipelineState(str, enum.Enum):
    """A pipeline run's state. `Canceling`: a cancel was requested and its driver has not carried it out yet."""

    RUNNING = "Running"
    CANCELING = "Canceling"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELED = "Canceled"

    @property
    def is_live(self) -> bool:
        return self in (PipelineState.RUNNING, PipelineState.CANCELING)

    def __str__(self) -> str:
        return self.value


class StepState(str, enum.Enum):
    """A step's state in its pipeline run.

    `Queued` means submitted: the step's child run has the usual run statuses from there on. `Reused`: an earlier
    run's outputs stand for the step. `NotStarted`: the pipeline run failed or was canceled before the step could
    start. `Canceled`: a submitted step whose job the pipeline's cancel stopped.
    """

    PENDING = "Pending"
    QUEUED = "Queued"
    COMPLETED = "Completed"
    REUSED = "Reused"
    FAILED = "Failed"
    NOT_STARTED = "NotStarted"
    CANCELED = "Canceled"

    @property
    def is_done(self) -> bool:
        """Done well: what a downstream step may start from."""
        return self in (StepState.COMPLETED, StepState.REUSED)

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class PublishedPipeline(Entity):
    name: str
    version: int
    definition: dict[str, Any]
    snapshot_id: str | None
    user: str | None
    created_at: float


@dataclasses.dataclass(frozen=True)
class Schedule(Entity):
    """A cron schedule of a published pipeline; `last_fired` is the latest due tick that was acted on."""

    pipeline: str
    cron: str
    params: dict[str, Any]
    version: int | None
    enabled: bool
    last_fired: float
    user: str | None
    created_at: float


@dataclasses.dataclass(frozen=True)
class PipelineSummary(Entity):
    name: str
    latest_version: int
    version_count: int
    updated_at: float
    schedule: Schedule | None


@dataclasses.dataclass(frozen=True)
class PipelineStep(Entity):
    """One step of a pipeline run as stored: its state, its child run, the key it may be reused by."""

    step: str
    position: int
    state: StepState
    child_run_id: str | None
    reuse_key: str | None
    produced_by: str | None
    error: str | None
    updated_at: float


@dataclasses.dataclass(frozen=True)
class PipelineRun(Entity):
    run_id: str
    pipeline: str
    version: int | None
    definition: dict[str, Any]
    source_dir: str
    params: dict[str, Any]
    force: bool
    trigger: str
    state: PipelineState
    error: str | None
    created_at: float
    ended_at: float | None
    steps: list[PipelineStep]

    def step(self, name: str) -> PipelineStep:
        return next(s for s in self.steps if s.step == name)
