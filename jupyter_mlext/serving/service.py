"""Online endpoints as service functions: deploy, change the traffic split, read, delete, and keep them running.

The SDK (`mlx.deploy` …), the CLI (`mlext deploy`, `mlext endpoints …`) and the REST API all call these, with or
without a Jupyter server: the processes they start run in their own sessions. Everything that can be refused (a
model version that does not exist, a missing scoring script or one without init/run, a bad split) is refused
before a process starts; a script that fails to import or whose `init()` raises is reported by its scoring
process and raised here, and the failed deployment is removed again.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compute.snapshot import create_snapshot
from ..errors import Conflict, InvalidInput, MLExtError, NotFound
from ..models import RunStatus
from ..store import TrackingStore
from ..store.registry import ModelRegistry
from ..store.serving import (
    FAILED,
    READY,
    STARTING,
    Endpoint,
    ServingStore,
    check_serving_name,
)
from . import processes, scoring

DEPLOY_TIMEOUT_S = 120.0
ROUTER_TIMEOUT_S = 30.0
START_GRACE_S = 60.0
DOWN = "Down"
_POLL_S = 0.05


def deploy(store: TrackingStore, model: str, scoring_script: str | os.PathLike[str], *, endpoint: str,
           deployment: str = "default", traffic: int | None = None, source_dir: str | os.PathLike[str] | None = None,
           user: str | None = None, timeout: float = DEPLOY_TIMEOUT_S) -> Endpoint:
    """Serve `model` ("name:3", "name@production", "name") with `scoring_script` as `deployment` of `endpoint`
    (created if new), and return the endpoint once the deployment is ready and routed.

    Traffic: the first deployment of an endpoint takes 100%; a later one takes `traffic`% with the others
    scaled down to make room (none by default — move traffic with `set_traffic` once it is tested).
    """
    check_serving_name(endpoint, "endpoint")
    check_serving_name(deployment, "deployment")
    if traffic is not None and (isinstance(traffic, bool) or not isinstance(traffic, int) or not 0 <= traffic <= 100):
        raise InvalidInput(f"traffic must be a whole percentage 0-100, got {traffic!r}", field="traffic")
    registry = ModelRegistry(store)
    version = registry.get(model)
    registry.existing_files(version)
    script, source = resolve_script(scoring_script, source_dir)
    scoring.check_source(source / script)
    serving = ServingStore(store)
    try:
        existing = serving.get_endpoint(endpoint)
    except NotFound:
        existing = None
    if existing is not None:  # refuse what add_deployment and set_traffic would, before starting anything
        if any(d.name == deployment for d in existing.deployments):
            raise Conflict(f"endpoint {endpoint!r} already has a deployment {deployment!r}; delete it first or "
                           "choose another name", field="deployment")
        _new_split(existing.traffic, deployment, traffic)
    snapshot_id = create_snapshot(store, source)
    _, created = serving.ensure_endpoint(endpoint, user)
    serving.add_deployment(endpoint, deployment, version.name, version.version, script, snapshot_id, user)
    child = processes.start_worker(store, endpoint, deployment)
    try:
        _wait_ready(serving, endpoint, deployment, child, timeout)
        serving.set_traffic(endpoint, _new_split(serving.get_endpoint(endpoint).traffic, deployment, traffic))
    except BaseException:
        _undo(store, serving, endpoint, deployment, child, created)
        raise
    _ensure_router(store, serving, endpoint)
    return _notify(serving.get_endpoint(endpoint))


def set_traffic(store: TrackingStore, endpoint: str, traffic: Mapping[str, Any]) -> Endpoint:
    """Replace the split (deployments not named get 0%); the router applies it before this returns."""
    return _notify(_live(ServingStore(store).set_traffic(endpoint, traffic)))


def get_endpoint(store: TrackingStore, name: str) -> Endpoint:
    return _live(ServingStore(store).get_endpoint(name))


def list_endpoints(store: TrackingStore) -> list[Endpoint]:
    return [_live(endpoint) for endpoint in ServingStore(store).list_endpoints()]


def endpoint_key(store: TrackingStore, endpoint: str) -> str:
    """The key a client sends as `Authorization: Bearer <key>`."""
    return ServingStore(store).key(endpoint)


def regenerate_key(store: TrackingStore, endpoint: str) -> str:
    """Replace the endpoint's key and return the new one. The router applies it before this returns (the old key
    is refused from then on, the new one accepted), without a restart; scoring processes follow."""
    serving = ServingStore(store)
    old = serving.regenerate_key(endpoint)
    _notify(serving.get_endpoint(endpoint), key=old)  # the router still holds the old key until it reloads
    return serving.key(endpoint)


def delete_deployment(store: TrackingStore, endpoint: str, deployment: str) -> None:
    """Refused while the deployment takes traffic (unless it is the endpoint's last); the router stops sending
    it requests before its process is stopped."""
    serving = ServingStore(store)
    removed = serving.delete_deployment(endpoint, deployment)
    _notify(serving.get_endpoint(endpoint))
    processes.stop(removed.pid, removed.pid_started_at)


def delete_endpoint(store: TrackingStore, name: str) -> None:
    endpoint, deployments = ServingStore(store).delete_endpoint(name)
    processes.stop(endpoint.pid, endpoint.pid_started_at)
    for deployment in deployments:
        processes.stop(deployment.pid, deployment.pid_started_at)
    _finish_run(store, endpoint.run_id, RunStatus.COMPLETED)


def deployment_log(store: TrackingStore, endpoint: str, deployment: str, lines: int = 200) -> str:
    """The last `lines` of a deployment's log: its start, readiness, and each scoring error with its id."""
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
        raise InvalidInput("lines must be a positive integer", field="lines")
    ServingStore(store).get_deployment(endpoint, deployment)
    return processes.tail(processes.worker_log(store, endpoint, deployment), lines)


def invoke(store: TrackingStore, endpoint: str, data: Any, deployment: str | None = None,
           timeout: float = 60.0) -> Any:
    """Score `data` (sent as JSON) through the endpoint's URL, as any client would; returns the decoded answer."""
    found = ServingStore(store).get_endpoint(endpoint)
    if found.url is None:
        raise MLExtError(f"endpoint {endpoint!r} has no router yet")
    headers = {"Authorization": f"Bearer {found.key}", "Content-Type": "application/json"}
    if deployment is not None:
        headers["azureml-model-deployment"] = deployment
    request = urllib.request.Request(f"{found.url}/score", data=json.dumps(data).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as failure:
        body = failure.read().decode("utf-8", "replace")
        raise MLExtError(f"endpoint {endpoint!r} answered {failure.code}: {body}") from None


def reconcile(store: TrackingStore) -> list[str]:
    """Restart every router and scoring process that should run but does not (after a reboot, a crash, a kill);
    live ones are left alone. Safe to run from several processes at once: each restart is first claimed on the
    dead pid it replaces. Returns what was restarted, as "endpoint" and "endpoint/deployment"."""
    restarted = []
    serving = ServingStore(store)
    stale_before = time.time() - START_GRACE_S
    for endpoint in serving.list_endpoints():
        for d in endpoint.deployments:
            if d.status in (READY, STARTING) and not processes.alive(d.pid, d.pid_started_at) and \
                    serving.claim_deployment_restart(endpoint.name, d.name, d.pid, stale_before):
                processes.start_worker(store, endpoint.name, d.name)
                restarted.append(f"{endpoint.name}/{d.name}")
        if not processes.alive(endpoint.pid, endpoint.pid_started_at) and \
                serving.claim_router_restart(endpoint.name, endpoint.pid, stale_before):
            processes.start_router(store, endpoint.name)
            restarted.append(endpoint.name)
    return restarted


# -- helpers -----------------------------------------------------------------------------------------------------

def resolve_script(scoring_script: str | os.PathLike[str],
                   source_dir: str | os.PathLike[str] | None) -> tuple[str, Path]:
    """The script's path inside its source folder (default: the script's own folder), and that folder."""
    if not isinstance(scoring_script, (str, os.PathLike)) or not str(scoring_script):
        raise InvalidInput("scoring_script must be the path of a Python file", field="scoring_script")
    path = Path(scoring_script).expanduser()
    if source_dir is None:
        return path.name, path.resolve().parent
    source = Path(source_dir).expanduser().resolve()
    if not source.is_dir():
        raise InvalidInput(f"source_dir {str(source_dir)!r} is not a folder", field="source_dir")
    full = path.resolve() if path.is_absolute() else (source / path).resolve()
    if not full.is_relative_to(source):
        raise InvalidInput(f"scoring_script {str(scoring_script)!r} is not inside source_dir", field="scoring_script")
    return full.relative_to(source).as_posix(), source


def _new_split(current: dict[str, int], deployment: str, share: int | None) -> dict[str, int]:
    """The split once `deployment` joins with `share`% (None: 100% if nothing takes traffic yet, else 0%)."""
    others = {name: value for name, value in current.items() if name != deployment and value}
    if share is None:
        share = 0 if others else 100
    room = 100 - share
    if room and not others:
        raise InvalidInput(f"no other deployment can take the remaining {room}% of the traffic; deploy with "
                           "traffic=100 (or none)", field="traffic")
    total = sum(others.values())
    exact = {name: value * room / total for name, value in others.items()} if total else {}
    split = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - split[name], reverse=True)
    for name in by_remainder[:room - sum(split.values())]:
        split[name] += 1
    split[deployment] = share
    return {name: value for name, value in split.items() if value}


def _wait_ready(serving: ServingStore, endpoint: str, deployment: str, child: subprocess.Popen,
                timeout: float) -> None:
    deadline = time.monotonic() + timeout
    log = processes.worker_log(serving.store, endpoint, deployment)
    while True:
        found = serving.get_deployment(endpoint, deployment)
        if found.pid == child.pid and found.status == READY:
            return
        if found.pid == child.pid and found.status == FAILED:
            raise InvalidInput(f"deployment {deployment!r} did not start: {found.error}", field="scoring_script")
        if child.poll() is not None:
            raise MLExtError(f"the scoring process of {deployment!r} exited (code {child.returncode}) before it "
                             f"was ready; end of {log}:\n{processes.tail(log)}")
        if time.monotonic() > deadline:
            raise MLExtError(f"deployment {deployment!r} was not ready after {timeout:g} s; see {log}")
        time.sleep(_POLL_S)


def _undo(store: TrackingStore, serving: ServingStore, endpoint: str, deployment: str, child: subprocess.Popen,
          created: bool) -> None:
    """Remove a deployment that did not start (and its endpoint, if this deploy created it)."""
    processes.stop_child(child)
    try:
        serving.delete_deployment(endpoint, deployment)
    except NotFound:
        pass
    if created and not serving.get_endpoint(endpoint).deployments:
        removed, _ = serving.delete_endpoint(endpoint)
        processes.stop(removed.pid, removed.pid_started_at)
        _finish_run(store, removed.run_id, RunStatus.FAILED, "its first deployment did not start")


def _ensure_router(store: TrackingStore, serving: ServingStore, name: str) -> None:
    """Start the endpoint's router unless one lives (or another process is starting one), and wait until it
    answers."""
    endpoint = serving.get_endpoint(name)
    if not processes.alive(endpoint.pid, endpoint.pid_started_at) and (
            endpoint.pid is None or serving.claim_router_restart(name, endpoint.pid, time.time())):
        processes.start_router(store, name)
    deadline = time.monotonic() + ROUTER_TIMEOUT_S
    log = processes.router_log(store, name)
    while True:
        endpoint = serving.get_endpoint(name)
        if processes.alive(endpoint.pid, endpoint.pid_started_at) and _answers(endpoint):
            return
        if time.monotonic() > deadline:
            raise MLExtError(f"the router of endpoint {name!r} did not answer after {ROUTER_TIMEOUT_S:g} s; end of "
                             f"{log}:\n{processes.tail(log)}")
        time.sleep(_POLL_S)


def _answers(endpoint: Endpoint) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint.url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _notify(endpoint: Endpoint, key: str | None = None) -> Endpoint:
    """Make the router apply the workspace's configuration now (it would within a poll interval anyway). `key` is
    the one the router holds, when it differs from the endpoint's (a 401 then means it already reloaded)."""
    if endpoint.url is not None and processes.alive(endpoint.pid, endpoint.pid_started_at):
        request = urllib.request.Request(f"{endpoint.url}/-/reload", data=b"", method="POST",
                                         headers={"Authorization": f"Bearer {key or endpoint.key}"})
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except OSError:
            pass
    return endpoint


def _live(endpoint: Endpoint) -> Endpoint:
    """The endpoint with deployments whose recorded process is gone shown as Down."""
    deployments = [dataclasses.replace(d, status=DOWN) if d.status == READY and not processes.alive(
        d.pid, d.pid_started_at) else d for d in endpoint.deployments]
    return dataclasses.replace(endpoint, deployments=deployments)


def _finish_run(store: TrackingStore, run_id: str | None, status: RunStatus, error: str | None = None) -> None:
    if run_id is not None and not store.get_run(run_id).status.is_terminal:
        store.set_status(run_id, status, error=error)
