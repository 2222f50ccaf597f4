"""jupyter-mlext: a local-first machine-learning workbench inside Jupyter.

    import jupyter_mlext as mlx
    with mlx.start_run(experiment="diabetes", params={"alpha": 0.1}) as run:
        run.log("mse", 3.2)
"""
from .errors import Conflict, InvalidInput, MLExtError, NotFound, WorkspaceError
from .models import RunStatus
from .sdk import (
    Run,
    active_run,
    flush,
    get_run,
    list_experiments,
    log,
    search_runs,
    start_run,
    submit,
)
from .sdk_models import (
    delete_model_alias,
    delete_model_tag,
    delete_model_version,
    download_model,
    get_model,
    list_models,
    model_history,
    model_lineage,
    register_model,
    search_model_versions,
    set_model_alias,
    set_model_tags,
)

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built
    __version__ = "0.0.0.dev0"

__all__ = [
    "Conflict",
    "InvalidInput",
    "MLExtError",
    "NotFound",
    "Run",
    "RunStatus",
    "WorkspaceError",
    "active_run",
    "delete_model_alias",
    "delete_model_tag",
    "delete_model_version",
    "download_model",
    "flush",
    "get_model",
    "get_run",
    "list_experiments",
    "list_models",
    "log",
    "model_history",
    "model_lineage",
    "register_model",
    "search_model_versions",
    "search_runs",
    "set_model_alias",
    "set_model_tags",
    "start_run",
    "submit",
    "LiveChart",
    "ModelRegistry",
    "RunDetails",
    "RunsTable",
    "load_ipython_extension",
    "unload_ipython_extension",
    "__version__",
]

_WIDGETS = ("LiveChart", "ModelRegistry", "RunDetails", "RunsTable")


def __getattr__(name: str) -> object:
    """The widget classes, imported on first use: ipywidgets and matplotlib are heavy for a training script."""
    if name in _WIDGETS:
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
