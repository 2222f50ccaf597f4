"""A run's log: read it in chunks by byte offset (a negative offset reads the tail), append to it (HTTP ingest).

A viewer follows a running run by asking again from the `next_offset` it was given; a runner on a machine that
cannot see the workspace (a Dask worker) ships its output here as it is written.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...store.logs import MAX_LOG_CHUNK
from .base import MLExtHandler


class LogsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        offset = self.query_int("offset", 0)
        max_bytes = self.query_int("max_bytes", MAX_LOG_CHUNK)
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.workspace.tracking.read_log, run_id, offset, max_bytes)).to_dict())

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """The raw request body is appended as it is (bytes, not JSON)."""
        run_id = await self.run_id(run_id)
        await self.call(self.workspace.tracking.append_log, run_id, self.request.body)
        self.no_content()
