"""The server extension application, and the composition root of the server: it opens the workspace, builds the
compute backends and the daemon (daemon.py), the event hub, and puts them in tornado settings for the handlers.

The same app serves JupyterLab (`jupyter lab` loads it as an extension) and runs headless (`mlext server`);
`mlext agent` runs the daemon alone (cli/compute.py).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Float, Int, List, Unicode, default

from ..compute.dask import DaskBackend
from ..compute.dispatcher import Backends
from ..compute.local import LocalBackend
from ..compute.warm import WarmSettings
from ..daemon import EVENTS_KEPT, Daemon
from ..entities import TargetKind
from ..store import Workspace, resolve_workspace
from .events import EventHub
from .mlflow.routes import mlflow_routes
from .routes import api_routes

API_PREFIX = "/mlext/api"


class MLExtApp(ExtensionApp):
    name = "jupyter_mlext"
    description = "jupyter-mlext: experiment tracking and compute for Jupyter"

    workspace = Unicode(
        "",
        config=True,
        help="Workspace directory. Default: $MLEXT_WORKSPACE, else .mlext/ in the server's root directory.",
    )
    dispatch = Bool(True, config=True, help="Start queued runs on their compute targets from this server.")
    local_concurrency = Int(
        0, config=True, help="How many runs the `local` target executes at once (0: keep the workspace's setting)."
    )
    dispatch_interval = Float(
        0.5, config=True, help="Longest wait (s) between dispatcher passes; changes to the workspace wake it sooner."
    )
    events_kept = Int(EVENTS_KEPT, config=True, help="How many change-feed events the workspace keeps for resuming.")
    compute_targets = Dict(
        value_trait=Dict(),
        config=True,
        help="Compute targets to declare at start, by name: {'cluster': {'kind': 'dask', 'address': "
        "'tcp://10.0.0.5:8786', 'concurrency': 16}}. A target of that name is created, or changed to match.",
    )
    warm_pool = Bool(
        config=True,
        help="Start local runs by fork from a preloaded interpreter (the warm pool); off: a new interpreter per run. "
        "Default: $MLEXT_WARM_POOL, else on.",
    )
    warm_preload = List(
        Unicode(),
        config=True,
        help="Modules the warm interpreter imports (those installed). Default: $MLEXT_WARM_PRELOAD, else "
        "jupyter_mlext, jupyter_mlext.sdk.run, numpy, pandas, sklearn.",
    )
    warm_pool_size = Int(
        config=True, help="At most this many warm interpreters (one per environment). Default: $MLEXT_WARM_POOL_SIZE."
    )
    warm_pool_memory_mb = Int(
        config=True, help="Their resident memory together, at most (MB). Default: $MLEXT_WARM_POOL_MEMORY_MB."
    )
    warm_idle_s = Float(config=True, help="A warm interpreter unused this long (s) stops. Default: $MLEXT_WARM_IDLE_S.")

    @default("warm_pool")
    def _warm_pool_default(self) -> bool:
        return WarmSettings.from_env().enabled

    @default("warm_preload")
    def _warm_preload_default(self) -> list[str]:
        return list(WarmSettings.from_env().preload)

    @default("warm_pool_size")
    def _warm_pool_size_default(self) -> int:
        return WarmSettings.from_env().size

    @default("warm_pool_memory_mb")
    def _warm_pool_memory_mb_default(self) -> int:
        return WarmSettings.from_env().memory_mb

    @default("warm_idle_s")
    def _warm_idle_s_default(self) -> float:
        return WarmSettings.from_env().idle_s

    tracking_url = Unicode(
        "",
        config=True,
        help="This server's URL as Dask workers reach it, e.g. http://10.0.0.2:8888/ (default: its connection URL, "
        "which names localhost unless the server listens on all interfaces). Runs on Dask report to it.",
    )

    def initialize_settings(self) -> None:
        serverapp = self.serverapp
        assert serverapp is not None  # the server links itself to an extension before initializing it
        root = (
            self.workspace
            or os.environ.get("MLEXT_WORKSPACE")
            or os.path.join(os.path.expanduser(serverapp.root_dir), ".mlext")
        )
        workspace = Workspace(resolve_workspace(root))
        if self.local_concurrency:
            workspace.compute.set_concurrency("local", self.local_concurrency)
        for name, spec in self.compute_targets.items():
            workspace.compute.declare_target(
                name, spec.get("kind", "local"), spec.get("address"), spec.get("concurrency", 1)
            )
        warm = WarmSettings(
            self.warm_pool, tuple(self.warm_preload), self.warm_pool_size, self.warm_pool_memory_mb, self.warm_idle_s
        )
        self.local = LocalBackend(workspace, warm)
        backends: Backends = {
            TargetKind.LOCAL: self.local,
            TargetKind.DASK: DaskBackend(workspace, self.tracking_endpoint),
        }
        self.daemon = Daemon(
            workspace,
            backends,
            kind="server",
            dispatch=self.dispatch,
            interval=self.dispatch_interval,
            events_kept=self.events_kept,
        )
        self.hub = EventHub(workspace)
        self.settings.update(
            mlext_workspace=workspace,
            mlext_backends=backends,
            mlext_events=self.hub,
            mlext_root_dir=os.path.expanduser(serverapp.root_dir),
        )
        self.log.info("jupyter-mlext workspace: %s", workspace.root)

    def tracking_endpoint(self) -> tuple[str, str | None]:
        """Where runs on Dask workers report, and the token they send: asked when a run starts, because the
        server's port is only known once it listens."""
        serverapp = self.serverapp
        assert serverapp is not None  # runs start only once the server is up
        return self.tracking_url or serverapp.connection_url, serverapp.identity_provider.token or None

    def initialize_handlers(self) -> None:
        self.handlers.extend(api_routes(API_PREFIX))
        self.handlers.extend(mlflow_routes())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        await self.hub.start()
        self.hub.listen(self.daemon.wake)
        self.daemon.start(watch=False)
        if self.dispatch:
            self.local.prewarm()

    async def stop_extension(self) -> None:
        await self.hub.stop()
        await asyncio.to_thread(self.daemon.stop)
        await asyncio.to_thread(self.settings["mlext_workspace"].close)
