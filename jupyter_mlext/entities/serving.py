"""Online endpoints and their deployments."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from .codec import Entity


class DeploymentStatus(str, enum.Enum):
    """Where a deployment's scoring process is: `Down` is never stored; it is how a Ready deployment whose
    recorded process has gone is shown."""

    STARTING = "Starting"
    READY = "Ready"
    FAILED = "Failed"
    DOWN = "Down"

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class Deployment(Entity):
    """One model version served by its own scoring process behind an endpoint."""

    endpoint: str
    name: str
    model_name: str
    model_version: int
    script: str
    snapshot_id: str | None
    port: int | None
    pid: int | None
    pid_started_at: float | None
    status: DeploymentStatus
    error: str | None
    user: str | None
    created_at: float
    updated_at: float
    traffic: int = 0


@dataclasses.dataclass(frozen=True)
class Endpoint(Entity):
    """A scoring URL with a key, routing each request to one of its deployments by the traffic split."""

    name: str
    url: str | None
    scoring_url: str | None
    key: str
    port: int | None
    pid: int | None
    pid_started_at: float | None
    traffic: dict[str, int]
    config_version: int
    run_id: str | None
    user: str | None
    created_at: float
    updated_at: float
    deployments: list[Deployment] = dataclasses.field(default_factory=list)

    def public_dict(self) -> dict[str, Any]:
        """The endpoint without its key: what anyone who may read the workspace sees (the key is asked for on
        its own, by someone allowed to change the endpoint)."""
        found = self.to_dict()
        del found["key"]
        return found


@dataclasses.dataclass(frozen=True)
class RoutingConfig:
    """What a router needs: its key, the split and where each deployment listens."""

    version: int
    key: str
    pid: int | None
    traffic: dict[str, int]
    ports: dict[str, int]
    statuses: dict[str, DeploymentStatus]
