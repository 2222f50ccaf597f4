"""MLflow's artifact proxy (`mlflow-artifacts:/…` URIs) over our artifacts.

    <experiment id>/<run id>/artifacts/<path>                   a run's artifacts (store/tracking.py)
    <experiment id>/models/<logged model id>/artifacts/<path>   a logged model's files (store/logged_models.py)
    registry/<registered model id>/<version>/<path>             a model version's files (read only)

The first two are where runs' and logged models' `artifact_uri` point; the third is what get-download-uri
answers for a model version, so a client loading `models:/name/3` reads the registry's own copy.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from ..entities import InvalidInput, NotFound
from ..store import Workspace
from ..store.artifacts import contained_path
from ..store.validation import check_relative_path


@dataclasses.dataclass(frozen=True)
class Location:
    kind: str  # "run", "model" or "registry"
    owner: str  # run id, logged model id, or "name\0version"
    path: str  # inside the owner, "" for its root


def locate(ws: Workspace, uri_path: str) -> Location:
    parts = [part for part in uri_path.strip("/").split("/") if part]
    if len(parts) >= 3 and parts[0] == "registry" and parts[1].isdigit() and parts[2].isdigit():
        name = ws.mlflow_registry.model_name(int(parts[1]))
        return Location("registry", f"{name}\0{parts[2]}", _inner(parts[3:]))
    if len(parts) >= 4 and parts[1] == "models" and parts[3] == "artifacts":
        return Location("model", parts[2], _inner(parts[4:]))
    if len(parts) >= 3 and parts[2] == "artifacts":
        return Location("run", parts[1], _inner(parts[3:]))
    raise NotFound(f"no artifact location {uri_path!r}", field="path")


def _inner(parts: list[str]) -> str:
    return check_relative_path("/".join(parts), "path") if parts else ""


def upload(ws: Workspace, uri_path: str, data: bytes) -> None:
    where = locate(ws, uri_path)
    if not where.path:
        raise InvalidInput("an upload names a file", field="path")
    if where.kind == "run":
        ws.tracking.store_files(where.owner, [(data, where.path)])
    elif where.kind == "model":
        ws.logged_models.store_files(ws.logged_models.get(where.owner), [(data, where.path)])
    else:
        raise InvalidInput("a registered model version's files cannot be changed", field="path")


def file(ws: Workspace, uri_path: str) -> Path:
    """The file to send for a download."""
    where = locate(ws, uri_path)
    if where.kind == "run":
        return ws.tracking.artifact_file(where.owner, where.path)
    if where.kind == "model":
        return ws.logged_models.file(ws.logged_models.get(where.owner), where.path)
    root = _registry_root(ws, where)
    found = contained_path(root, where.path) if root.is_dir() else root
    if not found.is_file():
        raise NotFound(f"no artifact {uri_path!r}", field="path")
    return found


def listing(ws: Workspace, uri_path: str) -> dict[str, Any]:
    """The entries directly inside a folder: {"files": [{"path": name, "is_dir", "file_size"}]}."""
    where = locate(ws, uri_path)
    if where.kind == "run":
        try:
            found = [(a.path, a.size) for a in ws.tracking.list_artifacts(where.owner, where.path or None)]
        except NotFound:
            ws.tracking.get_run(where.owner)
            found = []
    elif where.kind == "model":
        model = ws.logged_models.get(where.owner)
        found = ws.logged_models.list_files(model)
        prefix = where.path + "/" if where.path else ""
        found = [(p, s) for p, s in found if p == where.path or p.startswith(prefix)]
    else:
        root = _registry_root(ws, where)
        found = _walk(root) if root.is_dir() else [(root.name, root.stat().st_size)]
        prefix = where.path + "/" if where.path else ""
        found = [(p, s) for p, s in found if p == where.path or p.startswith(prefix)]
    return {"files": _children(found, where.path)}


def _children(found: list[tuple[str, int]], folder: str) -> list[dict[str, Any]]:
    if any(path == folder for path, _ in found):
        return []  # a file, not a folder
    prefix = folder + "/" if folder else ""
    entries: dict[str, dict[str, Any]] = {}
    for path, size in found:
        head, _, rest = path[len(prefix) :].partition("/")
        if rest:
            entries.setdefault(head, {"path": head, "is_dir": True})
        else:
            entries[head] = {"path": head, "is_dir": False, "file_size": size}
    return [entries[name] for name in sorted(entries)]


def _registry_root(ws: Workspace, where: Location) -> Path:
    name, version = where.owner.split("\0")
    return ws.registry.existing_files(ws.registry.get_version(name, int(version)))


def _walk(root: Path) -> list[tuple[str, int]]:
    result = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            result.append((path.relative_to(root).as_posix(), path.stat().st_size))
    return sorted(result)
