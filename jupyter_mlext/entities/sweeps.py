"""Sweeps (hyperparameter tuning) as every layer sees them: the sweep, its trials and their states.

A sweep is a parent run; each trial is a child run whose params are the sampled values. The sweep's own record
(definition, state, trials with their sampled values and outcomes) lives in the store beside the runs, so any
process that takes the sweep's lease carries it on with the decisions already taken.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from .codec import Entity
from .pipelines import PipelineState

# A sweep is driven under a lease like a pipeline run and moves through the same states (Canceling: a cancel was
# requested and its driver has not carried it out yet), so it uses that vocabulary rather than a copy of it.
SweepState = PipelineState


class TrialState(str, enum.Enum):
    """`Pending`: sampled, its run not yet made; `Stopped`: ended early by the sweep's termination policy;
    `Lost`: its process died with no outcome (a crash), replaced once by a new attempt."""

    PENDING = "Pending"
    QUEUED = "Queued"
    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPED = "Stopped"
    CANCELED = "Canceled"
    LOST = "Lost"

    @property
    def is_active(self) -> bool:
        """Whether the trial holds one of the sweep's `max_concurrent` slots."""
        return self in (TrialState.PENDING, TrialState.QUEUED, TrialState.RUNNING)

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class Trial(Entity):
    sweep_id: str
    number: int
    attempt: int
    run_id: str | None
    params: dict[str, Any]
    state: TrialState
    value: float | None
    error: str | None
    evaluated: int
    created_at: float
    ended_at: float | None


@dataclasses.dataclass(frozen=True)
class Sweep(Entity):
    """`id` is the parent run's id. `definition` is the checked SweepSpec as a dict (sweeps/definition.py).
    `opened_at` is when it was created or last resumed: its `timeout` counts from there."""

    id: str
    experiment: str
    state: SweepState
    definition: dict[str, Any]
    max_trials: int
    error: str | None
    created_at: float
    opened_at: float
    ended_at: float | None
    trial_counts: dict[str, int] = dataclasses.field(default_factory=dict)
    best_trial: int | None = None
    best_value: float | None = None
