"""The REST route table under /mlext/api, and the WebSocket of live events.

Routes are written as the OpenAPI document writes its paths (`/runs/{run_id}`), so the table and the document
can be compared one to one; `{path}` spans several segments, every other parameter one.
"""

from __future__ import annotations

import re

from .handlers.compute import ComputeTargetHandler, ComputeTargetsHandler
from .handlers.events import EventsHandler
from .handlers.files import ArtifactHandler, ArtifactsHandler, SnapshotHandler
from .handlers.jobs import CancelHandler, JobExitHandler, JobHandler, JobProcessHandler
from .handlers.logs import LogsHandler
from .handlers.models import MODEL_ROUTES
from .handlers.pipelines import PIPELINE_ROUTES
from .handlers.runs import (
    ExperimentRunsHandler,
    MetricHistoryHandler,
    RunHandler,
    RunMetricsHandler,
    RunParamsHandler,
    RunsHandler,
    RunTagsHandler,
)
from .handlers.serving import SERVING_ROUTES
from .handlers.sweeps import SWEEP_ROUTES
from .handlers.workspace import ExperimentsHandler, HealthHandler, UnknownRouteHandler

ROUTES: list[tuple[str, type]] = [
    ("/health", HealthHandler),
    ("/experiments", ExperimentsHandler),
    ("/experiments/{experiment}/runs", ExperimentRunsHandler),
    ("/runs", RunsHandler),
    ("/runs/{run_id}", RunHandler),
    ("/runs/{run_id}/params", RunParamsHandler),
    ("/runs/{run_id}/tags", RunTagsHandler),
    ("/runs/{run_id}/metrics", RunMetricsHandler),
    ("/runs/{run_id}/metrics/{key}", MetricHistoryHandler),
    ("/runs/{run_id}/artifacts", ArtifactsHandler),
    ("/runs/{run_id}/artifacts/{path}", ArtifactHandler),
    ("/runs/{run_id}/logs", LogsHandler),
    ("/runs/{run_id}/snapshot", SnapshotHandler),
    ("/runs/{run_id}/job", JobHandler),
    ("/runs/{run_id}/job/process", JobProcessHandler),
    ("/runs/{run_id}/job/exit", JobExitHandler),
    ("/runs/{run_id}/cancel", CancelHandler),
    ("/compute", ComputeTargetsHandler),
    ("/compute/{name}", ComputeTargetHandler),
    *MODEL_ROUTES,
    *PIPELINE_ROUTES,
    *SERVING_ROUTES,
    *SWEEP_ROUTES,
]

_PARAMETER = re.compile(r"\{(\w+)\}")


def pattern(template: str) -> str:
    """The tornado URL pattern of an OpenAPI path template."""
    return _PARAMETER.sub(lambda m: "(.+)" if m.group(1) == "path" else "([^/]+)", template)


def api_routes(prefix: str) -> list[tuple[str, type, dict[str, str]]]:
    """The events WebSocket, the API's routes (each handler told its route's template, whose contract it
    checks requests against), then a JSON 404 for anything else under the prefix."""
    return [
        (f"{prefix}/events", EventsHandler, {}),
        *((prefix + pattern(template), handler, {"route": template}) for template, handler in ROUTES),
        (rf"{prefix}/.*", UnknownRouteHandler, {}),
    ]
