"""The scoring process of one deployment: load the scoring script, call `init()`, answer scoring requests.

    python -m jupyter_mlext.serving.worker WORKSPACE ENDPOINT DEPLOYMENT

It claims its deployment's row first (only if no other process holds it, so racing starts leave one), then
reports `Ready` with its port, or `Failed` with the reason (a script that does not import, has no init/run, or
whose init raises) — which is what `deploy` waits for. It stops when told
(SIGTERM) or when its row no longer names it (deleted or replaced).

Routes: `POST /score` (key required; body must be JSON; `run` gets it as text), `GET /health`, `GET /ready`.
A `run` that raises answers 500 with an error id; the traceback is in worker.log under that id.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from ..compute.snapshot import extract_snapshot
from ..entities import Deployment, DeploymentStatus
from ..store import Workspace
from . import http, scoring
from .processes import deployment_folder, log, workspace_intact

WATCH_INTERVAL_S = 1.0
KEY_GRACE_S = 5.0
SLOW_S = 0.005
AVERAGE_WEIGHT = 0.2
_SNAPSHOT_MARK = ".snapshot"


class EndpointKey:
    """The endpoint's key as this process checks it. The key can be regenerated while the process runs: a request
    with another key makes it re-read the key (the router, which checks first, may already have the new one), and
    so does the watch loop every second. The key it replaced is still accepted for KEY_GRACE_S, for requests the
    router let through just before the change."""

    def __init__(self, read: Callable[[], str], key: str) -> None:
        self.read = read
        self.key = key
        self.previous: str | None = None
        self.previous_until = 0.0

    async def accepts(self, request: http.Request) -> bool:
        if self._matches(request):
            return True
        await self.refresh()
        return self._matches(request)

    async def refresh(self) -> None:
        try:
            key = await asyncio.to_thread(self.read)
        except Exception:  # the endpoint is going away or the workspace is unreadable: the watch loop stops us
            return
        if key != self.key:
            self.previous, self.previous_until = self.key, time.monotonic() + KEY_GRACE_S
            self.key = key

    def _matches(self, request: http.Request) -> bool:
        return http.authorized(request, self.key) or (
            self.previous is not None
            and time.monotonic() < self.previous_until
            and http.authorized(request, self.previous)
        )


class Scorer:
    """Answers the routes. `run` is never called twice at once (scripts assume so). A fast `run` is called on the
    event loop: measured with a 0.1 ms scikit-learn model, that serves 1.5x the requests of a hand-off to a
    thread. Once calls average more than SLOW_S they go to one dedicated thread instead, so a slow model does
    not hold up health checks and the reading of the next requests."""

    def __init__(self, run: Callable[[str], Any], key: EndpointKey, where: str = "") -> None:
        self.run = run
        self.key = key
        self.where = where  # "ENDPOINT/DEPLOYMENT", for error messages that say where to look
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="score")
        self.average_s = 0.0
        self.on_thread = 0

    def _timed(self, text: str) -> Any:
        started = time.perf_counter()
        try:
            return self.run(text)
        finally:
            self.average_s += AVERAGE_WEIGHT * (time.perf_counter() - started - self.average_s)

    async def call(self, text: str) -> Any:
        if self.average_s < SLOW_S and not self.on_thread:
            return self._timed(text)
        self.on_thread += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, self._timed, text)
        finally:
            self.on_thread -= 1

    async def __call__(self, request: http.Request) -> http.Reply:
        if request.path == "/score" and request.method == "POST":
            return await self.score(request)
        if request.path in ("/health", "/ready") and request.method == "GET":
            return http.reply(200, {"status": "ok", "ready": True})
        return http.error(404, f"no route {request.method} {request.path}", field="path")

    async def score(self, request: http.Request) -> http.Reply:
        if not await self.key.accepts(request):
            return http.error(401, "missing or wrong key: send Authorization: Bearer <key>", field="Authorization")
        try:
            text = request.body.decode("utf-8")
            json.loads(text)
        except ValueError as problem:
            return http.error(400, f"request body is not valid JSON: {problem}", field="body")
        try:
            result = await self.call(text)
            return http.Reply(200, scoring.to_json(result))
        except Exception:
            error_id = uuid.uuid4().hex[:12]
            log(f"error {error_id} in run():\n{traceback.format_exc()}")
            endpoint, _, deployment = self.where.partition("/")
            return http.error(
                500,
                f"the scoring script of deployment {self.where} failed (error id {error_id}); its traceback is in "
                f"the deployment log: mlext endpoints logs {endpoint} {deployment}",
                error_id=error_id,
            )


def prepare(workspace: Workspace, deployment: Deployment) -> tuple[Path, Path, Path]:
    """The unpacked code folder (re-unpacked when the deployment's snapshot changed), the scoring script in it and
    the model folder."""
    code = deployment_folder(workspace, deployment.endpoint, deployment.name) / "code"
    mark = code / _SNAPSHOT_MARK
    if deployment.snapshot_id and (not mark.is_file() or mark.read_text() != deployment.snapshot_id):
        extract_snapshot(workspace.snapshots.read(deployment.snapshot_id), code)
        mark.write_text(deployment.snapshot_id)
    registry = workspace.registry
    files = registry.existing_files(registry.get_version(deployment.model_name, deployment.model_version))
    return code, code / deployment.script, scoring.model_folder(files)


async def serve(workspace: Workspace, deployment: Deployment, scorer: Scorer, pid: int) -> None:
    inode = os.stat(workspace.paths.database).st_ino
    sockets = http.bind(deployment.port)
    server = http.serve(scorer, sockets)
    port = sockets[0].getsockname()[1]
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    loop.add_signal_handler(signal.SIGINT, stopping.set)
    if await asyncio.to_thread(
        workspace.serving.report_deployment, deployment.endpoint, deployment.name, pid, DeploymentStatus.READY, port
    ):
        log(f"ready on 127.0.0.1:{port}")
        while not stopping.is_set():
            try:
                await asyncio.wait_for(stopping.wait(), WATCH_INTERVAL_S)
            except asyncio.TimeoutError:
                if not await _still_mine(workspace, deployment, pid, inode):
                    log("this process no longer serves the deployment (deleted or replaced); stopping")
                    break
                await scorer.key.refresh()
    server.stop()
    await server.close_all_connections()


async def _still_mine(workspace: Workspace, deployment: Deployment, pid: int, inode: int) -> bool:
    try:
        return workspace_intact(workspace, inode) and await asyncio.to_thread(
            workspace.serving.owns, deployment.endpoint, deployment.name, pid
        )
    except Exception:  # the workspace is unreadable: nobody can reach or manage this process
        return False


def main(argv: list[str] | None = None) -> int:
    root, endpoint, name = argv if argv is not None else sys.argv[1:]
    workspace = Workspace(root)
    serving = workspace.serving
    me = psutil.Process()
    if not serving.claim_deployment(endpoint, name, me.pid, me.create_time()):
        log(f"deployment {endpoint}/{name} is served by another process or was deleted; exiting")
        return 0
    log(f"starting deployment {endpoint}/{name} (pid {me.pid})")
    try:
        deployment = serving.get_deployment(endpoint, name)
        code, script, model_dir = prepare(workspace, deployment)
        os.chdir(code)
        init, run = scoring.load(script, model_dir)
        init()
        key = EndpointKey(lambda: serving.key(endpoint), serving.key(endpoint))
    except BaseException as failure:
        traceback.print_exc()
        reason = "".join(traceback.format_exception_only(type(failure), failure)).strip()
        serving.report_deployment(endpoint, name, me.pid, DeploymentStatus.FAILED, error=reason)
        return 1
    asyncio.run(serve(workspace, deployment, Scorer(run, key, f"{endpoint}/{name}"), me.pid))
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
