"""What the MLflow-compatible API keeps beside our own entities (migration m011): deletion marks, experiment and
registered-model tags, runs' inputs and outputs, MLflow 3's logged models. Plain frozen records; the wire shapes
MLflow's client expects are written by mlflow_compat/shapes.py."""

from __future__ import annotations

import dataclasses
from typing import Any

from .runs import Experiment


@dataclasses.dataclass(frozen=True)
class ExperimentRecord:
    experiment: Experiment
    deleted_at: float | None
    tags: dict[str, str]


@dataclasses.dataclass(frozen=True)
class RunIO:
    """One input (a dataset, a model) or output (a model) of a run, as the client described it."""

    direction: str  # "input" or "output"
    kind: str  # "dataset" or "model"
    payload: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class LoggedModel:
    """An MLflow 3 logged model: files, params and tags, usually made by a run (`source_run_id`)."""

    id: str
    experiment_id: int
    name: str
    source_run_id: str | None
    model_type: str | None
    status: str
    status_message: str | None
    user: str | None
    created_at: float
    updated_at: float
    deleted_at: float | None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    params: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RegisteredModelMeta:
    """A registered model's description, tags and times, which our registry (registry.py) does not hold."""

    name: str
    created_at: float
    updated_at: float | None
    description: str | None
    tags: dict[str, str]
