"""The tracking store over a jupyter-mlext server's REST API (`MLEXT_TRACKING_URI=http://host:port/base`).

A script on a machine that cannot see the workspace (a Dask worker, a cloud VM) logs through the server, with
`MLEXT_TRACKING_TOKEN`. The contract is base.py's, checked by the same suite as the SQLite store: the same
entities, the same errors (InvalidInput / NotFound / Conflict with their field), so the SDK does not know which
transport it has. Input is checked here as the store would, so a bad value raises before any request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO
from urllib.parse import quote

from ..entities import Artifact, Experiment, InvalidInput, LogChunk, MetricHistory, RunInfo, RunPage, RunStatus, decode
from ..wire import HttpClient
from .base import FileSource, TrackingStore
from .logs import MAX_LOG_CHUNK
from .validation import Point, check_name, check_relative_path, check_texts

API_PATH = "/mlext/api"
TOKEN_ENV = "MLEXT_TRACKING_TOKEN"
MAX_POINTS_PER_REQUEST = 50_000  # keeps one request's body to a few MB however long the writer's backlog


def run_path(run_id: str, *rest: str) -> str:
    return "/".join(["", "runs", quote(run_id, safe=""), *rest])


class RestTracking(TrackingStore):
    """The tracking store of the server at `base_url` (its root URL, without /mlext/api)."""

    def __init__(self, base_url: str, token: str | None = None, client: HttpClient | None = None) -> None:
        self.http = client or HttpClient(base_url, token=token, prefix=API_PATH, token_hint=TOKEN_ENV)

    @property
    def location(self) -> str:
        return self.http.base_url

    def __repr__(self) -> str:
        return f"<RestTracking {self.http.base_url}>"

    def close(self) -> None:
        self.http.close()

    # -- runs --------------------------------------------------------------------------------------------------

    def create_run(
        self,
        experiment: str,
        *,
        name: str | None = None,
        parent_id: str | None = None,
        user: str | None = None,
        source_type: str | None = None,
        source_name: str | None = None,
        git_commit: str | None = None,
        snapshot_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> RunInfo:
        check_name(experiment, "experiment")
        if name is not None:
            check_name(name, "name")
        if snapshot_id is not None:
            raise InvalidInput(
                f"a snapshot cannot be attached over the HTTP transport ({self.location}); open the "
                "workspace folder for it",
                field="snapshot_id",
            )
        body = {
            "name": name,
            "parent_id": parent_id,
            "params": check_texts(params, "params"),
            "tags": check_texts(tags, "tags"),
            "source_type": source_type,
            "source_name": source_name,
            "user": user,
            "git_commit": git_commit,
        }
        data = self.http.json("POST", f"/experiments/{quote(experiment, safe='')}/runs", json_body=body)
        return decode(RunInfo, data)

    def get_run(self, run_id: str) -> RunInfo:
        return decode(RunInfo, self.http.json("GET", run_path(run_id)))

    def resolve_run_id(self, id_or_prefix: str) -> str:
        if not isinstance(id_or_prefix, str) or len(id_or_prefix) < 4:
            raise InvalidInput("a run id needs at least 4 characters", field="run_id")
        return self.get_run(id_or_prefix).id

    def set_status(self, run_id: str, status: RunStatus | str, error: str | None = None) -> RunInfo:
        try:
            status = RunStatus(status)
        except ValueError:
            raise InvalidInput(f"unknown status {status!r}", field="status") from None
        data = self.http.json("PATCH", run_path(run_id), json_body={"status": status.value, "error": error})
        return decode(RunInfo, data)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        self.http.request("POST", run_path(run_id, "params"), json_body={"params": check_texts(params, "params")})

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        self.http.request("POST", run_path(run_id, "tags"), json_body={"tags": check_texts(tags, "tags")})

    # -- metrics -----------------------------------------------------------------------------------------------

    def write_metrics(self, batch: Mapping[str, Sequence[Point]]) -> None:
        """One POST per run of the batch (per MAX_POINTS_PER_REQUEST points)."""
        for run_id, points in batch.items():
            for start in range(0, len(points), MAX_POINTS_PER_REQUEST):
                chunk = points[start : start + MAX_POINTS_PER_REQUEST]
                self.http.request(
                    "POST", run_path(run_id, "metrics"), json_body={"points": [list(point) for point in chunk]}
                )

    def metric_history(self, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
        query = None if max_points is None else {"max_points": max_points}
        data = self.http.json("GET", run_path(run_id, "metrics", quote(key, safe="")), query=query)
        return decode(MetricHistory, data)

    # -- search ------------------------------------------------------------------------------------------------

    def search_runs(
        self,
        experiments: str | Sequence[str] | None = None,
        filter: str | None = None,
        order_by: str | Sequence[str] | None = None,
        max_results: int = 1000,
        page_token: str | None = None,
    ) -> RunPage:
        query: dict[str, Any] = {"max_results": max_results}
        if experiments is not None:
            query["experiment"] = [experiments] if isinstance(experiments, str) else list(experiments)
        if filter:
            query["filter"] = filter
        if order_by is not None:
            query["order_by"] = [order_by] if isinstance(order_by, str) else list(order_by)
        if page_token is not None:
            query["page_token"] = page_token
        return decode(RunPage, self.http.json("GET", "/runs", query=query))

    def list_experiments(self) -> list[Experiment]:
        data = self.http.json("GET", "/experiments")
        return [decode(Experiment, item) for item in data["experiments"]]

    # -- artifacts ---------------------------------------------------------------------------------------------

    def store_files(self, run_id: str, files: Sequence[tuple[FileSource, str]]) -> list[Artifact]:
        """One PUT per file, streamed from disk."""
        return [self._put(run_id, source, relative) for source, relative in files]

    def _put(self, run_id: str, source: FileSource, relative: str) -> Artifact:
        path = run_path(run_id, "artifacts", quote(relative, safe="/"))
        if isinstance(source, bytes):
            data = self.http.json("PUT", path, body=source, content_type="application/octet-stream")
        else:
            with open(source, "rb") as handle:
                data = self.http.json(
                    "PUT", path, body=handle, content_type="application/octet-stream", length=source.stat().st_size
                )
        return decode(Artifact, data)

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[Artifact]:
        query = None if path is None else {"path": check_relative_path(path, "path")}
        data = self.http.json("GET", run_path(run_id, "artifacts"), query=query)
        return [decode(Artifact, item) for item in data["artifacts"]]

    def copy_artifact(self, run_id: str, path: str, target: BinaryIO) -> None:
        relative = check_relative_path(path, "path")
        self.http.request("GET", run_path(run_id, "artifacts", quote(relative, safe="/")), sink=target)

    # -- logs --------------------------------------------------------------------------------------------------

    def read_log(self, run_id: str, offset: int = 0, max_bytes: int = MAX_LOG_CHUNK) -> LogChunk:
        data = self.http.json("GET", run_path(run_id, "logs"), query={"offset": offset, "max_bytes": max_bytes})
        return decode(LogChunk, data)
