"""Compute targets and the jobs of submitted runs."""

from __future__ import annotations

import dataclasses
import enum

from .codec import Entity


class TargetKind(str, enum.Enum):
    LOCAL = "local"
    DASK = "dask"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class ComputeTarget(Entity):
    """Where submitted runs execute; `busy` and `queued` count its runs now."""

    name: str
    kind: TargetKind
    address: str | None
    concurrency: int
    created_at: float
    busy: int = 0
    queued: int = 0


@dataclasses.dataclass(frozen=True)
class JobSpec(Entity):
    """What to execute for a submitted run: `entry` (a script path inside the snapshot) with `args`."""

    target: str
    entry: str
    args: list[str]
    timeout_s: float | None = None


@dataclasses.dataclass(frozen=True)
class Job(Entity):
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
