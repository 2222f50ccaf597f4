"""jupyter-mlext: a local-first machine-learning workbench inside Jupyter.

import jupyter_mlext as mlx
with mlx.start_run(experiment="diabetes", params={"alpha": 0.1}) as run:
    run.log("mse", 3.2)
"""

import importlib

from .about import __version__
from .entities import (
    Conflict,
    InvalidInput,
    MLExtError,
    NotFound,
    RunStatus,
    StorageError,
    StorageFull,
    WorkspaceError,
)

# Public names → the module that defines them, imported on first use: a submitted script or a run supervisor
# pays only for what it touches (the tracking SDK), not for widgets (ipywidgets, matplotlib), pipelines (yaml,
# papermill, croniter) or serving.
_LAZY = {
    **dict.fromkeys(
        ("Run", "active_run", "flush", "get_run", "list_experiments", "log", "search_runs", "start_run", "submit"),
        "sdk.run",
    ),
    **dict.fromkeys(
        (
            "delete_model_alias",
            "delete_model_tag",
            "delete_model_version",
            "download_model",
            "get_model",
            "list_models",
            "model_history",
            "model_lineage",
            "register_model",
            "search_model_versions",
            "set_model_alias",
            "set_model_tags",
        ),
        "sdk.models",
    ),
    **dict.fromkeys(
        (
            "batch_score",
            "delete_deployment",
            "delete_endpoint",
            "deploy",
            "deployment_logs",
            "get_endpoint",
            "invoke_endpoint",
            "list_endpoints",
            "set_traffic",
            "regenerate_endpoint_key",
        ),
        "sdk.serving",
    ),
    **dict.fromkeys(("Pipeline", "Step"), "pipelines.definition"),
    **dict.fromkeys(
        ("cancel_pipeline_run", "get_pipeline_run", "publish_pipeline", "run_pipeline", "schedule_pipeline"),
        "sdk.pipelines",
    ),
    **dict.fromkeys(("LiveChart", "ModelRegistry", "RunDetails", "RunsTable", "SweepView"), "widgets"),
    **dict.fromkeys(("get_sweep", "list_sweeps", "sweep"), "sdk.sweeps"),
    **dict.fromkeys(
        ("choice", "loguniform", "normal", "qloguniform", "quniform", "randint", "uniform"), "sweeps.space"
    ),
    **dict.fromkeys(("Bandit", "MedianStopping", "TruncationSelection"), "sweeps.policies"),
}

__all__ = [
    "Conflict",
    "InvalidInput",
    "MLExtError",
    "NotFound",
    "RunStatus",
    "StorageError",
    "StorageFull",
    "WorkspaceError",
    *_LAZY,
    "load_ipython_extension",
    "unload_ipython_extension",
    "__version__",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext jupyter_mlext`: register the `%mlrun` / `%%mlrun` magics."""
    from .magics import load

    load(ipython)  # type: ignore[arg-type]


def unload_ipython_extension(ipython: object) -> None:
    from .magics import unload

    unload(ipython)  # type: ignore[arg-type]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlext"}]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    from .server.app import MLExtApp

    return [{"module": "jupyter_mlext.server.app", "app": MLExtApp}]
