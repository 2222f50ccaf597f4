"""Online endpoints and batch scoring from Python.

    ep = mlx.deploy("diabetes-ridge@production", "score.py", endpoint="diabetes", deployment="blue")
    mlx.deploy("diabetes-ridge:4", "score.py", endpoint="diabetes", deployment="green", traffic=10)
    mlx.set_traffic("diabetes", {"blue": 50, "green": 50})
    mlx.invoke_endpoint("diabetes", {"data": [[0.1, 0.2, 0.3]]})       # or POST ep.scoring_url with ep.key
    key = mlx.regenerate_endpoint_key("diabetes")                       # the old key stops working at once
    run = mlx.batch_score("diabetes-ridge:4", "score.py", inputs="batches/", experiment="scoring")

Endpoints keep running after the notebook's kernel stops; a Jupyter server on the workspace restarts any of
their processes that died.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..entities import Endpoint
from ..serving import batch, service
from ..store import Workspace
from . import context
from .context import WorkspaceArg
from .run import Run


def _store(workspace: WorkspaceArg) -> Workspace:
    return context.local_workspace(workspace, "endpoints need")


def deploy(
    model: str,
    scoring_script: str | os.PathLike[str],
    *,
    endpoint: str,
    deployment: str = "default",
    traffic: int | None = None,
    source_dir: str | os.PathLike[str] | None = None,
    workspace: WorkspaceArg = None,
) -> Endpoint:
    """Serve a registered model version ("name:3", "name@production") with a scoring script (`init()`, `run(data)`)
    as `deployment` of `endpoint`; returns once it answers. The first deployment of an endpoint takes all the
    traffic; a later one takes `traffic`% (default none: test it with `invoke_endpoint(..., deployment=...)`)."""
    return service.deploy(
        _store(workspace),
        model,
        scoring_script,
        endpoint=endpoint,
        deployment=deployment,
        traffic=traffic,
        source_dir=source_dir,
        user=context.user(),
    )


def set_traffic(endpoint: str, traffic: Mapping[str, int], workspace: WorkspaceArg = None) -> Endpoint:
    """The new split, e.g. {"blue": 90, "green": 10} (adds up to 100); applied without dropping a request."""
    return service.set_traffic(_store(workspace), endpoint, traffic)


def list_endpoints(workspace: WorkspaceArg = None) -> list[Endpoint]:
    return service.list_endpoints(_store(workspace))


def get_endpoint(name: str, workspace: WorkspaceArg = None) -> Endpoint:
    """The endpoint with its `url`, `scoring_url`, `key`, `traffic` and `deployments`."""
    return service.get_endpoint(_store(workspace), name)


def regenerate_endpoint_key(endpoint: str, workspace: WorkspaceArg = None) -> str:
    """A new key for the endpoint, returned; the old one is refused from now on (the router applies the change
    before this returns, without a restart). Clients switch to the new key."""
    return service.regenerate_key(_store(workspace), endpoint)


def invoke_endpoint(name: str, data: Any, deployment: str | None = None, workspace: WorkspaceArg = None) -> Any:
    """Score `data` through the endpoint (or one named deployment of it) and return the decoded answer."""
    return service.invoke(_store(workspace), name, data, deployment)


def deployment_logs(endpoint: str, deployment: str, workspace: WorkspaceArg = None) -> str:
    """The end of a deployment's log, where a failed request's error id leads to its traceback."""
    return service.deployment_log(_store(workspace), endpoint, deployment)


def delete_deployment(
    endpoint: str, deployment: str, workspace: WorkspaceArg = None, *, keep_endpoint: bool = False
) -> bool:
    """Refused while the deployment takes traffic, unless it is the endpoint's last one; deleting the last one
    deletes the endpoint too unless `keep_endpoint`. Returns whether the endpoint was deleted."""
    return service.delete_deployment(_store(workspace), endpoint, deployment, keep_endpoint)


def delete_endpoint(name: str, workspace: WorkspaceArg = None) -> None:
    service.delete_endpoint(_store(workspace), name)


def batch_score(
    model: str,
    scoring_script: str | os.PathLike[str],
    inputs: str | os.PathLike[str],
    *,
    source_dir: str | os.PathLike[str] | None = None,
    compute: str = "local",
    experiment: str = batch.DEFAULT_EXPERIMENT,
    name: str | None = None,
    timeout: float | None = None,
    workspace: WorkspaceArg = None,
) -> Run:
    """Submit a job that runs the scoring script over every file in `inputs`; the results become the run's
    outputs (`outputs/predictions/…`). Follow it with `run.wait()`."""
    store = _store(workspace)
    info = batch.batch_score(
        store,
        model,
        scoring_script,
        inputs,
        source_dir=source_dir,
        compute=compute,
        experiment=experiment,
        name=name,
        timeout_s=timeout,
        user=context.user(),
    )
    return Run(info.id, str(store.root))
