"""Run statuses both ways. MLflow has five (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED); ours are a finer state
machine (entities/runs.py), so each of ours shows as one of MLflow's and each of MLflow's stands for one or two of
ours."""

from __future__ import annotations

from ..entities import InvalidInput, RunStatus

_TO_MLFLOW = {
    RunStatus.QUEUED: "SCHEDULED",
    RunStatus.PREPARING: "SCHEDULED",
    RunStatus.RUNNING: "RUNNING",
    RunStatus.FINALIZING: "RUNNING",
    RunStatus.COMPLETED: "FINISHED",
    RunStatus.FAILED: "FAILED",
    RunStatus.CANCELED: "KILLED",
}
# What an MLflow client asks a run to become.
_FROM_MLFLOW = {
    "SCHEDULED": RunStatus.QUEUED,
    "RUNNING": RunStatus.RUNNING,
    "FINISHED": RunStatus.COMPLETED,
    "FAILED": RunStatus.FAILED,
    "KILLED": RunStatus.CANCELED,
}


def mlflow_status(status: RunStatus) -> str:
    return _TO_MLFLOW[status]


def our_status(status: str) -> RunStatus:
    try:
        return _FROM_MLFLOW[status.upper()]
    except (KeyError, AttributeError):
        raise InvalidInput(f"status must be one of {', '.join(_FROM_MLFLOW)}, got {status!r}", field="status") from None


def our_statuses(status: str) -> list[str]:
    """Every status of ours that shows as MLflow's `status` (for filters)."""
    wanted = status.upper()
    if wanted not in _FROM_MLFLOW:
        raise InvalidInput(f"filter: unknown status {status!r} (one of {', '.join(_FROM_MLFLOW)})", field="filter")
    return [ours.value for ours, theirs in _TO_MLFLOW.items() if theirs == wanted]
