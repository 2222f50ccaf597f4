"""MLflow's tracking operations (experiments, runs, params, metrics, tags, inputs and outputs) on our store.

Each function takes the workspace and an MLflow request and returns the response body MLflow's client expects;
the server's handlers (server/mlflow/) only route to them. An MLflow run is our run: the same row, id, params,
tags and metric series, so runs logged by our SDK are read by `MlflowClient` and the other way round.
"""

from __future__ import annotations

import time
from typing import Any

from ..entities import InvalidInput, RunInfo, RunStatus
from ..entities.codec import number as parse_number
from ..entities.mlflow import RunIO
from ..store import Workspace, validate_point
from ..store.mlflow_tracking import ACTIVE, ALL, DELETED
from ..store.validation import Point
from . import filters, shapes
from .errors import INVALID_STATE, MlflowError, already_exists
from .request import Request
from .statuses import our_status

MAX_RUNS_PAGE = 50_000
MAX_HISTORY_PAGE = 25_000
_VIEWS = {"ACTIVE_ONLY": ACTIVE, "DELETED_ONLY": DELETED, "ALL": ALL}


# -- experiments ---------------------------------------------------------------------------------------------


def our_experiment_id(ws: Workspace, text: str) -> int:
    """Our id of MLflow's experiment id: "0" is the experiment named Default, made on first use as MLflow has it."""
    if text == shapes.DEFAULT_EXPERIMENT_ID:
        return ws.mlflow.create_experiment(shapes.DEFAULT_EXPERIMENT, exist_ok=True).experiment.id
    if not text.isdigit():
        raise MlflowError("RESOURCE_DOES_NOT_EXIST", f"Could not find experiment with ID {text}", "experiment_id")
    return int(text)


def create_experiment(ws: Workspace, request: Request) -> dict[str, Any]:
    name = request.required("name")
    if any(r.experiment.name == name for r in ws.mlflow.experiments()):
        raise already_exists(f"Experiment '{name}' already exists.", "name")
    record = ws.mlflow.create_experiment(name, request.key_values("tags"), exist_ok=False)
    return {"experiment_id": shapes.experiment_id(record.experiment)}


def get_experiment(ws: Workspace, request: Request) -> dict[str, Any]:
    record = ws.mlflow.experiment(our_experiment_id(ws, request.required("experiment_id")))
    return {"experiment": shapes.experiment(record)}


def get_experiment_by_name(ws: Workspace, request: Request) -> dict[str, Any]:
    name = request.required("experiment_name")
    if name == shapes.DEFAULT_EXPERIMENT:
        our_experiment_id(ws, shapes.DEFAULT_EXPERIMENT_ID)
    return {"experiment": shapes.experiment(ws.mlflow.experiment_by_name(name))}


def search_experiments(ws: Workspace, request: Request) -> dict[str, Any]:
    our_experiment_id(ws, shapes.DEFAULT_EXPERIMENT_ID)
    view = _view(request.text("view_type"))
    conditions = filters.parse(request.text("filter"))
    found = []
    for record in ws.mlflow.experiments():
        if view != ALL and (record.deleted_at is None) != (view == ACTIVE):
            continue
        shape = shapes.experiment(record)
        attributes = {
            "name": shape["name"],
            "experiment_id": shape["experiment_id"],
            "creation_time": shape["creation_time"],
            "last_update_time": shape["last_update_time"],
        }
        if filters.matches(conditions, attributes, record.tags):
            found.append((attributes, shape))
    for clause in reversed(request.texts("order_by") or ["creation_time DESC"]):
        field, _, direction = clause.strip().partition(" ")
        key = field.removeprefix("attributes.").removeprefix("attribute.")
        if key not in ("name", "experiment_id", "creation_time", "last_update_time"):
            raise InvalidInput(f"order_by: unknown experiment attribute {field!r}", field="order_by")
        found.sort(key=lambda pair: pair[0][key], reverse=direction.strip().upper() == "DESC")
    return _page([shape for _, shape in found], request, "experiments", 1000)


def update_experiment(ws: Workspace, request: Request) -> dict[str, Any]:
    experiment_id = our_experiment_id(ws, request.required("experiment_id"))
    if request.has("new_name"):
        ws.mlflow.rename_experiment(experiment_id, request.required("new_name"))
    return {}


def delete_experiment(ws: Workspace, request: Request, deleted: bool = True) -> dict[str, Any]:
    ws.mlflow.mark_experiment(our_experiment_id(ws, request.required("experiment_id")), deleted)
    return {}


def set_experiment_tag(ws: Workspace, request: Request) -> dict[str, Any]:
    experiment_id = our_experiment_id(ws, request.required("experiment_id"))
    ws.mlflow.set_experiment_tags(experiment_id, {request.required("key"): request.text("value", "")})
    return {}


def delete_experiment_tag(ws: Workspace, request: Request) -> dict[str, Any]:
    ws.mlflow.delete_experiment_tag(our_experiment_id(ws, request.required("experiment_id")), request.required("key"))
    return {}


# -- runs ----------------------------------------------------------------------------------------------------


def run_shape(ws: Workspace, info: RunInfo) -> dict[str, Any]:
    deleted = ws.mlflow.deleted_runs([info.id]).get(info.id)
    return shapes.run(info, deleted, ws.mlflow.io([info.id])[info.id])


def create_run(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    experiment_id = our_experiment_id(ws, request.text("experiment_id") or shapes.DEFAULT_EXPERIMENT_ID)
    record = ws.mlflow.experiment(experiment_id)
    if record.deleted_at is not None:
        raise MlflowError(INVALID_STATE, f"The experiment {experiment_id} must be in the 'active' state.")
    tags = request.key_values("tags")
    system = {field: tags.pop(tag) for tag, field in filters.SYSTEM_TAGS.items() if tag in tags}
    info = ws.tracking.create_run(
        record.experiment.name,
        name=request.text("run_name") or system.get("name"),
        parent_id=system.get("parent_id"),
        user=system.get("user") or request.text("user_id") or user,
        source_type=system.get("source_type"),
        source_name=system.get("source_name"),
        git_commit=system.get("git_commit"),
        tags=tags,
    )
    return {"run": shapes.run(info)}


def get_run(ws: Workspace, request: Request) -> dict[str, Any]:
    run_id = request.text("run_id") or request.required("run_uuid")
    return {"run": run_shape(ws, ws.tracking.get_run(run_id))}


def update_run(ws: Workspace, request: Request) -> dict[str, Any]:
    run_id = request.text("run_id") or request.required("run_uuid")
    if request.has("run_name"):
        ws.mlflow.rename_run(run_id, request.required("run_name"))
    info = ws.tracking.get_run(run_id)
    if request.has("status"):
        target = our_status(request.required("status"))
        if target != info.status and not (target is RunStatus.RUNNING and info.status is RunStatus.FINALIZING):
            info = ws.tracking.set_status(run_id, target)
    return {"run_info": shapes.run(info)["info"]}


def delete_run(ws: Workspace, request: Request, deleted: bool = True) -> dict[str, Any]:
    ws.mlflow.mark_run(request.required("run_id"), deleted)
    return {}


def search_runs(ws: Workspace, request: Request) -> dict[str, Any]:
    ids = [our_experiment_id(ws, text) for text in request.texts("experiment_ids")]
    max_results = request.integer("max_results", 1000)
    assert max_results is not None
    if not 1 <= max_results <= MAX_RUNS_PAGE:
        raise InvalidInput(f"max_results must be between 1 and {MAX_RUNS_PAGE}", field="max_results")
    text = request.text("filter") or ""
    runs, more = ws.mlflow.search_runs(
        ids,
        filters.run_comparisons(text),
        text,
        filters.run_order_by(request.texts("order_by")),
        _view(request.text("run_view_type")),
        max_results,
        offset := _offset(request),
    )
    deleted = ws.mlflow.deleted_runs([r.id for r in runs])
    io = ws.mlflow.io([r.id for r in runs])
    body: dict[str, Any] = {"runs": [shapes.run(r, deleted.get(r.id), io[r.id]) for r in runs]}
    if more:
        body["next_page_token"] = str(offset + max_results)
    return body


def log_batch(ws: Workspace, request: Request) -> dict[str, Any]:
    """Params, tags and metrics of one run: every point and name checked before anything is written."""
    run_id = request.text("run_id") or request.required("run_uuid")
    points = _points(request.objects("metrics"))
    params = request.key_values("params")
    tags = request.key_values("tags")
    if params:
        ws.tracking.log_params(run_id, params)
    _set_tags(ws, run_id, tags)
    if points:
        ws.tracking.write_metrics({run_id: points})
    return {}


def log_metric(ws: Workspace, request: Request) -> dict[str, Any]:
    run_id = request.text("run_id") or request.required("run_uuid")
    item = {name: request.fields.get(name) for name in ("key", "value", "timestamp", "step")}
    ws.tracking.write_metrics({run_id: _points([item])})
    return {}


def log_param(ws: Workspace, request: Request) -> dict[str, Any]:
    run_id = request.text("run_id") or request.required("run_uuid")
    ws.tracking.log_params(run_id, {request.required("key"): request.text("value", "")})
    return {}


def set_tag(ws: Workspace, request: Request) -> dict[str, Any]:
    run_id = request.text("run_id") or request.required("run_uuid")
    _set_tags(ws, run_id, {request.required("key"): request.text("value", "") or ""})
    return {}


def delete_tag(ws: Workspace, request: Request) -> dict[str, Any]:
    ws.mlflow.delete_run_tag(request.required("run_id"), request.required("key"))
    return {}


def log_inputs(ws: Workspace, request: Request) -> dict[str, Any]:
    items = [RunIO("input", "dataset", d) for d in request.objects("datasets")]
    items += [RunIO("input", "model", m) for m in request.objects("models")]
    if items:
        ws.mlflow.add_io(request.required("run_id"), items)
    return {}


def log_outputs(ws: Workspace, request: Request) -> dict[str, Any]:
    items = [RunIO("output", "model", m) for m in request.objects("models")]
    if items:
        ws.mlflow.add_io(request.required("run_id"), items)
    return {}


def _set_tags(ws: Workspace, run_id: str, tags: dict[str, str]) -> None:
    """Tags, where the system tags we keep as run fields change those fields."""
    if "mlflow.runName" in tags:
        ws.mlflow.rename_run(run_id, tags.pop("mlflow.runName"))
    if "mlflow.parentRunId" in tags:
        ws.mlflow.set_parent(run_id, tags.pop("mlflow.parentRunId"))
    if tags:
        ws.tracking.set_tags(run_id, tags)


def _points(items: list[dict[str, Any]]) -> list[Point]:
    now = time.time()
    points = []
    for item in items:
        key, value, timestamp, step = (item.get(name) for name in ("key", "value", "timestamp", "step"))
        if not isinstance(key, str) or not key:
            raise InvalidInput("Missing value for required parameter 'key'", field="key")
        if value is None:
            raise InvalidInput(f"Missing value for required parameter 'value' of metric {key!r}", field="value")
        try:
            step = 0 if step in (None, "") else int(step)
            timestamp = now if timestamp in (None, "") else int(timestamp) / 1000.0
        except (TypeError, ValueError):
            raise InvalidInput(f"metric {key!r}: step and timestamp must be integers", field="metrics") from None
        points.append(validate_point(key, parse_number(value), step, timestamp, now))
    return points


# -- metric history ------------------------------------------------------------------------------------------


def metric_history(ws: Workspace, request: Request) -> dict[str, Any]:
    run_id = request.text("run_id") or request.required("run_uuid")
    key = request.required("metric_key")
    limit = request.integer("max_results", MAX_HISTORY_PAGE)
    assert limit is not None
    if not 1 <= limit <= MAX_HISTORY_PAGE:
        raise InvalidInput(f"max_results must be between 1 and {MAX_HISTORY_PAGE}", field="max_results")
    offset = _offset(request)
    rows = ws.mlflow.history_page(run_id, key, offset, limit + 1)
    body: dict[str, Any] = {"metrics": [shapes.metric(key, *row) for row in rows[:limit]]}
    if len(rows) > limit:
        body["next_page_token"] = str(offset + limit)
    return body


def metric_history_bulk_interval(ws: Workspace, request: Request) -> dict[str, Any]:
    """Up to `max_results` points per run within the step range, spread evenly over it (first and last kept)."""
    key = request.required("metric_key")
    run_ids = request.texts("run_ids")
    if not run_ids:
        raise InvalidInput("Missing value for required parameter 'run_ids'", field="run_ids")
    if len(run_ids) > 100:
        raise InvalidInput("run_ids holds at most 100 runs", field="run_ids")
    limit = request.integer("max_results", 100)
    assert limit is not None
    if not 1 <= limit <= MAX_HISTORY_PAGE:
        raise InvalidInput(f"max_results must be between 1 and {MAX_HISTORY_PAGE}", field="max_results")
    result = []
    for run_id in run_ids:
        rows = ws.mlflow.history_in_steps(run_id, key, request.integer("start_step"), request.integer("end_step"))
        if len(rows) > limit:
            picks = sorted({round(i * (len(rows) - 1) / max(limit - 1, 1)) for i in range(limit)})
            rows = [rows[i] for i in picks]
        result += [{**shapes.metric(key, *row), "run_id": run_id} for row in rows]
    return {"metrics": result}


# -- paging --------------------------------------------------------------------------------------------------


def _view(text: str | None) -> str:
    if text is None:
        return ACTIVE
    if text.upper() not in _VIEWS:
        raise InvalidInput(f"view type must be one of {', '.join(_VIEWS)}, got {text!r}", field="view_type")
    return _VIEWS[text.upper()]


def _offset(request: Request) -> int:
    token = request.text("page_token")
    if token is None:
        return 0
    if not token.isdigit():
        raise InvalidInput(f"page_token {token!r} is not one this server handed out", field="page_token")
    return int(token)


def _page(items: list[Any], request: Request, name: str, default: int) -> dict[str, Any]:
    limit = request.integer("max_results", default)
    assert limit is not None
    if not 1 <= limit <= MAX_RUNS_PAGE:
        raise InvalidInput(f"max_results must be between 1 and {MAX_RUNS_PAGE}", field="max_results")
    offset = _offset(request)
    body: dict[str, Any] = {name: items[offset : offset + limit]}
    if offset + limit < len(items):
        body["next_page_token"] = str(offset + limit)
    return body


def page(items: list[Any], request: Request, name: str, default: int = 100) -> dict[str, Any]:
    """One page of a list searched in Python (models, versions, logged models), paged by offset tokens."""
    return _page(items, request, name, default)
