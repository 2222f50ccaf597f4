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
    "__version__",
    "active_run",
    "flush",
    "get_run",
    "list_experiments",
    "log",
    "search_runs",
    "start_run",
    "submit",
]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlext"}]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    from .server.app import MLExtApp

    return [{"module": "jupyter_mlext.server.app", "app": MLExtApp}]
