"""Online endpoints and batch scoring over REST: thin translations to the service functions in `serving/`.

Endpoint answers carry no key: it is read (and regenerated) at `/endpoints/{endpoint}/key`, which needs the right
to change the endpoint. Paths in requests (scoring script, source folder, inputs) are relative to the Jupyter root
folder and may not leave it. Deploying waits for the scoring process to be ready, off the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import Endpoint, InvalidInput, RunInfo
from ...serving import batch, service
from ...store import Workspace
from .base import MLExtHandler
from .jobs import under_root


class ServingHandler(MLExtHandler):
    @property
    def root(self) -> Path:
        return Path(self.settings["mlext_root_dir"])


class EndpointsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        endpoints = await self.call(service.list_endpoints, self.workspace)
        self.reply({"endpoints": [endpoint.public_dict() for endpoint in endpoints]})


class EndpointHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, endpoint: str) -> None:
        self.reply((await self.call(service.get_endpoint, self.workspace, endpoint)).public_dict())

    @web.authenticated
    @authorized("write")
    async def delete(self, endpoint: str) -> None:
        await self.call(service.delete_endpoint, self.workspace, endpoint)
        self.no_content()


class EndpointKeyHandler(ServingHandler):
    """The key is a secret apart from the endpoint: reading it, like regenerating it, takes the right to change
    the endpoint, not only to read the workspace."""

    @web.authenticated
    @authorized("write")
    async def get(self, endpoint: str) -> None:
        key = await self.call(service.endpoint_key, self.workspace, endpoint)
        self.reply({"endpoint": endpoint, "key": key})

    @web.authenticated
    @authorized("write")
    async def post(self, endpoint: str) -> None:
        """Regenerate: the router refuses the old key from the answer on."""
        self.body()
        key = await self.call(service.regenerate_key, self.workspace, endpoint)
        self.reply({"endpoint": endpoint, "key": key})


class TrafficHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def put(self, endpoint: str) -> None:
        split = self.body().get("traffic")
        self.reply((await self.call(service.set_traffic, self.workspace, endpoint, split)).public_dict())


class DeploymentsHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def post(self, endpoint: str) -> None:
        """Create a deployment (and the endpoint, if new); answers once it is ready and routed."""
        body = self.body()
        updated = await self.call(
            _deploy,
            self.workspace,
            self.root,
            body.get("model"),
            body.get("scoring_script"),
            body.get("source_dir"),
            endpoint=endpoint,
            deployment=body.get("deployment", "default"),
            traffic=body.get("traffic"),
            user=self.user,
        )
        self.reply(updated.public_dict(), status=201)


class DeploymentHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def delete(self, endpoint: str, deployment: str) -> None:
        keep = self.get_query_argument("keep_endpoint", "false")
        if keep not in ("true", "false"):
            raise InvalidInput(f"keep_endpoint must be true or false, got {keep!r}", field="keep_endpoint")
        await self.call(service.delete_deployment, self.workspace, endpoint, deployment, keep == "true")
        self.no_content()


class DeploymentLogHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, endpoint: str, deployment: str) -> None:
        text = await self.call(
            service.deployment_log, self.workspace, endpoint, deployment, self.query_int("lines", 200)
        )
        self.reply({"endpoint": endpoint, "deployment": deployment, "log": text})


class BatchScoringHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def post(self) -> None:
        """Queue a batch-scoring run over a folder of input files; answers with the queued run."""
        body = self.body()
        run = await self.call(
            _batch_score,
            self.workspace,
            self.root,
            body.get("model"),
            body.get("scoring_script"),
            body.get("inputs"),
            body.get("source_dir"),
            compute=body.get("compute", "local"),
            experiment=body.get("experiment", batch.DEFAULT_EXPERIMENT),
            name=body.get("name"),
            timeout_s=body.get("timeout"),
            user=self.user,
        )
        self.reply(run.to_dict(), status=201)


SERVING_ROUTES: list[tuple[str, type]] = [
    ("/endpoints", EndpointsHandler),
    ("/endpoints/{endpoint}", EndpointHandler),
    ("/endpoints/{endpoint}/key", EndpointKeyHandler),
    ("/endpoints/{endpoint}/traffic", TrafficHandler),
    ("/endpoints/{endpoint}/deployments", DeploymentsHandler),
    ("/endpoints/{endpoint}/deployments/{deployment}", DeploymentHandler),
    ("/endpoints/{endpoint}/deployments/{deployment}/logs", DeploymentLogHandler),
    ("/batch-scoring", BatchScoringHandler),
]


# The paths of a request are resolved (file system calls) in the handler's worker thread with the rest.


def _deploy(
    workspace: Workspace, root: Path, model: str, script: str, source_dir: str | None, **options: Any
) -> Endpoint:
    return service.deploy(
        workspace,
        model,
        under_root(root, script, "scoring_script"),
        source_dir=_optional_under_root(root, source_dir, "source_dir"),
        **options,
    )


def _batch_score(
    workspace: Workspace, root: Path, model: str, script: str, inputs: str, source_dir: str | None, **options: Any
) -> RunInfo:
    return batch.batch_score(
        workspace,
        model,
        under_root(root, script, "scoring_script"),
        under_root(root, inputs, "inputs"),
        source_dir=_optional_under_root(root, source_dir, "source_dir"),
        **options,
    )


def _optional_under_root(root: Path, value: str | None, field: str) -> Path | None:
    return None if value is None else under_root(root, value, field)
