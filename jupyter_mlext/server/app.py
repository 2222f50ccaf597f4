"""The server extension application: configuration, the store it serves, and its route table."""
from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Unicode

from ..store import TrackingStore, resolve_workspace
from .handlers import HealthHandler

API_PREFIX = "/mlext/api"


class MLExtApp(ExtensionApp):
    name = "jupyter_mlext"
    description = "jupyter-mlext: experiment tracking and compute for Jupyter"

    workspace = Unicode(
        "",
        config=True,
        help="Workspace directory. Default: $MLEXT_WORKSPACE, else .mlext/ in the server's root directory.",
    )

    def initialize_settings(self) -> None:
        root = self.workspace or os.environ.get("MLEXT_WORKSPACE") or os.path.join(
            os.path.expanduser(self.serverapp.root_dir), ".mlext"
        )
        store = TrackingStore(resolve_workspace(root))
        self.settings.update({"mlext_store": store})
        self.log.info("jupyter-mlext workspace: %s", store.paths.root)

    def initialize_handlers(self) -> None:
        self.handlers.extend([(rf"{API_PREFIX}/health", HealthHandler)])

    async def stop_extension(self) -> None:
        store = self.settings.get("mlext_store")
        if store is not None:
            store.close()
