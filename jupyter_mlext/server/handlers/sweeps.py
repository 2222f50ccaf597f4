"""Sweeps over REST: create one (its script named relative to the Jupyter root), list, describe with its
trials, cancel, resume.

A create or resume only records the sweep; the server's daemon drives it (sweeps/driver.py), so the answer comes
at once and the sweep goes on whoever asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import InvalidInput
from ...store import Workspace
from ...sweeps import service
from .base import MLExtHandler
from .jobs import under_root


class SweepsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.query_int("limit", 100)
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000", field="limit")
        experiment = self.get_query_argument("experiment", None)
        sweeps = await self.call(self.workspace.sweeps.list_sweeps, experiment, limit)
        self.reply({"sweeps": [sweep.to_dict() for sweep in sweeps]})

    @web.authenticated
    @authorized("execute")
    async def post(self) -> None:
        body = dict(self.body().data)
        root = Path(self.settings["mlext_root_dir"]).resolve()
        sweep_id = await self.call(_create, self.workspace, root, body, self.user)
        self.reply(await self.call(service.describe, self.workspace, sweep_id), status=201)


class SweepHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, sweep_id: str) -> None:
        self.reply(await self.call(service.describe, self.workspace, sweep_id))


class SweepCancelHandler(MLExtHandler):
    @web.authenticated
    @authorized("execute")
    async def post(self, sweep_id: str) -> None:
        """Records the cancel; the daemon stops the trials and ends the sweep Canceled."""
        self.body()
        sweep = await self.call(service.cancel_sweep, self.workspace, sweep_id)
        self.reply(await self.call(service.describe, self.workspace, sweep.id))


class SweepResumeHandler(MLExtHandler):
    @web.authenticated
    @authorized("execute")
    async def post(self, sweep_id: str) -> None:
        body = self.body()
        sweep = await self.call(service.resume_sweep, self.workspace, sweep_id, body.get("max_trials"))
        self.reply(await self.call(service.describe, self.workspace, sweep.id))


def _create(workspace: Workspace, root: Path, body: dict[str, Any], user: str | None) -> str:
    """Paths in the body are relative to the Jupyter root and may not leave it."""
    for field in ("script", "source_dir"):
        if isinstance(body.get(field), str):
            body[field] = str(under_root(root, body[field], field))
    return service.create_sweep(workspace, body, base_dir=str(root), user=user).id


SWEEP_ROUTES: list[tuple[str, type]] = [
    ("/sweeps", SweepsHandler),
    ("/sweeps/{sweep_id}", SweepHandler),
    ("/sweeps/{sweep_id}/cancel", SweepCancelHandler),
    ("/sweeps/{sweep_id}/resume", SweepResumeHandler),
]
