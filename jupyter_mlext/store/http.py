"""The HTTP transport: the part of the tracking store that a run needs, spoken to a server's REST API.

A script on a machine that cannot see the workspace (a Dask worker, a cloud VM) logs through the server with
`MLEXT_TRACKING_URI=http://host:port/base` and `MLEXT_TRACKING_TOKEN`. `HttpTrackingClient` answers like
`TrackingStore` for what the SDK's `Run` uses, returns the same entities, and raises the same errors
(InvalidInput / NotFound / Conflict with their field), so the SDK does not know which transport it has.

Standard library only (http.client), with one keep-alive connection per thread.
"""
from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlencode, urlsplit

from ..errors import Conflict, InvalidInput, MLExtError, NotFound
from ..models import Artifact, Job, MetricHistory, MetricSummary, RunInfo, RunStatus, jsonable
from . import artifacts as artifact_files
from .metrics import Point
from .validation import check_name, check_relative_path, check_value

API_PATH = "mlext/api"
TOKEN_ENV = "MLEXT_TRACKING_TOKEN"
TIMEOUT_S = 60.0
MAX_POINTS_PER_REQUEST = 50_000  # keeps one request's body to a few MB however long the writer's backlog
_ERRORS: dict[int, type[MLExtError]] = {400: InvalidInput, 422: InvalidInput, 404: NotFound, 409: Conflict}
_RETRIABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine)


def is_http_uri(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


class HttpPaths:
    """What the SDK reads from `store.paths`: `root` names the store (here the server's URL)."""

    def __init__(self, root: str) -> None:
        self.root = root


class HttpTransport:
    """JSON and byte requests to `<base_url>/mlext/api/...`, errors mapped back to MLExtError subclasses."""

    def __init__(self, base_url: str, token: str | None, timeout: float = TIMEOUT_S) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"a tracking URI must look like http://host:port/base, got {base_url!r}",
                               field="tracking_uri")
        self.base_url = base_url.rstrip("/")
        self._https = parts.scheme == "https"
        self._netloc = parts.netloc.rsplit("@", 1)[-1]
        self._prefix = parts.path.rstrip("/") + "/" + API_PATH
        self._headers = {"Authorization": f"token {token}"} if token else {}
        self._timeout = timeout
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = factory(self._netloc, timeout=self._timeout)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def request(self, method: str, path: str, *, json_body: Any = None, body: bytes | BinaryIO | None = None,
                content_type: str | None = None, query: Mapping[str, Any] | None = None,
                length: int | None = None) -> tuple[int, bytes]:
        """Send one request; the answer's body, or the mapped error for a 4xx/5xx answer."""
        url = self._prefix + path + (f"?{urlencode(query)}" if query else "")
        headers = dict(self._headers)
        if json_body is not None:
            body = json.dumps(jsonable(json_body), allow_nan=False).encode("utf-8")
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None and length is not None:
            headers["Content-Length"] = str(length)
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request(method, url, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except _RETRIABLE as error:
                conn.close()
                # A kept-alive connection the server has since closed: the request never reached it, so it is
                # sent again on a new connection (a file body from its start).
                if attempt == 2 or not reused:
                    raise MLExtError(f"the tracking server at {self.base_url} dropped the connection: {error}"
                                     ) from None
                if hasattr(body, "seek"):
                    body.seek(0)
            except OSError as error:
                conn.close()
                raise MLExtError(f"cannot reach the tracking server at {self.base_url}: {error}") from None
        if response.status >= 400:
            raise _error(response.status, response.reason, data, method, url)
        return response.status, data

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        _, data = self.request(method, path, **kwargs)
        return json.loads(data) if data else None

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()


def _error(status: int, reason: str, data: bytes, method: str, url: str) -> MLExtError:
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message, field = body["error"], body.get("field")
    else:
        message, field = f"{method} {url} answered {status} {reason}", None
    if status in (401, 403):
        message = f"the tracking server refused the request ({status}): {message}; check MLEXT_TRACKING_TOKEN"
    error = _ERRORS.get(status, MLExtError)(message, field=field)
    error.status = status
    return error


def _float(value: Any) -> float | None:
    """JSON has no NaN/inf: they come as "NaN", "Infinity", "-Infinity"."""
    return None if value is None else float(value)


def _fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def run_info(data: Mapping[str, Any]) -> RunInfo:
    values = _fields(RunInfo, data)
    values["status"] = RunStatus(values["status"])
    values["metrics"] = {
        key: MetricSummary(**{**_fields(MetricSummary, summary), "last": _float(summary["last"]),
                              "min": _float(summary.get("min")), "max": _float(summary.get("max"))})
        for key, summary in (data.get("metrics") or {}).items()
    }
    return RunInfo(**values)


def job_info(data: Mapping[str, Any]) -> Job:
    return Job(**_fields(Job, data))


def metric_history(data: Mapping[str, Any]) -> MetricHistory:
    values = _fields(MetricHistory, data)
    for column in ("values", "mins", "maxs"):
        values[column] = [_float(v) for v in values[column]]
    return MetricHistory(**values)


def artifact(data: Mapping[str, Any]) -> Artifact:
    return Artifact(**_fields(Artifact, data))


def run_path(run_id: str, *rest: str) -> str:
    return "/".join(["", "runs", quote(run_id, safe=""), *rest])


class HttpTrackingClient:
    """The subset of `TrackingStore` that `Run` uses, over the REST API of a jupyter-mlext server."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = TIMEOUT_S) -> None:
        self.http = HttpTransport(base_url, token, timeout)
        self.paths = HttpPaths(self.http.base_url)

    def __repr__(self) -> str:
        return f"<HttpTrackingClient {self.http.base_url}>"

    def close(self) -> None:
        self.http.close()

    # -- runs --------------------------------------------------------------------------------------------------

    def create_run(self, experiment: str, *, name: str | None = None, parent_id: str | None = None,
                   user: str | None = None, source_type: str | None = None, source_name: str | None = None,
                   params: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None,
                   **unsupported: Any) -> RunInfo:
        """A new running run. Only what the ingest API takes is sent (a git commit, for one, stays behind)."""
        check_name(experiment, "experiment")
        if name is not None:
            check_name(name, "name")
        body = {"name": name, "parent_id": parent_id, "params": _texts(params or {}, "params"),
                "tags": _texts(tags or {}, "tags"), "source_type": source_type, "source_name": source_name,
                "user": user}
        data = self.http.json("POST", f"/experiments/{quote(experiment, safe='')}/runs", json_body=body)
        return run_info(data)

    def get_run(self, run_id: str) -> RunInfo:
        return run_info(self.http.json("GET", run_path(run_id)))

    def resolve_run_id(self, run_id: str) -> str:
        return self.get_run(run_id).id

    def get_job(self, run_id: str) -> Job:
        return job_info(self.http.json("GET", run_path(run_id, "job")))

    def set_status(self, run_id: str, status: RunStatus | str, error: str | None = None) -> RunInfo:
        try:
            status = RunStatus(status)
        except ValueError:
            raise InvalidInput(f"unknown status {status!r}", field="status") from None
        return run_info(self.http.json("PATCH", run_path(run_id), json_body={"status": status.value, "error": error}))

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        self.http.request("POST", run_path(run_id, "params"), json_body={"params": _texts(params, "params")})

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        self.http.request("POST", run_path(run_id, "tags"), json_body={"tags": _texts(tags, "tags")})

    # -- metrics -----------------------------------------------------------------------------------------------

    def write_metrics(self, batch: Mapping[str, Sequence[Point]]) -> None:
        """One POST per run of the batch (per MAX_POINTS_PER_REQUEST points); the points were checked where they
        were logged."""
        for run_id, points in batch.items():
            for start in range(0, len(points), MAX_POINTS_PER_REQUEST):
                chunk = points[start:start + MAX_POINTS_PER_REQUEST]
                self.http.request("POST", run_path(run_id, "metrics"),
                                  json_body={"points": [list(point) for point in chunk]})

    def log_metrics(self, run_id: str, points: Sequence[tuple[str, Any, Any, Any]]) -> int:
        from .tracking import validate_point

        now = time.time()
        checked = [validate_point(key, value, step, timestamp, now) for key, value, step, timestamp in points]
        self.write_metrics({run_id: checked})
        return len(checked)

    def metric_history(self, run_id: str, key: str, max_points: int | None = None) -> MetricHistory:
        query = None if max_points is None else {"max_points": max_points}
        return metric_history(self.http.json("GET", run_path(run_id, "metrics", quote(key, safe="")), query=query))

    # -- artifacts ---------------------------------------------------------------------------------------------

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[Artifact]:
        query = None if path is None else {"path": check_relative_path(path, "path")}
        data = self.http.json("GET", run_path(run_id, "artifacts"), query=query)
        return [artifact(item) for item in data["artifacts"]]

    def write_artifact(self, run_id: str, name: str, data: bytes) -> Artifact:
        relative = check_relative_path(name, "name")
        return self._put(run_id, relative, data, len(data))

    def log_artifact(self, run_id: str, local_path: str | Path, name: str | None = None) -> list[Artifact]:
        """Upload a file or a folder, one PUT per file, streamed from disk."""
        written = []
        for source, relative in artifact_files.files_to_copy(Path(local_path), name):
            with open(source, "rb") as handle:
                written.append(self._put(run_id, relative, handle, source.stat().st_size))
        return written

    def _put(self, run_id: str, relative: str, body: bytes | BinaryIO, length: int) -> Artifact:
        return artifact(self.http.json("PUT", run_path(run_id, "artifacts", quote(relative, safe="/")), body=body,
                                       content_type="application/octet-stream", length=length))

    # -- what the HTTP transport does not offer ----------------------------------------------------------------

    def _unsupported(self, what: str) -> MLExtError:
        return MLExtError(f"{what} is not available over the HTTP transport ({self.http.base_url}); "
                          "open the workspace directly for it")

    def search_runs(self, *args: Any, **kwargs: Any) -> Any:
        raise self._unsupported("searching runs")

    def list_experiments(self) -> Any:
        raise self._unsupported("listing experiments")

    def download_artifacts(self, *args: Any, **kwargs: Any) -> Any:
        raise self._unsupported("downloading artifacts")


def _texts(values: Mapping[str, Any], family: str) -> dict[str, str]:
    """Params and tags are checked and turned to text here, as the store would, so a bad one raises locally."""
    if not isinstance(values, Mapping):
        raise InvalidInput(f"{family} must be a mapping of names to values", field=family)
    result = {}
    for key, value in values.items():
        check_name(key, f"{family} key")
        result[key] = check_value(value, f"{family}.{key}")
    return result
