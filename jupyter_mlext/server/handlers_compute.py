"""Compute targets: list them with how busy they are, create, resize and delete them."""
from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .handlers import MLExtHandler


class ComputeTargetsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        targets = await self.call(self.compute.list_targets)
        self.reply({"targets": [target.to_dict() for target in targets]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body("name", "kind", "address", "concurrency")
        target = await self.call(
            self.compute.create_target, body.text("name", required=True), body.text("kind", default="local"),
            address=body.text("address"), concurrency=body.integer("concurrency", default=1),
        )
        self.reply(target.to_dict(), status=201)


class ComputeTargetHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.reply((await self.call(self.compute.get_target, name)).to_dict())

    @web.authenticated
    @authorized
    async def patch(self, name: str) -> None:
        concurrency = self.body("concurrency").integer("concurrency", required=True)
        self.reply((await self.call(self.compute.set_concurrency, name, concurrency)).to_dict())

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        """Refused (409) while the target has queued or active runs."""
        await self.call(self.compute.delete_target, name)
        self.no_content()
