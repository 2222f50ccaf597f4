"""Runs: search and submit (`/runs`), one run (`/runs/{id}`), creating runs and ingesting params, tags and metrics.

The ingest endpoints are what the SDK's HTTP transport (store/http.py) calls from a machine that cannot see the
workspace, so their bodies are the ones that client sends.
"""
from __future__ import annotations

import math
import time
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidInput
from ..store import validate_point
from .handlers import MLExtHandler
from .handlers_input import json_type
from .handlers_jobs import submit_request

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
RUN_FIELDS = ("name", "parent_id", "params", "tags", "source_type", "source_name", "user")


class RunsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = self.get_query_arguments("experiment") or None
        order_by = self.get_query_arguments("order_by") or None
        max_results = self.query_int("max_results")
        options: dict[str, Any] = {} if max_results is None else {"max_results": max_results}
        page = await self.call(self.store.search_runs, experiments, filter=self.get_query_argument("filter", None),
                               order_by=order_by, page_token=self.get_query_argument("page_token", None),
                               **options)
        self.reply(page.to_dict())

    @web.authenticated
    @authorized("execute")
    async def post(self) -> None:
        """Submit a script under the Jupyter root folder as a queued run (running code: the `execute` action)."""
        run = await submit_request(self, self.body(
            "script", "args", "source_dir", "compute", "experiment", "name", "params", "tags", "timeout"))
        self.reply(run.to_dict(), status=201)


class RunHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.store.get_run, run_id)).to_dict())

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        body = self.body("status", "error")
        status, error = body.text("status", required=True), body.text("error")
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.store.set_status, run_id, status, error=error)).to_dict())


class ExperimentRunsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, experiment: str) -> None:
        """A new Running run in `experiment` (created on first use): `start_run` of the SDK over HTTP."""
        body = self.body(*RUN_FIELDS)
        user = body.text("user") or self.user
        run = await self.call(
            self.store.create_run, experiment, name=body.text("name"), parent_id=body.text("parent_id"),
            params=body.scalars("params"), tags=body.scalars("tags"), source_type=body.text("source_type"),
            source_name=body.text("source_name"), user=user,
        )
        self.reply(run.to_dict(), status=201)


class RunParamsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """Params are immutable: the same value again is accepted, another value is a 409."""
        params = self.body("params").scalars("params")
        await self.call(self.store.log_params, await self.run_id(run_id), params)
        self.no_content()


class RunTagsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        tags = self.body("tags").scalars("tags")
        await self.call(self.store.set_tags, await self.run_id(run_id), tags)
        self.no_content()


class RunMetricsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """Append `[key, value, step, timestamp]` points in one transaction: all of them, or none if one is bad."""
        points = parse_points(self.body("points").items("points", required=True))
        run_id = await self.run_id(run_id)
        await self.call(self.store.write_metrics, {run_id: points})
        self.reply({"count": len(points)})


class MetricHistoryHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        """The series, downsampled in SQL to at most `max_points` buckets (min, max and last of each)."""
        max_points = self.query_int("max_points")
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.store.metric_history, run_id, key, max_points)).to_dict())


def parse_points(items: list[Any]) -> list[tuple[str, float, int | None, float]]:
    """Checked points from their JSON form: `[key, value, step|null, timestamp|null]`, where a value may be spelt
    "NaN", "Infinity" or "-Infinity" (JSON has no such numbers)."""
    now = time.time()
    points = []
    for index, item in enumerate(items):
        if not isinstance(item, list) or not 2 <= len(item) <= 4:
            raise InvalidInput(f"points[{index}] must be [key, value, step, timestamp], got {json_type(item)} "
                               f"{str(item)[:60]}", field="points")
        key, value, step, timestamp = [*item, None, None][:4]
        if not isinstance(key, str):
            raise InvalidInput(f"points[{index}] must start with the metric name, got {json_type(key)}",
                               field="points")
        if isinstance(value, str) and value in NON_FINITE:
            value = NON_FINITE[value]
        points.append(validate_point(key, value, step, timestamp, now))
    return points
