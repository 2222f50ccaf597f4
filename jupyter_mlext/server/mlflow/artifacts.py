"""MLflow's artifact proxy: upload (PUT), download (GET) and list, over mlflow_compat/artifacts.py."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...mlflow_compat import artifacts
from ...store.artifacts import read_chunks
from .base import MlflowBaseHandler


class ArtifactListHandler(MlflowBaseHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        self.reply(await self.call(artifacts.listing, self.workspace, path))


class ArtifactHandler(MlflowBaseHandler):
    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        """The file's bytes, read in chunks off the event loop."""
        found: Path = await self.call(artifacts.file, self.workspace, path)
        self.set_header("Content-Type", mimetypes.guess_type(found.name)[0] or "application/octet-stream")
        chunks = read_chunks(found)
        while True:
            chunk = await self.call(next, chunks, None)
            if chunk is None:
                break
            self.write(chunk)
            await self.flush()
        self.finish()

    @web.authenticated
    @authorized
    async def put(self, path: str) -> None:
        await self.call(artifacts.upload, self.workspace, path, self.request.body)
        self.reply({})
