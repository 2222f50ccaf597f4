"""The router process of one endpoint: checks the key and forwards each scoring request to a deployment picked at
random by the traffic split.

    python -m jupyter_mlext.serving.router WORKSPACE ENDPOINT

The split, the deployments' ports and the key come from the workspace: the router polls the endpoint's
`config_version` a few times a second and re-reads on change, and `POST /-/reload` (sent by `set_traffic`, `deploy`
and `regenerate_key`) makes it re-read at once, so a regenerated key replaces the old one without a restart. A new
table replaces the old one in a single assignment, so a change never fails a request; a deployment that does not
answer (restarting, just stopped) is skipped for another one that takes traffic.

Routes: `POST /score` (key required; the header `azureml-model-deployment` picks a deployment, the answer names
the one that served it in the same header), `GET /health` (liveness), `GET /ready` (every deployment that takes
traffic answers), `POST /-/reload` (key required).
"""

from __future__ import annotations

import asyncio
import bisect
import os
import random
import signal
import socket
import sys
import time
from collections.abc import Collection

import psutil

from ..entities import DeploymentStatus, NotFound, RoutingConfig
from ..store import Workspace
from . import http
from .client import ConnectionPool, Unreachable
from .meter import Meter
from .processes import log, workspace_intact

POLL_INTERVAL_S = 0.25
METRICS_INTERVAL_ENV = "MLEXT_ENDPOINT_METRICS_INTERVAL"
DEFAULT_METRICS_INTERVAL_S = 10.0
DEPLOYMENT_HEADER = "azureml-model-deployment"
LOCALHOST = "127.0.0.1"


class Table:
    """Deployments that take traffic, with cumulative weights for a weighted random pick."""

    def __init__(self, config: RoutingConfig | None = None) -> None:
        traffic = config.traffic if config else {}
        self.ports = dict(config.ports) if config else {}
        self.statuses = dict(config.statuses) if config else {}
        self.names = [name for name, share in traffic.items() if share > 0 and name in self.ports]
        self.bounds: list[int] = []
        total = 0
        for name in self.names:
            total += traffic[name]
            self.bounds.append(total)
        self.traffic = {name: traffic[name] for name in self.names}

    def pick(self, skip: Collection[str] = ()) -> str | None:
        if not skip:
            if not self.names:
                return None
            return self.names[bisect.bisect_right(self.bounds, random.random() * self.bounds[-1])]
        left = {name: share for name, share in self.traffic.items() if name not in skip}
        if not left:
            return None
        return random.choices(list(left), weights=list(left.values()))[0]


class Router:
    def __init__(self, workspace: Workspace, endpoint: str, key: str, pid: int) -> None:
        self.workspace = workspace
        self.endpoint = endpoint
        self.key = key
        self.pid = pid
        self.table = Table()
        self.version = -1
        self.pool = ConnectionPool()
        self.meter = Meter()
        self.stopping = asyncio.Event()

    async def __call__(self, request: http.Request) -> http.Reply:
        route = (request.method, request.path)
        if route == ("POST", "/score"):
            started = time.perf_counter()
            deployment, answer = await self.score(request)
            self.meter.record(deployment, answer.status, time.perf_counter() - started)
            return answer
        if route == ("GET", "/health"):
            return http.reply(200, {"status": "ok", "config_version": self.version})
        if route == ("GET", "/ready"):
            return await self.ready()
        if route == ("POST", "/-/reload"):
            if not http.authorized(request, self.key):
                return http.error(401, "missing or wrong key", field="Authorization")
            await self.refresh()
            return http.reply(200, {"config_version": self.version})
        return http.error(404, f"no route {request.method} {request.path}", field="path")

    async def score(self, request: http.Request) -> tuple[str | None, http.Reply]:
        if not http.authorized(request, self.key):
            return None, http.error(
                401, "missing or wrong key: send Authorization: Bearer <key>", field="Authorization"
            )
        table = self.table
        wanted = request.headers.get(DEPLOYMENT_HEADER)
        if wanted is not None and wanted not in table.ports:
            return None, http.error(
                404, f"endpoint {self.endpoint!r} has no deployment {wanted!r}", field=DEPLOYMENT_HEADER
            )
        headers = {"Authorization": request.headers["Authorization"], "Content-Type": http.JSON}
        skipped: list[str] = []
        name = wanted or table.pick()
        while name is not None:
            try:
                answer = await self.pool.request(LOCALHOST, table.ports[name], "POST", "/score", request.body, headers)
            except Unreachable:
                skipped.append(name)
                name = None if wanted else table.pick(skipped)
                continue
            except asyncio.TimeoutError:
                return name, http.error(504, f"deployment {name!r} did not answer in time")
            return name, http.Reply(
                answer.status, answer.body, answer.headers.get("content-type", http.JSON), {DEPLOYMENT_HEADER: name}
            )
        if skipped:
            return None, http.error(503, f"no deployment answered (tried {', '.join(skipped)}); they may be restarting")
        return None, http.error(503, f"endpoint {self.endpoint!r} has no deployment that takes traffic")

    async def ready(self) -> http.Reply:
        table = self.table
        states = {}
        for name in table.names:
            try:
                answer = await self.pool.request(LOCALHOST, table.ports[name], "GET", "/health")
                states[name] = (
                    DeploymentStatus.READY
                    if answer.status == 200 and table.statuses.get(name) == DeploymentStatus.READY
                    else table.statuses.get(name, "unknown")
                )
            except (Unreachable, asyncio.TimeoutError):
                states[name] = "unreachable"
        ready = bool(states) and all(state == DeploymentStatus.READY for state in states.values())
        return http.reply(200 if ready else 503, {"ready": ready, "deployments": states})

    async def refresh(self) -> None:
        """Apply the workspace's current split; stop if the endpoint is gone or another router took it over."""
        config = await asyncio.to_thread(self.workspace.serving.routing, self.endpoint)
        if config is None or config.pid != self.pid:
            self.stopping.set()
            return
        self.key = config.key
        self.table = Table(config)
        self.version = config.version

    async def watch(self) -> None:
        inode = os.stat(self.workspace.paths.database).st_ino
        while not self.stopping.is_set():
            try:
                version = await asyncio.to_thread(self.workspace.serving.config_version, self.endpoint)
                if version != self.version:
                    await self.refresh()
                if not workspace_intact(self.workspace, inode):
                    raise FileNotFoundError(self.workspace.paths.database)
            except Exception as failure:  # the workspace is gone or unreadable: nobody can manage this process
                log(f"stopping: the workspace cannot be read ({type(failure).__name__}: {failure})")
                self.stopping.set()
            try:
                await asyncio.wait_for(self.stopping.wait(), POLL_INTERVAL_S)
            except asyncio.TimeoutError:
                pass

    async def report(self, run_id: str | None, interval: float) -> None:
        """Log the meter's points to the endpoint's run every `interval` seconds, and once more when stopping."""
        while True:
            try:
                await asyncio.wait_for(self.stopping.wait(), interval)
            except asyncio.TimeoutError:
                pass
            points = self.meter.drain()
            if points and run_id is not None:
                try:
                    await asyncio.to_thread(self.workspace.tracking.log_metrics, run_id, points)
                except Exception as failure:
                    log(f"could not log metrics: {failure}")
            if self.stopping.is_set():
                return


async def run(
    workspace: Workspace, endpoint: str, key: str, run_id: str | None, pid: int, sockets: list[socket.socket]
) -> None:
    router = Router(workspace, endpoint, key, pid)
    await router.refresh()
    server = http.serve(router, sockets)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, router.stopping.set)
    loop.add_signal_handler(signal.SIGINT, router.stopping.set)
    interval = float(os.environ.get(METRICS_INTERVAL_ENV) or DEFAULT_METRICS_INTERVAL_S)
    log(f"routing on 127.0.0.1:{sockets[0].getsockname()[1]}")
    await asyncio.gather(router.watch(), router.report(run_id, interval))
    server.stop()
    await server.close_all_connections()
    router.pool.close()


def main(argv: list[str] | None = None) -> int:
    root, endpoint = argv if argv is not None else sys.argv[1:]
    workspace = Workspace(root)
    serving = workspace.serving
    me = psutil.Process()
    try:
        previous = serving.get_endpoint(endpoint)
    except NotFound:
        log(f"endpoint {endpoint} does not exist; exiting")
        return 0
    sockets = http.bind(previous.port)
    port = sockets[0].getsockname()[1]
    if not serving.record_router(endpoint, me.pid, me.create_time(), port):
        log(f"endpoint {endpoint} is routed by another process; exiting")
        return 0
    asyncio.run(run(workspace, endpoint, previous.key, previous.run_id, me.pid, sockets))
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
