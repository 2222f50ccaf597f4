"""Runs: search and submit (`/runs`), one run (`/runs/{id}`), creating runs and ingesting params, tags and metrics.

The ingest endpoints are what the SDK's HTTP transport (store/rest.py) calls from a machine that cannot see the
workspace, so their bodies are the ones that client sends.
"""

from __future__ import annotations

import time
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import number
from ...store import validate_point
from ...store.validation import Point
from .base import MLExtHandler
from .jobs import submit_request


class RunsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = self.get_query_arguments("experiment") or None
        order_by = self.get_query_arguments("order_by") or None
        max_results = self.query_int("max_results")
        options: dict[str, Any] = {} if max_results is None else {"max_results": max_results}
        page = await self.call(
            self.workspace.tracking.search_runs,
            experiments,
            filter=self.get_query_argument("filter", None),
            order_by=order_by,
            page_token=self.get_query_argument("page_token", None),
            **options,
        )
        self.reply(page.to_dict())

    @web.authenticated
    @authorized("execute")
    async def post(self) -> None:
        """Submit a script under the Jupyter root folder as a queued run (running code: the `execute` action)."""
        run = await submit_request(self, self.body())
        self.reply(run.to_dict(), status=201)


class RunHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.workspace.tracking.get_run, run_id)).to_dict())

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        body = self.body()
        run_id = await self.run_id(run_id)
        run = await self.call(self.workspace.tracking.set_status, run_id, body.get("status"), error=body.get("error"))
        self.reply(run.to_dict())


class ExperimentRunsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, experiment: str) -> None:
        """A new Running run in `experiment` (created on first use): `start_run` of the SDK over HTTP."""
        body = self.body()
        run = await self.call(
            self.workspace.tracking.create_run,
            experiment,
            name=body.get("name"),
            parent_id=body.get("parent_id"),
            params=body.get("params", {}),
            tags=body.get("tags", {}),
            source_type=body.get("source_type"),
            source_name=body.get("source_name"),
            git_commit=body.get("git_commit"),
            user=body.get("user") or self.user,
        )
        self.reply(run.to_dict(), status=201)


class RunParamsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """Params are immutable: the same value again is accepted, another value is a 409."""
        params = self.body().get("params")
        await self.call(self.workspace.tracking.log_params, await self.run_id(run_id), params)
        self.no_content()


class RunTagsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        tags = self.body().get("tags")
        await self.call(self.workspace.tracking.set_tags, await self.run_id(run_id), tags)
        self.no_content()


class RunMetricsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """Append `[key, value, step, timestamp]` points in one transaction: all of them, or none if one is bad."""
        points = parse_points(self.body().get("points"))
        run_id = await self.run_id(run_id)
        await self.call(self.workspace.tracking.write_metrics, {run_id: points})
        self.reply({"count": len(points)})


class MetricHistoryHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        """The series, downsampled in SQL to at most `max_points` buckets (min, max and last of each)."""
        max_points = self.query_int("max_points")
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.workspace.tracking.metric_history, run_id, key, max_points)).to_dict())


def parse_points(items: list[list[Any]]) -> list[Point]:
    """Checked points from their JSON form, `[key, value, step|null, timestamp|null]` (the contract has checked the
    shape), where a value may be spelt "NaN", "Infinity" or "-Infinity" (JSON has no such numbers)."""
    now = time.time()
    return [
        validate_point(key, number(value), step, timestamp, now)
        for key, value, step, timestamp in (([*item, None, None])[:4] for item in items)
    ]
