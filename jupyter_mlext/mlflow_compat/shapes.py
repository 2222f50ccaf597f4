"""Our experiments, runs and metrics in the JSON shapes of MLflow's REST protocol (its protobuf messages as JSON).

Times are integer milliseconds; non-finite metric values are spelt "NaN", "Infinity", "-Infinity" as protobuf's
JSON mapping does; a run's system tags (mlflow.runName, mlflow.parentRunId, mlflow.user, mlflow.source.*) are
written from the run's own fields, which hold them (filters.SYSTEM_TAGS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import Experiment, RunInfo
from ..entities.mlflow import ExperimentRecord, RunIO
from .filters import SYSTEM_TAGS
from .statuses import mlflow_status

DEFAULT_EXPERIMENT = "Default"
DEFAULT_EXPERIMENT_ID = "0"


def ms(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * 1000))


def number(value: float | None) -> float | str:
    """A metric value as protobuf's JSON writes a double."""
    if value is None or math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def key_values(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in values.items()]


def experiment_id(experiment: Experiment) -> str:
    """MLflow's id of an experiment: "0" for Default (as every MLflow store has it), else ours."""
    return DEFAULT_EXPERIMENT_ID if experiment.name == DEFAULT_EXPERIMENT else str(experiment.id)


def experiment(record: ExperimentRecord) -> dict[str, Any]:
    found = record.experiment
    eid = experiment_id(found)
    return {
        "experiment_id": eid,
        "name": found.name,
        "artifact_location": f"mlflow-artifacts:/{eid}",
        "lifecycle_stage": "active" if record.deleted_at is None else "deleted",
        "creation_time": ms(found.created_at),
        "last_update_time": ms(record.deleted_at or found.created_at),
        "tags": key_values(record.tags),
    }


def artifact_uri(run: RunInfo) -> str:
    eid = DEFAULT_EXPERIMENT_ID if run.experiment == DEFAULT_EXPERIMENT else str(run.experiment_id)
    return f"mlflow-artifacts:/{eid}/{run.id}/artifacts"


def system_tags(run: RunInfo) -> dict[str, str]:
    values = {
        "name": run.name,
        "parent_id": run.parent_id,
        "user": run.user,
        "source_name": run.source_name,
        "source_type": run.source_type,
        "git_commit": run.git_commit,
    }
    return {tag: values[field] for tag, field in SYSTEM_TAGS.items() if values[field] is not None}  # type: ignore[misc]


def run(info: RunInfo, deleted_at: float | None = None, io: Sequence[RunIO] = ()) -> dict[str, Any]:
    eid = DEFAULT_EXPERIMENT_ID if info.experiment == DEFAULT_EXPERIMENT else str(info.experiment_id)
    run_info: dict[str, Any] = {
        "run_id": info.id,
        "run_uuid": info.id,
        "run_name": info.name,
        "experiment_id": eid,
        "user_id": info.user or "",
        "status": mlflow_status(info.status),
        "start_time": ms(info.started_at or info.created_at),
        "artifact_uri": artifact_uri(info),
        "lifecycle_stage": "active" if deleted_at is None else "deleted",
    }
    if info.ended_at is not None:
        run_info["end_time"] = ms(info.ended_at)
    tags = {**system_tags(info), **info.tags}
    return {
        "info": run_info,
        "data": {
            "metrics": [
                {"key": s.key, "value": number(s.last), "timestamp": ms(s.last_timestamp), "step": s.last_step}
                for s in info.metrics.values()
            ],
            "params": key_values(info.params),
            "tags": key_values(tags),
        },
        "inputs": {
            "dataset_inputs": [i.payload for i in io if i.direction == "input" and i.kind == "dataset"],
            "model_inputs": [i.payload for i in io if i.direction == "input" and i.kind == "model"],
        },
        "outputs": {"model_outputs": [i.payload for i in io if i.direction == "output"]},
    }


def metric(key: str, step: int, timestamp: float, value: float | None) -> dict[str, Any]:
    return {"key": key, "value": number(value), "timestamp": ms(timestamp), "step": step}
