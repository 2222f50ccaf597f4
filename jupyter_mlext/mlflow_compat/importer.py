"""`mlext import mlflow SOURCE`: an existing MLflow tracking store (a `mlruns/` folder or a `sqlite:///…` database)
copied into a workspace, read with the mlflow package (not installed with us: a clear error if missing).

Experiments, runs with their nesting, params, tags, full metric histories and artifacts, registered models with
their versions, tags and aliases. A run keeps its MLflow id when the workspace has none of that id. Every object
imported is remembered with its source id (the import map of migration m011), so importing the same source again
adds only what is new. A model version's files are stored among its run's artifacts under `models/<model id>/`
(where our logged models keep theirs) so the version's lineage is its imported run.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..entities import MLExtError, NotFound
from ..store import Workspace, validate_point
from ..store.validation import Point
from .filters import SYSTEM_TAGS
from .statuses import our_status

_POINTS_PER_WRITE = 10_000


@dataclasses.dataclass
class ImportSummary:
    experiments: int = 0
    runs: int = 0
    points: int = 0
    artifacts: int = 0
    models: int = 0
    versions: int = 0
    skipped: int = 0

    def line(self) -> str:
        return (
            f"imported {self.experiments} experiments, {self.runs} runs, {self.points} metric points, "
            f"{self.artifacts} artifacts, {self.models} registered models, {self.versions} model versions "
            f"({self.skipped} already imported)"
        )


def source_uri(source: str) -> str:
    """The MLflow tracking URI of SOURCE: a sqlite:/// URI as it is, a folder as a file: URI."""
    if source.startswith(("sqlite:", "file:")):
        return source
    folder = Path(source).expanduser().resolve()
    if not folder.is_dir():
        raise NotFound(f"{source!r} is neither a sqlite:/// URI nor an MLflow folder", field="source")
    return folder.as_uri()


def import_mlflow(ws: Workspace, source: str, progress: Callable[[str], None] = lambda _: None) -> ImportSummary:
    try:
        import mlflow
        from mlflow.entities import ViewType
    except ImportError:
        raise MLExtError("importing from MLflow needs the mlflow package: pip install mlflow") from None
    uri = source_uri(source)
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    summary = ImportSummary()
    run_ids: dict[str, str] = {}
    experiments = client.search_experiments(view_type=ViewType.ALL)
    for number, experiment in enumerate(experiments, 1):
        target = _experiment(ws, uri, experiment, summary)
        runs = _all_runs(client, experiment.experiment_id, ViewType.ALL)
        progress(f"[{number}/{len(experiments)}] experiment {experiment.name!r}: {len(runs)} runs")
        for run in _parents_first(runs):
            run_ids[run.info.run_id] = _run(ws, client, uri, target, run, run_ids, summary)
    for model in client.search_registered_models():
        _registered_model(ws, client, uri, model, run_ids, summary, progress)
    return summary


def _experiment(ws: Workspace, uri: str, experiment: Any, summary: ImportSummary) -> int:
    known = ws.mlflow.imported(uri, "experiment", experiment.experiment_id)
    if known is not None:
        summary.skipped += 1
        return int(known)
    record = ws.mlflow.create_experiment(
        experiment.name, dict(experiment.tags), created_at=(experiment.creation_time or 0) / 1000, exist_ok=True
    )
    ws.mlflow.remember_import(uri, "experiment", experiment.experiment_id, str(record.experiment.id))
    summary.experiments += 1
    return record.experiment.id


def _all_runs(client: Any, experiment_id: str, view: Any) -> list[Any]:
    runs: list[Any] = []
    token = None
    while True:
        page = client.search_runs([experiment_id], run_view_type=view, max_results=1000, page_token=token)
        runs += list(page)
        token = page.token
        if not token:
            return runs


def _parents_first(runs: list[Any]) -> list[Any]:
    by_id = {run.info.run_id: run for run in runs}
    ordered: list[Any] = []
    placed: set[str] = set()

    def place(run: Any) -> None:
        if run.info.run_id in placed:
            return
        placed.add(run.info.run_id)
        parent = by_id.get(run.data.tags.get("mlflow.parentRunId", ""))
        if parent is not None:
            place(parent)
        ordered.append(run)

    for run in runs:
        place(run)
    return ordered


def _run(
    ws: Workspace, client: Any, uri: str, experiment_id: int, run: Any, run_ids: dict[str, str], summary: ImportSummary
) -> str:
    source_id = run.info.run_id
    known = ws.mlflow.imported(uri, "run", source_id)
    if known is not None:
        summary.skipped += 1
        return known
    tags = dict(run.data.tags)
    system = {field: tags.pop(tag) for tag, field in SYSTEM_TAGS.items() if tag in tags}
    parent = run_ids.get(system.get("parent_id", ""))
    try:
        ws.tracking.get_run(source_id)
        run_id = uuid.uuid4().hex
    except NotFound:
        run_id = source_id
    started = (run.info.start_time or 0) / 1000
    ws.mlflow.import_run(
        run_id,
        experiment_id,
        parent_id=parent,
        name=run.info.run_name or system.get("name") or source_id[:8],
        status=our_status(run.info.status),
        created_at=started,
        ended_at=None if run.info.end_time is None else run.info.end_time / 1000,
        user=system.get("user") or run.info.user_id or None,
        source_type=system.get("source_type"),
        source_name=system.get("source_name"),
        git_commit=system.get("git_commit"),
        deleted=run.info.lifecycle_stage == "deleted",
        params=dict(run.data.params),
        tags=tags,
    )
    ws.mlflow.remember_import(uri, "run", source_id, run_id)
    for key in run.data.metrics:
        summary.points += _metric(ws, client, source_id, run_id, key)
    summary.artifacts += _artifacts(ws, client, source_id, run_id)
    summary.runs += 1
    return run_id


def _metric(ws: Workspace, client: Any, source_id: str, run_id: str, key: str) -> int:
    now = time.time()
    points: list[Point] = [
        validate_point(key, float(m.value), int(m.step), m.timestamp / 1000, now)
        for m in client.get_metric_history(source_id, key)
    ]
    for start in range(0, len(points), _POINTS_PER_WRITE):
        ws.tracking.write_metrics({run_id: points[start : start + _POINTS_PER_WRITE]})
    return len(points)


def _artifacts(ws: Workspace, client: Any, source_id: str, run_id: str) -> int:
    if not client.list_artifacts(source_id):
        return 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(client.download_artifacts(source_id, "", folder))
        return sum(len(ws.tracking.log_artifact(run_id, entry, entry.name)) for entry in sorted(root.iterdir()))


def _registered_model(
    ws: Workspace,
    client: Any,
    uri: str,
    model: Any,
    run_ids: dict[str, str],
    summary: ImportSummary,
    progress: Callable[[str], None],
) -> None:
    import mlflow

    if ws.mlflow.imported(uri, "registered_model", model.name) is None:
        try:
            ws.mlflow_registry.model(model.name)
        except NotFound:
            ws.mlflow_registry.create_model(model.name, model.description or None, dict(model.tags))
        ws.mlflow.remember_import(uri, "registered_model", model.name, model.name)
        summary.models += 1
    versions = sorted(client.search_model_versions(f"name = '{_quoted(model.name)}'"), key=lambda v: int(v.version))
    progress(f"registered model {model.name!r}: {len(versions)} versions")
    numbers: dict[str, int] = {}
    for version in versions:
        key = f"{model.name}/{version.version}"
        known = ws.mlflow.imported(uri, "model_version", key)
        if known is not None:
            numbers[str(version.version)] = int(known)
            summary.skipped += 1
            continue
        with tempfile.TemporaryDirectory() as folder:
            files = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=f"models:/{model.name}/{version.version}",
                    dst_path=folder,
                    tracking_uri=uri,
                    registry_uri=uri,
                )
            )
            run_id = run_ids.get(version.run_id or "")
            properties = {"mlflow.source": version.source}
            if run_id is not None:
                inside = f"models/{version.model_id or f'v{version.version}'}"
                ws.tracking.log_artifact(run_id, files, inside)
                origin: dict[str, Any] = {"run_id": run_id, "path": inside}
            else:
                origin = {"path": files}
            ours = ws.registry.register(
                model.name,
                **origin,
                description=version.description or None,
                tags=dict(version.tags),
                properties=properties,
                user=version.user_id or None,
            )
        numbers[str(version.version)] = ours.version
        ws.mlflow.remember_import(uri, "model_version", key, str(ours.version))
        summary.versions += 1
    for alias, version_text in dict(getattr(model, "aliases", {}) or {}).items():
        if str(version_text) in numbers:
            ws.registry.set_alias(model.name, alias, numbers[str(version_text)])


def _quoted(name: str) -> str:
    """A name inside MLflow's single-quoted filter literal (the source store's parser)."""
    return name.replace("'", "\\'")
