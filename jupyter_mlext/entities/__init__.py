"""The shapes every layer shares: frozen dataclasses, enums, the run state machine and the error hierarchy.

Nothing here imports anything else of jupyter-mlext, so every other package may import from here.
"""

from .codec import Entity, decode, jsonable, number
from .compute import ComputeTarget, Job, JobSpec, TargetKind
from .errors import (
    Conflict,
    InvalidInput,
    MLExtError,
    NotFound,
    StorageError,
    StorageFull,
    TooLarge,
    WorkspaceError,
)
from .pipelines import (
    PipelineRun,
    PipelineState,
    PipelineStep,
    PipelineSummary,
    PublishedPipeline,
    Schedule,
    StepState,
)
from .registry import ModelLineage, ModelVersion, RegisteredModel, RegistryChange
from .runs import (
    ALLOWED_TRANSITIONS,
    TERMINAL_STATUSES,
    Artifact,
    Event,
    Experiment,
    LogChunk,
    MetricHistory,
    MetricSummary,
    RunInfo,
    RunPage,
    RunStatus,
)
from .serving import Deployment, DeploymentStatus, Endpoint, RoutingConfig
from .sweeps import Sweep, SweepState, Trial, TrialState

__all__ = [
    "ALLOWED_TRANSITIONS",
    "TERMINAL_STATUSES",
    "Artifact",
    "ComputeTarget",
    "Conflict",
    "Deployment",
    "DeploymentStatus",
    "Endpoint",
    "Entity",
    "Event",
    "Experiment",
    "InvalidInput",
    "Job",
    "JobSpec",
    "LogChunk",
    "MLExtError",
    "MetricHistory",
    "MetricSummary",
    "ModelLineage",
    "ModelVersion",
    "NotFound",
    "TooLarge",
    "PipelineRun",
    "PipelineState",
    "PipelineStep",
    "PipelineSummary",
    "PublishedPipeline",
    "RegisteredModel",
    "RegistryChange",
    "RoutingConfig",
    "RunInfo",
    "RunPage",
    "RunStatus",
    "Schedule",
    "StepState",
    "StorageError",
    "StorageFull",
    "Sweep",
    "SweepState",
    "TargetKind",
    "Trial",
    "TrialState",
    "WorkspaceError",
    "decode",
    "jsonable",
    "number",
]
