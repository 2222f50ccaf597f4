"""The MLflow REST routes under /mlext/mlflow: each MLflow API path (under /api/2.0/mlflow/ and /api/3.0/mlflow/,
as MLflow's server answers both) with the service function (mlflow_compat/) of each method it answers.

These routes follow MLflow's protocol, not ours, so they are not in api/openapi.yaml."""

from __future__ import annotations

from typing import Any

from ...mlflow_compat import artifacts
from ...mlflow_compat import models as m
from ...mlflow_compat import tracking as t
from ...mlflow_compat.request import Request
from ...store import Workspace
from .artifacts import ArtifactHandler, ArtifactListHandler
from .base import MlflowHandler, Operation

PREFIX = "/mlext/mlflow"


def _plain(function: Operation) -> Operation:
    return lambda ws, request, user, *parts: function(ws, request)


def _with_user(function: Operation) -> Operation:
    return lambda ws, request, user, *parts: function(ws, request, user)


def _server_info(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    return {
        "store_type": "SqlStore",
        "workspaces_enabled": False,
        "trace_archival_enabled": False,
        "multipart_uploads_enabled": False,
        "multipart_downloads_enabled": False,
        "presigned_upload_run_id_supported": False,
        "presigned_upload_model_id_supported": False,
        "features_enabled": {"gateway": False},
    }


def _list_run_artifacts(ws: Workspace, request: Request, user: str | None) -> dict[str, Any]:
    """MLflow 2's artifacts/list of a run."""
    run_id = request.text("run_id") or request.required("run_uuid")
    path = request.text("path", "") or ""
    body = artifacts.listing(ws, f"0/{run_id}/artifacts/{path}")
    for entry in body["files"]:
        entry["path"] = f"{path}/{entry['path']}" if path else entry["path"]
    return {"root_uri": t.run_shape(ws, ws.tracking.get_run(run_id))["info"]["artifact_uri"], **body}


def _list_model_artifacts(ws: Workspace, request: Request, user: str | None, model_id: str) -> dict[str, Any]:
    path = request.text("artifact_directory_path", "") or ""
    body = artifacts.listing(ws, f"0/models/{model_id}/artifacts/{path}")
    for entry in body["files"]:
        entry["path"] = f"{path}/{entry['path']}" if path else entry["path"]
    return {"root_uri": m.logged_model_shape(ws, ws.logged_models.get(model_id))["info"]["artifact_uri"], **body}


_ID = "([^/]+)"
OPERATIONS: list[tuple[str, dict[str, Operation]]] = [
    ("server-info", {"GET": _server_info}),
    ("experiments/create", {"POST": _plain(t.create_experiment)}),
    ("experiments/get", {"GET": _plain(t.get_experiment)}),
    ("experiments/get-by-name", {"GET": _plain(t.get_experiment_by_name)}),
    ("experiments/search", {"POST": _plain(t.search_experiments), "GET": _plain(t.search_experiments)}),
    ("experiments/update", {"POST": _plain(t.update_experiment)}),
    ("experiments/delete", {"POST": _plain(t.delete_experiment)}),
    ("experiments/restore", {"POST": lambda ws, r, u: t.delete_experiment(ws, r, deleted=False)}),
    ("experiments/set-experiment-tag", {"POST": _plain(t.set_experiment_tag)}),
    ("experiments/delete-experiment-tag", {"POST": _plain(t.delete_experiment_tag)}),
    ("runs/create", {"POST": _with_user(t.create_run)}),
    ("runs/get", {"GET": _plain(t.get_run)}),
    ("runs/update", {"POST": _plain(t.update_run)}),
    ("runs/delete", {"POST": _plain(t.delete_run)}),
    ("runs/restore", {"POST": lambda ws, r, u: t.delete_run(ws, r, deleted=False)}),
    ("runs/search", {"POST": _plain(t.search_runs)}),
    ("runs/log-metric", {"POST": _plain(t.log_metric)}),
    ("runs/log-parameter", {"POST": _plain(t.log_param)}),
    ("runs/log-batch", {"POST": _plain(t.log_batch)}),
    ("runs/set-tag", {"POST": _plain(t.set_tag)}),
    ("runs/delete-tag", {"POST": _plain(t.delete_tag)}),
    ("runs/log-inputs", {"POST": _plain(t.log_inputs)}),
    ("runs/outputs", {"POST": _plain(t.log_outputs)}),
    ("metrics/get-history", {"GET": _plain(t.metric_history)}),
    ("metrics/get-history-bulk-interval", {"GET": _plain(t.metric_history_bulk_interval)}),
    ("artifacts/list", {"GET": _list_run_artifacts}),
    ("logged-models", {"POST": _with_user(m.create_logged_model)}),
    ("logged-models/search", {"POST": _plain(m.search_logged_models)}),
    (
        f"logged-models/{_ID}",
        {
            "GET": lambda ws, r, u, model_id: m.get_logged_model(ws, model_id),
            "PATCH": lambda ws, r, u, model_id: m.finalize_logged_model(ws, model_id, r),
            "DELETE": lambda ws, r, u, model_id: m.delete_logged_model(ws, model_id),
        },
    ),
    (f"logged-models/{_ID}/tags", {"PATCH": lambda ws, r, u, model_id: m.set_logged_model_tags(ws, model_id, r)}),
    (
        f"logged-models/{_ID}/tags/{_ID}",
        {"DELETE": lambda ws, r, u, model_id, key: m.delete_logged_model_tag(ws, model_id, key)},
    ),
    (f"logged-models/{_ID}/params", {"POST": lambda ws, r, u, model_id: m.log_logged_model_params(ws, model_id, r)}),
    (f"logged-models/{_ID}/artifacts/directories", {"GET": _list_model_artifacts}),
    ("registered-models/create", {"POST": _plain(m.create_registered_model)}),
    ("registered-models/get", {"GET": _plain(m.get_registered_model)}),
    ("registered-models/update", {"PATCH": _plain(m.update_registered_model)}),
    ("registered-models/delete", {"DELETE": _with_user(m.delete_registered_model)}),
    ("registered-models/search", {"GET": _plain(m.search_registered_models)}),
    (
        "registered-models/get-latest-versions",
        {"POST": _plain(m.get_latest_versions), "GET": _plain(m.get_latest_versions)},
    ),
    ("registered-models/set-tag", {"POST": _plain(m.set_registered_model_tag)}),
    ("registered-models/delete-tag", {"DELETE": _plain(m.delete_registered_model_tag)}),
    (
        "registered-models/alias",
        {"POST": _with_user(m.set_alias), "DELETE": _with_user(m.delete_alias), "GET": _plain(m.get_by_alias)},
    ),
    ("model-versions/create", {"POST": _with_user(m.create_model_version)}),
    ("model-versions/get", {"GET": _plain(m.get_model_version)}),
    ("model-versions/update", {"PATCH": _plain(m.update_model_version)}),
    ("model-versions/delete", {"DELETE": _with_user(m.delete_model_version)}),
    ("model-versions/search", {"GET": _plain(m.search_model_versions)}),
    ("model-versions/get-download-uri", {"GET": _plain(m.get_download_uri)}),
    ("model-versions/transition-stage", {"POST": _plain(m.transition_stage)}),
    ("model-versions/set-tag", {"POST": _with_user(m.set_model_version_tag)}),
    ("model-versions/delete-tag", {"DELETE": _with_user(m.delete_model_version_tag)}),
]


def mlflow_routes(prefix: str = PREFIX) -> list[tuple[str, type, dict[str, Any]]]:
    """The artifact proxy, every operation under both API versions, then MLflow's JSON 404 for anything else."""
    artifacts_root = f"{prefix}/api/2.0/mlflow-artifacts/artifacts"
    return [
        (artifacts_root, ArtifactListHandler, {}),
        (rf"{artifacts_root}/(.+)", ArtifactHandler, {}),
        *(
            (rf"{prefix}/api/{version}/mlflow/{path}", MlflowHandler, {"operations": operations})
            for path, operations in OPERATIONS
            for version in ("2.0", "3.0")
        ),
        (rf"{prefix}/.*", MlflowHandler, {"operations": {}}),
    ]
