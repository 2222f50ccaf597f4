"""Pipelines over REST: published pipelines, triggering and canceling a run, pipeline runs as DAGs, notebook
export.

A trigger only creates the run; the dispatcher's tick drives it (pipelines/driver.py), so the answer comes at
once and the run goes on whoever asked. The notebook to export is named relative to the Jupyter root folder,
and the folder written is answered the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import InvalidInput, NotFound
from ...pipelines import service
from ...pipelines.export import export_notebook
from ...store.pipelines import PipelineRepository
from .base import MLExtHandler
from .jobs import under_root


class PipelineHandlerBase(MLExtHandler):
    @property
    def pipelines(self) -> PipelineRepository:
        return self.workspace.pipelines


class PipelinesHandler(PipelineHandlerBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pipelines = await self.call(self.pipelines.list_pipelines)
        self.reply({"pipelines": [pipeline.to_dict() for pipeline in pipelines]})


class PipelineHandler(PipelineHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.reply(await self.call(_describe_pipeline, self.pipelines, name))


class PipelineRunsHandler(PipelineHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        limit = self.query_int("limit", 100)
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000", field="limit")
        records = await self.call(self.pipelines.list_runs, name, None, limit)
        self.reply({"runs": [service.summarise_run(record) for record in records]})

    @web.authenticated
    @authorized("execute")
    async def post(self, name: str) -> None:
        body = self.body()
        record = await self.call(
            service.trigger_pipeline,
            self.workspace,
            name,
            body.get("params", {}),
            body.get("version"),
            trigger="rest",
            user=self.user,
        )
        self.reply(await self.call(service.describe_run, self.workspace, record.run_id), status=201)


class PipelineRunHandler(PipelineHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.reply(await self.call(service.describe_run, self.workspace, run_id))


class PipelineRunCancelHandler(PipelineHandlerBase):
    @web.authenticated
    @authorized("execute")
    async def post(self, run_id: str) -> None:
        """Answers once the run has ended Canceled (or, if its driver is slow, while it is still canceling)."""
        self.body()
        record = await self.call(service.cancel_pipeline_run, self.workspace, run_id, self.user)
        self.reply(await self.call(service.describe_run, self.workspace, record.run_id))


class PipelineExportHandler(PipelineHandlerBase):
    @web.authenticated
    @authorized("write")
    async def post(self) -> None:
        body = self.body()
        notebook, out_dir = body.get("notebook"), body.get("out_dir")
        root = Path(self.settings["mlext_root_dir"]).resolve()
        folder = await self.call(_export, root, notebook, out_dir)
        self.reply({"folder": folder.relative_to(root).as_posix()}, status=201)


def _describe_pipeline(pipelines: PipelineRepository, name: str) -> dict[str, Any]:
    versions = pipelines.versions(name)
    try:
        schedule = service.describe_schedule(pipelines.get_schedule(name))
    except NotFound:
        schedule = None
    return {"name": name, "versions": [version.to_dict() for version in versions], "schedule": schedule}


def _export(root: Path, notebook: str, out_dir: str | None) -> Path:
    path = under_root(root, notebook, "notebook")
    if not path.is_file():
        raise InvalidInput(f"notebook {notebook!r} does not exist under the Jupyter root folder", field="notebook")
    target = under_root(root, out_dir, "out_dir") if out_dir is not None else None
    return export_notebook(path, target)


# `/pipelines/export` comes before `/pipelines/{name}`, which would otherwise take it.
PIPELINE_ROUTES: list[tuple[str, type]] = [
    ("/pipelines", PipelinesHandler),
    ("/pipelines/export", PipelineExportHandler),
    ("/pipelines/{name}", PipelineHandler),
    ("/pipelines/{name}/runs", PipelineRunsHandler),
    ("/pipeline-runs/{run_id}", PipelineRunHandler),
    ("/pipeline-runs/{run_id}/cancel", PipelineRunCancelHandler),
]
