"""The server extension application: configuration, the services it puts in settings, and its route table.

The same app serves JupyterLab (`jupyter lab` loads it as an extension), runs headless (`mlext server`), or runs
only the dispatcher (`mlext agent`, see compute/agent.py). Services live in tornado settings under `mlext_*`:
the store, the compute store, the event hub and the dispatcher.
"""
from __future__ import annotations

import asyncio
import contextlib
import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Float, Int, Unicode

from ..compute.dask import DaskBackend
from ..compute.dispatcher import Dispatcher
from ..compute.local import LocalBackend
from ..models import TargetKind
from ..serving.supervisor import keep_endpoints_running
from ..store import TrackingStore, resolve_workspace
from ..store.compute import ComputeStore
from .events import STOP_WAIT_S, EventHub, wait_flag
from .events_handler import EventsHandler
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
    events_kept = Int(100_000, config=True, help="How many change-feed events the workspace keeps for resuming.")
    compute_targets = Dict(
        value_trait=Dict(),
        config=True,
        help="Compute targets to declare at start, by name: {'cluster': {'kind': 'dask', 'address': "
        "'tcp://10.0.0.5:8786', 'concurrency': 16}}. A target of that name is created, or changed to match.",
    )
    tracking_url = Unicode(
        "",
        config=True,
        help="This server's URL as Dask workers reach it, e.g. http://10.0.0.2:8888/ (default: its connection URL, "
        "which names localhost unless the server listens on all interfaces). Runs on Dask report to it.",
    )

    def initialize_settings(self) -> None:
        root = self.workspace or os.environ.get("MLEXT_WORKSPACE") or os.path.join(
            os.path.expanduser(self.serverapp.root_dir), ".mlext"
        )
        store = TrackingStore(resolve_workspace(root))
        compute = ComputeStore(store)
        if self.local_concurrency:
            compute.set_concurrency("local", self.local_concurrency)
        for name, spec in self.compute_targets.items():
            compute.declare_target(name, spec.get("kind", "local"), spec.get("address"), spec.get("concurrency", 1))
        self.dispatcher = Dispatcher(store, {
            TargetKind.LOCAL: LocalBackend(store),
            TargetKind.DASK: DaskBackend(store, self.tracking_endpoint),
        }, pipelines=True)
        self.hub = EventHub(store)
        self.settings.update(
            mlext_store=store, mlext_compute=compute, mlext_dispatcher=self.dispatcher, mlext_events=self.hub,
            mlext_root_dir=os.path.expanduser(self.serverapp.root_dir),
        )
        self.log.info("jupyter-mlext workspace: %s", store.paths.root)
        self._tasks: list[asyncio.Task] = []

    def tracking_endpoint(self) -> tuple[str, str | None]:
        """Where runs on Dask workers report, and the token they send: asked when a run starts, because the
        server's port is only known once it listens."""
        return self.tracking_url or self.serverapp.connection_url, self.serverapp.identity_provider.token or None

    def initialize_handlers(self) -> None:
        self.handlers.extend([(rf"{API_PREFIX}/events", EventsHandler), *api_routes(API_PREFIX)])

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        await self.hub.start()
        if self.dispatch:
            self._tasks.append(asyncio.create_task(self._dispatch_loop()))
        self._tasks.append(asyncio.create_task(self._prune_loop()))
        self._tasks.append(asyncio.create_task(keep_endpoints_running(self.settings["mlext_store"], self.log)))

    async def _dispatch_loop(self) -> None:
        changed = self.hub.listen()
        while True:
            try:
                await asyncio.to_thread(self.dispatcher.tick)
            except Exception:  # logged; the next pass retries
                self.log.exception("jupyter-mlext dispatcher pass failed")
            await wait_flag(changed, self.dispatch_interval)
            changed.clear()

    async def _prune_loop(self) -> None:
        store: TrackingStore = self.settings["mlext_store"]
        while True:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(store.prune_events, self.events_kept)
            await asyncio.sleep(600)

    async def stop_extension(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=STOP_WAIT_S)
        await self.hub.stop()
        await asyncio.to_thread(self.dispatcher.close)
        await asyncio.to_thread(self.settings["mlext_store"].close)
