"""Compute targets: list them with how busy they are, create, resize and delete them."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import MLExtHandler


class ComputeTargetsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        targets = await self.call(self.workspace.compute.list_targets)
        self.reply({"targets": [target.to_dict() for target in targets]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body()
        target = await self.call(
            self.workspace.compute.create_target,
            body.get("name"),
            body.get("kind", "local"),
            address=body.get("address"),
            concurrency=body.get("concurrency", 1),
        )
        self.reply(target.to_dict(), status=201)


class ComputeTargetHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.reply((await self.call(self.workspace.compute.get_target, name)).to_dict())

    @web.authenticated
    @authorized
    async def patch(self, name: str) -> None:
        concurrency = self.body().get("concurrency")
        self.reply((await self.call(self.workspace.compute.set_concurrency, name, concurrency)).to_dict())

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        """Refused (409) while the target has queued or active runs."""
        await self.call(self.workspace.compute.delete_target, name)
        self.no_content()
