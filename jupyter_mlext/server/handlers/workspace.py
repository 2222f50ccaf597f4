"""The workspace as a whole: health, experiments, and a JSON 404 for any other path under the API."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...about import __version__
from ...entities import NotFound
from .base import MLExtHandler


class HealthHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = await self.call(self.workspace.tracking.list_experiments)
        self.reply(
            {
                "status": "ok",
                "version": __version__,
                "workspace": str(self.workspace.root),
                "experiments": len(experiments),
            }
        )


class ExperimentsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = await self.call(self.workspace.tracking.list_experiments)
        self.reply({"experiments": [experiment.to_dict() for experiment in experiments]})


class UnknownRouteHandler(MLExtHandler):
    """Everything under the API prefix that no route matches: a JSON 404 rather than the server's HTML page."""

    @web.authenticated
    @authorized  # the action follows the request's method, so one method serves them all
    def _unknown(self, *args: str) -> None:
        raise NotFound(f"no API route {self.request.method} {self.request.path}", field="path")

    get = post = put = patch = delete = _unknown
