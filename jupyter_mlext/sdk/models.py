"""The model registry from Python: register versions, find them by number or alias, tag, alias, download, delete.

    mv = mlx.register_model("diabetes-ridge", run=run, path="outputs/model.pkl", tags={"area": "health"})
    mlx.set_model_alias("diabetes-ridge", "production", mv.version)
    mlx.download_model("diabetes-ridge@production", "serving/")

Every change is recorded, with the user, in the model's append-only history (`model_history`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..entities import ModelLineage, ModelVersion, RegisteredModel, RegistryChange
from ..store.registry import ModelRegistry
from . import context
from .context import WorkspaceArg
from .run import Run


def _registry(workspace: WorkspaceArg) -> ModelRegistry:
    return context.local_workspace(workspace, "the model registry needs").registry


def register_model(
    name: str,
    run: Run | str | None = None,
    path: str | os.PathLike[str] | None = None,
    *,
    tags: Mapping[str, Any] | None = None,
    properties: Mapping[str, Any] | None = None,
    framework: str | None = None,
    description: str | None = None,
    reference: bool = False,
    workspace: WorkspaceArg = None,
) -> ModelVersion:
    """Register the next version of `name`: from `run`'s artifact `path`, or (without `run`) a local file/folder.

    Files are copied into the workspace (hard-linked when they already are in it), so the version keeps its bytes
    whatever happens to the source; `reference=True` keeps only the path of local files instead.
    """
    run_id = run.id if isinstance(run, Run) else run
    return _registry(workspace).register(
        name,
        run_id=run_id,
        path=path,
        reference=reference,
        framework=framework,
        description=description,
        tags=tags,
        properties=properties,
        user=context.user(),
    )


def get_model(
    ref: str, version: int | None = None, alias: str | None = None, workspace: WorkspaceArg = None
) -> ModelVersion:
    """A version by "name" (the latest), "name:3" or "name@production" (or `version=` / `alias=`)."""
    return _registry(workspace).get(ref, version, alias)


def list_models(name_contains: str | None = None, workspace: WorkspaceArg = None) -> list[RegisteredModel]:
    return _registry(workspace).list_models(name_contains)


def search_model_versions(
    name_contains: str | None = None,
    tags: Mapping[str, Any] | None = None,
    run: Run | str | None = None,
    workspace: WorkspaceArg = None,
) -> list[ModelVersion]:
    """Versions by (part of) their model's name, by tags they all carry, or by the run they came from."""
    run_id = run.id if isinstance(run, Run) else run
    return _registry(workspace).search_versions(name_contains, tags, run_id)


def set_model_alias(name: str, alias: str, version: int, workspace: WorkspaceArg = None) -> ModelVersion:
    return _registry(workspace).set_alias(name, alias, version, user=context.user())


def delete_model_alias(name: str, alias: str, workspace: WorkspaceArg = None) -> None:
    _registry(workspace).delete_alias(name, alias, user=context.user())


def set_model_tags(name: str, version: int, tags: Mapping[str, Any], workspace: WorkspaceArg = None) -> ModelVersion:
    return _registry(workspace).set_tags(name, version, tags, user=context.user())


def delete_model_tag(name: str, version: int, key: str, workspace: WorkspaceArg = None) -> ModelVersion:
    return _registry(workspace).delete_tag(name, version, key, user=context.user())


def model_history(name: str, workspace: WorkspaceArg = None) -> list[RegistryChange]:
    return _registry(workspace).history(name)


def model_lineage(ref: str, workspace: WorkspaceArg = None) -> ModelLineage:
    """The version with its run (params, metrics, source, git commit, snapshot) and that run's parent runs."""
    return _registry(workspace).lineage(ref)


def download_model(ref: str, destination: str | os.PathLike[str] = ".", workspace: WorkspaceArg = None) -> Path:
    return _registry(workspace).download(ref, destination)


def delete_model_version(name: str, version: int, workspace: WorkspaceArg = None) -> None:
    """Refused (Conflict) while a deployment serves the version."""
    _registry(workspace).delete_version(name, version, user=context.user())
