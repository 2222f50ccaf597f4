"""Online endpoints as service functions: deploy, change the traffic split, read, delete, and keep them running.

The SDK (`mlx.deploy` …), the CLI (`mlext deploy`, `mlext endpoints …`) and the REST API all call these, with or
without a Jupyter server: the processes they start run in their own sessions. Everything that can be refused (a
model version that does not exist, a missing scoring script or one without init/run, a bad split) is refused
before a process starts; a script that fails to import or whose `init()` raises is reported by its scoring
process and raised here, and the failed deployment is removed again.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compute.snapshot import create_snapshot
from ..entities import Conflict, DeploymentStatus, Endpoint, InvalidInput, MLExtError, NotFound, RunStatus
from ..store import Workspace
from ..store.serving import ServingRepository, check_serving_name
from ..wire import HttpClient
from . import processes, scoring

DEPLOY_TIMEOUT_S = 120.0
ROUTER_TIMEOUT_S = 30.0
START_GRACE_S = 60.0
# deploy() routes a deployment within milliseconds of its Ready report; one Ready for longer with nothing routed
# (no traffic, no router) belongs to a deploy() whose process died in between.
UNFINISHED_DEPLOY_S = 5.0
_POLL_S = 0.05


def deploy(
    workspace: Workspace,
    model: str,
    scoring_script: str | os.PathLike[str],
    *,
    endpoint: str,
    deployment: str = "default",
    traffic: int | None = None,
    source_dir: str | os.PathLike[str] | None = None,
    user: str | None = None,
    timeout: float = DEPLOY_TIMEOUT_S,
) -> Endpoint:
    """Serve `model` ("name:3", "name@production", "name") with `scoring_script` as `deployment` of `endpoint`
    (created if new), and return the endpoint once the deployment is ready and routed.

    Traffic: the first deployment of an endpoint takes 100%; a later one takes `traffic`% with the others
    scaled down to make room (none by default — move traffic with `set_traffic` once it is tested).
    """
    check_serving_name(endpoint, "endpoint")
    check_serving_name(deployment, "deployment")
    if traffic is not None and (isinstance(traffic, bool) or not isinstance(traffic, int) or not 0 <= traffic <= 100):
        raise InvalidInput(f"traffic must be a whole percentage 0-100, got {traffic!r}", field="traffic")
    registry = workspace.registry
    version = registry.get(model)
    registry.existing_files(version)
    script, source = resolve_script(scoring_script, source_dir)
    scoring.check_source(source / script)
    serving = workspace.serving
    try:
        existing = serving.get_endpoint(endpoint)
    except NotFound:
        existing = None
    if existing is not None:  # refuse what add_deployment and set_traffic would, before starting anything
        if any(d.name == deployment for d in existing.deployments):
            raise Conflict(
                f"endpoint {endpoint!r} already has a deployment {deployment!r}; delete it first or "
                "choose another name",
                field="deployment",
            )
        _new_split(existing.traffic, deployment, traffic)
    snapshot_id = create_snapshot(workspace, source)
    _, created = serving.ensure_endpoint(endpoint, user)
    serving.add_deployment(endpoint, deployment, version.name, version.version, script, snapshot_id, user)
    child = processes.start_worker(workspace, endpoint, deployment)
    try:
        _wait_ready(workspace, endpoint, deployment, child, timeout)
        serving.set_traffic(endpoint, _new_split(serving.get_endpoint(endpoint).traffic, deployment, traffic))
    except BaseException:
        _undo(workspace, serving, endpoint, deployment, child, created)
        raise
    _ensure_router(workspace, serving, endpoint)
    return _notify(serving.get_endpoint(endpoint))


def set_traffic(workspace: Workspace, endpoint: str, traffic: Mapping[str, Any]) -> Endpoint:
    """Replace the split (deployments not named get 0%); the router applies it before this returns."""
    return _notify(_live(workspace.serving.set_traffic(endpoint, traffic)))


def get_endpoint(workspace: Workspace, name: str) -> Endpoint:
    return _live(workspace.serving.get_endpoint(name))


def list_endpoints(workspace: Workspace) -> list[Endpoint]:
    return [_live(endpoint) for endpoint in workspace.serving.list_endpoints()]


def endpoint_key(workspace: Workspace, endpoint: str) -> str:
    """The key a client sends as `Authorization: Bearer <key>`."""
    return workspace.serving.key(endpoint)


def regenerate_key(workspace: Workspace, endpoint: str) -> str:
    """Replace the endpoint's key and return the new one. The router applies it before this returns (the old key
    is refused from then on, the new one accepted), without a restart; scoring processes follow."""
    serving = workspace.serving
    old = serving.regenerate_key(endpoint)
    _notify(serving.get_endpoint(endpoint), key=old)  # the router still holds the old key until it reloads
    return serving.key(endpoint)


def delete_deployment(workspace: Workspace, endpoint: str, deployment: str, keep_endpoint: bool = False) -> bool:
    """Refused while the deployment takes traffic (unless it is the endpoint's last); the router stops sending
    it requests before its process is stopped. Deleting the last deployment deletes the endpoint too (an endpoint
    with nothing to route to only answers errors), unless `keep_endpoint` keeps its URL and key for the next
    deploy. Returns whether the endpoint was deleted."""
    serving = workspace.serving
    removed = serving.delete_deployment(endpoint, deployment)
    left = serving.get_endpoint(endpoint)
    if not left.deployments and not keep_endpoint:
        processes.stop(removed.pid, removed.pid_started_at)
        delete_endpoint(workspace, endpoint)
        return True
    _notify(left)
    processes.stop(removed.pid, removed.pid_started_at)
    return False


def delete_endpoint(workspace: Workspace, name: str) -> None:
    endpoint, deployments = workspace.serving.delete_endpoint(name)
    processes.stop(endpoint.pid, endpoint.pid_started_at)
    for deployment in deployments:
        processes.stop(deployment.pid, deployment.pid_started_at)
    _finish_run(workspace, endpoint.run_id, RunStatus.COMPLETED)


def deployment_log(workspace: Workspace, endpoint: str, deployment: str, lines: int = 200) -> str:
    """The last `lines` of a deployment's log: its start, readiness, and each scoring error with its id."""
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
        raise InvalidInput("lines must be a positive integer", field="lines")
    workspace.serving.get_deployment(endpoint, deployment)
    return processes.tail(processes.worker_log(workspace, endpoint, deployment), lines)


def invoke(workspace: Workspace, endpoint: str, data: Any, deployment: str | None = None, timeout: float = 60.0) -> Any:
    """Score `data` (sent as JSON) through the endpoint's URL, as any client would; returns the decoded answer."""
    found = workspace.serving.get_endpoint(endpoint)
    if found.url is None:
        raise MLExtError(f"endpoint {endpoint!r} has no router yet")
    headers = {} if deployment is None else {"azureml-model-deployment": deployment}
    client = HttpClient(found.url, token=found.key, scheme="Bearer", timeout=timeout)
    try:
        answer = client.request("POST", "/score", json_body=data, headers=headers, check=False)
    finally:
        client.close()
    if answer.status >= 400:
        raise MLExtError(f"endpoint {endpoint!r} answered {answer.status}: {answer.body.decode('utf-8', 'replace')}")
    return answer.json()


def reconcile(workspace: Workspace) -> list[str]:
    """Restart every router and scoring process that should run but does not (after a reboot, a crash, a kill);
    live ones are left alone. Safe to run from several processes at once: each restart is first claimed on the
    dead pid it replaces. Returns what was restarted, as "endpoint" and "endpoint/deployment"."""
    restarted = []
    serving = workspace.serving
    stale_before = time.time() - START_GRACE_S
    for endpoint in serving.list_endpoints():
        if _finish_interrupted_deploy(serving, endpoint):
            restarted.append(f"{endpoint.name} (its deploy was interrupted: routed now)")
            endpoint = serving.get_endpoint(endpoint.name)
        for d in endpoint.deployments:
            if (
                d.status in (DeploymentStatus.READY, DeploymentStatus.STARTING)
                and not processes.alive(d.pid, d.pid_started_at)
                and serving.claim_deployment_restart(endpoint.name, d.name, d.pid, stale_before)
            ):
                processes.start_worker(workspace, endpoint.name, d.name)
                restarted.append(f"{endpoint.name}/{d.name}")
        router_stale_before = time.time() if _deploy_was_interrupted(endpoint) else stale_before
        if not processes.alive(endpoint.pid, endpoint.pid_started_at) and serving.claim_router_restart(
            endpoint.name, endpoint.pid, router_stale_before
        ):
            processes.start_router(workspace, endpoint.name)
            restarted.append(endpoint.name)
    return restarted


# -- helpers -----------------------------------------------------------------------------------------------------


def _deploy_was_interrupted(endpoint: Endpoint) -> bool:
    """An endpoint whose router was never started although a deployment has been Ready for a while: the
    deploy() that would have started it is gone (a killed server or notebook), so nobody else will."""
    ready_since = time.time() - UNFINISHED_DEPLOY_S
    return endpoint.pid is None and any(
        d.status == DeploymentStatus.READY and d.updated_at < ready_since for d in endpoint.deployments
    )


def _finish_interrupted_deploy(serving: ServingRepository, endpoint: Endpoint) -> bool:
    """Give the traffic an interrupted first deploy would have given: its only deployment, Ready, takes 100%.
    (A later deployment of an endpoint takes no traffic unless asked; an interrupted one keeps 0%, as it would
    by default, and `set_traffic` moves it.)"""
    if _deploy_was_interrupted(endpoint) and len(endpoint.deployments) == 1 and not any(endpoint.traffic.values()):
        serving.set_traffic(endpoint.name, {endpoint.deployments[0].name: 100})
        return True
    return False


def resolve_script(
    scoring_script: str | os.PathLike[str], source_dir: str | os.PathLike[str] | None
) -> tuple[str, Path]:
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
        raise InvalidInput(
            f"no other deployment can take the remaining {room}% of the traffic; deploy with traffic=100 (or none)",
            field="traffic",
        )
    total = sum(others.values())
    exact = {name: value * room / total for name, value in others.items()} if total else {}
    split = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - split[name], reverse=True)
    for name in by_remainder[: room - sum(split.values())]:
        split[name] += 1
    split[deployment] = share
    return {name: value for name, value in split.items() if value}


def _wait_ready(
    workspace: Workspace, endpoint: str, deployment: str, child: subprocess.Popen[bytes], timeout: float
) -> None:
    serving = workspace.serving
    deadline = time.monotonic() + timeout
    log = processes.worker_log(workspace, endpoint, deployment)
    while True:
        found = serving.get_deployment(endpoint, deployment)
        if found.pid == child.pid and found.status == DeploymentStatus.READY:
            return
        if found.pid == child.pid and found.status == DeploymentStatus.FAILED:
            raise InvalidInput(f"deployment {deployment!r} did not start: {found.error}", field="scoring_script")
        if child.poll() is not None:
            raise MLExtError(
                f"the scoring process of {deployment!r} exited (code {child.returncode}) before it "
                f"was ready; end of {log}:\n{processes.tail(log)}"
            )
        if time.monotonic() > deadline:
            raise MLExtError(f"deployment {deployment!r} was not ready after {timeout:g} s; see {log}")
        time.sleep(_POLL_S)


def _undo(
    workspace: Workspace,
    serving: ServingRepository,
    endpoint: str,
    deployment: str,
    child: subprocess.Popen[bytes],
    created: bool,
) -> None:
    """Remove a deployment that did not start (and its endpoint, if this deploy created it)."""
    processes.stop_child(child)
    try:
        serving.delete_deployment(endpoint, deployment)
    except NotFound:
        pass
    if created and not serving.get_endpoint(endpoint).deployments:
        removed, _ = serving.delete_endpoint(endpoint)
        processes.stop(removed.pid, removed.pid_started_at)
        _finish_run(workspace, removed.run_id, RunStatus.FAILED, "its first deployment did not start")


def _ensure_router(workspace: Workspace, serving: ServingRepository, name: str) -> None:
    """Start the endpoint's router unless one lives (or another process is starting one), and wait until it
    answers."""
    endpoint = serving.get_endpoint(name)
    if not processes.alive(endpoint.pid, endpoint.pid_started_at) and (
        endpoint.pid is None or serving.claim_router_restart(name, endpoint.pid, time.time())
    ):
        processes.start_router(workspace, name)
    deadline = time.monotonic() + ROUTER_TIMEOUT_S
    log = processes.router_log(workspace, name)
    while True:
        endpoint = serving.get_endpoint(name)
        if processes.alive(endpoint.pid, endpoint.pid_started_at) and _answers(endpoint):
            return
        if time.monotonic() > deadline:
            raise MLExtError(
                f"the router of endpoint {name!r} did not answer after {ROUTER_TIMEOUT_S:g} s; end of "
                f"{log}:\n{processes.tail(log)}"
            )
        time.sleep(_POLL_S)


def _answers(endpoint: Endpoint) -> bool:
    return endpoint.url is not None and _call(endpoint.url, "GET", "/health", None, timeout=2) == 200


def _notify(endpoint: Endpoint, key: str | None = None) -> Endpoint:
    """Make the router apply the workspace's configuration now (it would within a poll interval anyway). `key` is
    the one the router holds, when it differs from the endpoint's (a 401 then means it already reloaded)."""
    if endpoint.url is not None and processes.alive(endpoint.pid, endpoint.pid_started_at):
        _call(endpoint.url, "POST", "/-/reload", key or endpoint.key, timeout=5)
    return endpoint


def _call(url: str, method: str, path: str, key: str | None, timeout: float) -> int | None:
    """The status of one request to a router, or None when nothing answers."""
    client = HttpClient(url, token=key, scheme="Bearer", timeout=timeout)
    try:
        return client.request(method, path, body=b"" if method == "POST" else None, check=False).status
    except MLExtError:
        return None
    finally:
        client.close()


def _live(endpoint: Endpoint) -> Endpoint:
    """The endpoint with deployments whose recorded process is gone shown as Down."""
    deployments = [
        dataclasses.replace(d, status=DeploymentStatus.DOWN)
        if d.status == DeploymentStatus.READY and not processes.alive(d.pid, d.pid_started_at)
        else d
        for d in endpoint.deployments
    ]
    return dataclasses.replace(endpoint, deployments=deployments)


def _finish_run(workspace: Workspace, run_id: str | None, status: RunStatus, error: str | None = None) -> None:
    if run_id is not None and not workspace.tracking.get_run(run_id).status.is_terminal:
        workspace.tracking.set_status(run_id, status, error=error)
