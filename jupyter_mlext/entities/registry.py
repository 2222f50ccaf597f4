"""The model registry: registered models, their versions, the append-only history of changes, lineage."""

from __future__ import annotations

import dataclasses

from .codec import Entity
from .runs import RunInfo


@dataclasses.dataclass(frozen=True)
class ModelVersion(Entity):
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
class RegisteredModel(Entity):
    name: str
    created_at: float
    latest_version: int | None
    version_count: int
    aliases: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RegistryChange(Entity):
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
class ModelLineage(Entity):
    """Where a version came from: its run (params, metrics, source, git commit, snapshot) and the run's parents."""

    version: ModelVersion
    run: RunInfo | None
    parents: list[RunInfo] = dataclasses.field(default_factory=list)
