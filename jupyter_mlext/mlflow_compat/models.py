"""MLflow's logged models and model registry on ours.

A model version registered through MLflow is a version of our registry (store/registry.py): its files are
copied from the logged model's (or the run's) artifacts, its run is its lineage, its aliases are ours, and our
endpoints deploy it. MLflow's extra fields (a version's logged model id, the source URI it named) are kept as
version properties `mlflow.model_id` and `mlflow.source`.
"""

from __future__ import annotations

import re
from typing import Any

from ..entities import InvalidInput, ModelVersion, NotFound
from ..entities.mlflow import LoggedModel
from ..store import Workspace
from ..store.logged_models import run_prefix
from . import filters, shapes
from .errors import MlflowError, already_exists
from .request import Request
from .tracking import our_experiment_id, page

MODEL_ID = "mlflow.model_id"
SOURCE = "mlflow.source"
_RUNS_URI = re.compile(r"^runs:/(?P<run>[^/]+)(?:/(?P<path>.*))?$")
_ARTIFACTS_URI = re.compile(r"^mlflow-artifacts:(?://[^/]*)?/(?P<path>.*)$")
_MODELS_URI = re.compile(r"^models:/(?P<id>m-[0-9a-f]+)/?$")


# -- logged models -------------------------------------------------------------------------------------------


def logged_model_shape(ws: Workspace, model: LoggedModel) -> dict[str, Any]:
    eid = shapes.experiment_id(ws.mlflow.experiment(model.experiment_id).experiment)
    info: dict[str, Any] = {
        "model_id": model.id,
        "experiment_id": eid,
        "name": model.name,
        "creation_timestamp_ms": shapes.ms(model.created_at),
        "last_updated_timestamp_ms": shapes.ms(model.updated_at),
        "artifact_uri": f"mlflow-artifacts:/{eid}/models/{model.id}/artifacts",
        "status": model.status,
        "tags": shapes.key_values(model.tags),
    }
    for field, value in (
        ("model_type", model.model_type),
        ("source_run_id", model.source_run_id),
        ("status_message", model.status_message),
    ):
        if value is not None:
            info[field] = value
    return {"info": info, "data": {"params": shapes.key_values(model.params), "metrics": []}}


def create_logged_model(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    model = ws.logged_models.create(
        our_experiment_id(ws, request.required("experiment_id")),
        request.text("name") or "model",
        source_run_id=request.text("source_run_id"),
        model_type=request.text("model_type"),
        params=request.key_values("params"),
        tags=request.key_values("tags"),
        user=user,
    )
    return {"model": logged_model_shape(ws, model)}


def get_logged_model(ws: Workspace, model_id: str) -> dict[str, Any]:
    model = ws.logged_models.get(model_id)
    if model.deleted_at is not None:
        raise NotFound(f"Logged model with ID '{model_id}' not found.", field="model_id")
    return {"model": logged_model_shape(ws, model)}


def finalize_logged_model(ws: Workspace, model_id: str, request: Request) -> dict[str, Any]:
    model = ws.logged_models.finalize(model_id, request.required("status"))
    return {"model": logged_model_shape(ws, model)}


def delete_logged_model(ws: Workspace, model_id: str) -> dict[str, Any]:
    ws.logged_models.delete(model_id)
    return {}


def set_logged_model_tags(ws: Workspace, model_id: str, request: Request) -> dict[str, Any]:
    ws.logged_models.set_tags(model_id, request.key_values("tags"))
    return {}


def delete_logged_model_tag(ws: Workspace, model_id: str, key: str) -> dict[str, Any]:
    ws.logged_models.delete_tag(model_id, key)
    return {}


def log_logged_model_params(ws: Workspace, model_id: str, request: Request) -> dict[str, Any]:
    ws.logged_models.log_params(model_id, request.key_values("params"))
    return {}


def search_logged_models(ws: Workspace, request: Request) -> dict[str, Any]:
    ids = [our_experiment_id(ws, text) for text in request.texts("experiment_ids")]
    conditions = filters.parse(request.text("filter"))
    found = []
    for model in ws.logged_models.search(ids):
        attributes = {
            "name": model.name,
            "model_id": model.id,
            "model_type": model.model_type,
            "status": model.status,
            "source_run_id": model.source_run_id,
            "creation_timestamp": shapes.ms(model.created_at),
            "creation_time": shapes.ms(model.created_at),
            "last_updated_timestamp": shapes.ms(model.updated_at),
        }
        on_params = [
            filters.Condition(filters.Field("tags", c.field.key), c.op, c.values)
            for c in conditions
            if c.field.family == "params"
        ]
        others = [c for c in conditions if c.field.family != "params"]
        if filters.matches(others, attributes, model.tags) and filters.matches(on_params, {}, model.params):
            found.append(logged_model_shape(ws, model))
    return page(found, request, "models", 50)


# -- registered models ---------------------------------------------------------------------------------------


def _version_shape(ws: Workspace, version: ModelVersion, stage: str | None, updated: float | None) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "name": version.name,
        "version": str(version.version),
        "creation_timestamp": shapes.ms(version.created_at),
        "last_updated_timestamp": shapes.ms(updated or version.created_at),
        "user_id": version.user or "",
        "current_stage": stage or "None",
        "description": version.description or "",
        "source": version.properties.get(SOURCE, version.source),
        "status": "READY",
        "tags": shapes.key_values(version.tags),
        "aliases": list(version.aliases),
    }
    if version.run_id is not None:
        shape["run_id"] = version.run_id
    if MODEL_ID in version.properties:
        shape["model_id"] = version.properties[MODEL_ID]
    return shape


def version_shapes(ws: Workspace, versions: list[ModelVersion]) -> list[dict[str, Any]]:
    extras: dict[str, dict[int, tuple[str | None, float | None]]] = {}
    result = []
    for version in versions:
        if version.name not in extras:
            extras[version.name] = ws.mlflow_registry.version_extras(version.name)
        stage, updated = extras[version.name].get(version.version, (None, None))
        result.append(_version_shape(ws, version, stage, updated))
    return result


def _model_shape(ws: Workspace, name: str) -> dict[str, Any]:
    meta = ws.mlflow_registry.model(name)
    versions = version_shapes(ws, ws.registry.versions(name))
    latest: dict[str, dict[str, Any]] = {}
    for shape in versions:
        current = latest.get(shape["current_stage"])
        if current is None or int(shape["version"]) > int(current["version"]):
            latest[shape["current_stage"]] = shape
    aliases = [{"alias": alias, "version": shape["version"]} for shape in versions for alias in shape["aliases"]]
    body: dict[str, Any] = {
        "name": name,
        "creation_timestamp": shapes.ms(meta.created_at),
        "last_updated_timestamp": shapes.ms(meta.updated_at or meta.created_at),
        "description": meta.description or "",
        "latest_versions": list(latest.values()),
        "tags": shapes.key_values(meta.tags),
        "aliases": aliases,
    }
    return body


def create_registered_model(ws: Workspace, request: Request) -> dict[str, Any]:
    name = request.required("name")
    if any(meta.name == name for meta in ws.mlflow_registry.models()):
        raise already_exists(f"Registered Model (name={name}) already exists.", "name")
    ws.mlflow_registry.create_model(name, request.text("description"), request.key_values("tags"))
    return {"registered_model": _model_shape(ws, name)}


def get_registered_model(ws: Workspace, request: Request) -> dict[str, Any]:
    return {"registered_model": _model_shape(ws, request.required("name"))}


def update_registered_model(ws: Workspace, request: Request) -> dict[str, Any]:
    name = request.required("name")
    if request.fields.get("description") is not None:
        ws.mlflow_registry.describe_model(name, request.text("description", "") or "")
    return {"registered_model": _model_shape(ws, name)}


def delete_registered_model(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    ws.mlflow_registry.delete_model(request.required("name"), user=user)
    return {}


def search_registered_models(ws: Workspace, request: Request) -> dict[str, Any]:
    conditions = filters.parse(request.text("filter"))
    found = [
        _model_shape(ws, meta.name)
        for meta in ws.mlflow_registry.models()
        if filters.matches(conditions, {"name": meta.name}, meta.tags)
    ]
    return page(found, request, "registered_models")


def set_registered_model_tag(ws: Workspace, request: Request) -> dict[str, Any]:
    ws.mlflow_registry.set_model_tag(request.required("name"), request.required("key"), request.text("value", ""))
    return {}


def delete_registered_model_tag(ws: Workspace, request: Request) -> dict[str, Any]:
    ws.mlflow_registry.delete_model_tag(request.required("name"), request.required("key"))
    return {}


def get_latest_versions(ws: Workspace, request: Request) -> dict[str, Any]:
    shape = _model_shape(ws, request.required("name"))
    stages = {stage.lower() for stage in request.texts("stages")}
    return {
        "model_versions": [v for v in shape["latest_versions"] if not stages or v["current_stage"].lower() in stages]
    }


# -- model versions ------------------------------------------------------------------------------------------


def create_model_version(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    """The next version of `name` from the files `source` names: a logged model (`models:/m-…` or `model_id`),
    a run's artifacts (`runs:/RUN/PATH`) or an artifact URI of this server (`mlflow-artifacts:/…`)."""
    name = request.required("name")
    source = request.required("source")
    model_id = request.text("model_id")
    found = _MODELS_URI.match(source)
    if found and model_id is None:
        model_id = found["id"]
    properties = {SOURCE: source}
    if model_id is not None:
        model = ws.logged_models.get(model_id)
        properties[MODEL_ID] = model.id
        if model.source_run_id is not None:
            origin: dict[str, Any] = {"run_id": model.source_run_id, "path": run_prefix(model.id)}
        else:
            origin = {"path": ws.logged_models.folder(model.id)}
    else:
        origin = _run_source(ws, source, request.text("run_id"))
    ws.mlflow_registry.model_id(name)
    version = ws.registry.register(
        name,
        **origin,
        description=request.text("description"),
        tags=request.key_values("tags"),
        properties=properties,
        user=user,
    )
    return {"model_version": version_shapes(ws, [version])[0]}


def _run_source(ws: Workspace, source: str, run_id: str | None) -> dict[str, Any]:
    runs = _RUNS_URI.match(source)
    if runs:
        return {"run_id": runs["run"], "path": runs["path"] or ""}
    artifacts = _ARTIFACTS_URI.match(source)
    if artifacts:
        parts = artifacts["path"].split("/")
        if len(parts) >= 3 and parts[2] == "artifacts":
            return {"run_id": parts[1], "path": "/".join(parts[3:])}
    raise MlflowError(
        "INVALID_PARAMETER_VALUE",
        f"source {source!r} is not a logged model (models:/m-…), a run's artifacts (runs:/RUN/PATH) or an "
        "artifact URI of this server (mlflow-artifacts:/…)",
        "source",
    )


def _version(request: Request) -> tuple[str, int]:
    text = request.required("version")
    if not text.isdigit():
        raise InvalidInput(f"Model version must be an integer, got {text!r}", field="version")
    return request.required("name"), int(text)


def get_model_version(ws: Workspace, request: Request) -> dict[str, Any]:
    name, number = _version(request)
    return {"model_version": version_shapes(ws, [ws.registry.get_version(name, number)])[0]}


def update_model_version(ws: Workspace, request: Request) -> dict[str, Any]:
    name, number = _version(request)
    ws.mlflow_registry.update_version(name, number, description=request.text("description"))
    return get_model_version(ws, request)


def transition_stage(ws: Workspace, request: Request) -> dict[str, Any]:
    name, number = _version(request)
    wanted = request.required("stage")
    stages = {stage.lower(): stage for stage in ("None", "Staging", "Production", "Archived")}
    if wanted.lower() not in stages:
        raise InvalidInput(f"stage must be one of {', '.join(stages.values())}, got {wanted!r}", field="stage")
    stage = stages[wanted.lower()]
    ws.mlflow_registry.update_version(name, number, stage=stage)
    if request.boolean("archive_existing_versions") and stage in ("Staging", "Production"):
        ws.mlflow_registry.archive_others(name, number, stage)
    return get_model_version(ws, request)


def delete_model_version(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    name, number = _version(request)
    ws.registry.delete_version(name, number, user=user)
    return {}


def search_model_versions(ws: Workspace, request: Request) -> dict[str, Any]:
    conditions = filters.parse(request.text("filter"))
    found = []
    for version in ws.registry.search_versions():
        attributes = {
            "name": version.name,
            "version": str(version.version),
            "run_id": version.run_id,
            "source": version.properties.get(SOURCE, version.source),
            "model_id": version.properties.get(MODEL_ID),
        }
        if filters.matches(conditions, attributes, version.tags):
            found.append(version)
    found.sort(key=lambda v: (v.name, -v.version))
    return page(version_shapes(ws, found), request, "model_versions", 200)


def get_download_uri(ws: Workspace, request: Request) -> dict[str, Any]:
    name, number = _version(request)
    ws.registry.get_version(name, number)
    return {"artifact_uri": f"mlflow-artifacts:/registry/{ws.mlflow_registry.model_id(name)}/{number}"}


def set_model_version_tag(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    name, number = _version(request)
    ws.registry.set_tags(name, number, {request.required("key"): request.text("value", "")}, user=user)
    return {}


def delete_model_version_tag(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    name, number = _version(request)
    ws.registry.delete_tag(name, number, request.required("key"), user=user)
    return {}


def set_alias(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    name, number = _version(request)
    ws.registry.set_alias(name, request.required("alias"), number, user=user)
    return {}


def delete_alias(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    ws.registry.delete_alias(request.required("name"), request.required("alias"), user=user)
    return {}


def get_by_alias(ws: Workspace, request: Request) -> dict[str, Any]:
    version = ws.registry.get(request.required("name"), alias=request.required("alias"))
    return {"model_version": version_shapes(ws, [version])[0]}
