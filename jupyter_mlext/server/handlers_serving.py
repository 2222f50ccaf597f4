"""Online endpoints and batch scoring over REST: thin translations to the service functions in `serving/`.

Endpoint answers carry no key: it is read (and regenerated) at `/endpoints/{endpoint}/key`, which needs the right
to change the endpoint. Paths in requests (scoring script, source folder, inputs) are relative to the Jupyter root
folder and may not leave it. Deploying waits for the scoring process to be ready, off the event loop.
"""
from __future__ import annotations

from pathlib import Path

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidInput
from ..serving import batch, service
from .handlers import MLExtHandler
from .handlers_jobs import under_root


class ServingHandler(MLExtHandler):
    @property
    def user(self) -> str | None:
        return getattr(self.current_user, "username", None)

    def local_path(self, value: str | None, field: str) -> Path | None:
        return None if value is None else under_root(Path(self.settings["mlext_root_dir"]), value, field)


class EndpointsHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        endpoints = await self.call(service.list_endpoints, self.store)
        self.reply({"endpoints": [endpoint.public_dict() for endpoint in endpoints]})


class EndpointHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, endpoint: str) -> None:
        self.reply((await self.call(service.get_endpoint, self.store, endpoint)).public_dict())

    @web.authenticated
    @authorized("write")
    async def delete(self, endpoint: str) -> None:
        await self.call(service.delete_endpoint, self.store, endpoint)
        self.no_content()


class EndpointKeyHandler(ServingHandler):
    """The key is a secret apart from the endpoint: reading it, like regenerating it, takes the right to change
    the endpoint, not only to read the workspace."""

    @web.authenticated
    @authorized("write")
    async def get(self, endpoint: str) -> None:
        key = await self.call(service.endpoint_key, self.store, endpoint)
        self.reply({"endpoint": endpoint, "key": key})

    @web.authenticated
    @authorized("write")
    async def post(self, endpoint: str) -> None:
        """Regenerate: the router refuses the old key from the answer on."""
        self.body()
        key = await self.call(service.regenerate_key, self.store, endpoint)
        self.reply({"endpoint": endpoint, "key": key})


class TrafficHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def put(self, endpoint: str) -> None:
        body = self.body("traffic")
        if body.data.get("traffic") is None:
            raise InvalidInput("traffic is required, e.g. {\"blue\": 90, \"green\": 10}", field="traffic")
        split = body.scalars("traffic")
        self.reply((await self.call(service.set_traffic, self.store, endpoint, split)).public_dict())


class DeploymentsHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def post(self, endpoint: str) -> None:
        """Create a deployment (and the endpoint, if new); answers once it is ready and routed."""
        body = self.body("deployment", "model", "scoring_script", "source_dir", "traffic")
        script = self.local_path(body.text("scoring_script", required=True), "scoring_script")
        source_dir = self.local_path(body.text("source_dir"), "source_dir")
        updated = await self.call(
            service.deploy, self.store, body.text("model", required=True), script, endpoint=endpoint,
            deployment=body.text("deployment", default="default"), traffic=body.integer("traffic"),
            source_dir=source_dir, user=self.user)
        self.reply(updated.public_dict(), status=201)


class DeploymentHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def delete(self, endpoint: str, deployment: str) -> None:
        await self.call(service.delete_deployment, self.store, endpoint, deployment)
        self.no_content()


class DeploymentLogHandler(ServingHandler):
    @web.authenticated
    @authorized
    async def get(self, endpoint: str, deployment: str) -> None:
        lines = self.query_int("lines", 200)
        if lines is None or lines < 1:
            raise InvalidInput("lines must be a positive integer", field="lines")
        text = await self.call(service.deployment_log, self.store, endpoint, deployment, lines)
        self.reply({"endpoint": endpoint, "deployment": deployment, "log": text})


class BatchScoringHandler(ServingHandler):
    @web.authenticated
    @authorized("write")
    async def post(self) -> None:
        """Queue a batch-scoring run over a folder of input files; answers with the queued run."""
        body = self.body("model", "scoring_script", "inputs", "source_dir", "compute", "experiment", "name",
                         "timeout")
        script = self.local_path(body.text("scoring_script", required=True), "scoring_script")
        inputs = self.local_path(body.text("inputs", required=True), "inputs")
        run = await self.call(
            batch.batch_score, self.store, body.text("model", required=True), script, inputs,
            source_dir=self.local_path(body.text("source_dir"), "source_dir"),
            compute=body.text("compute", default="local"),
            experiment=body.text("experiment", default=batch.DEFAULT_EXPERIMENT), name=body.text("name"),
            timeout_s=body.number("timeout"), user=self.user)
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
