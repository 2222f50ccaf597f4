"""Files of a run: its artifacts (list, streamed download, streamed upload) and its source snapshot.

Files go through the server in chunks, read and written in worker threads, so neither a large model nor a slow
client holds the event loop or the whole file in memory. Every artifact path is checked twice: as text (no `..`,
not absolute) and as a real path (no symlink leading out of the run's folder).
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.http1connection import HTTP1Connection
from tornado.iostream import StreamClosedError

from ...entities import MLExtError, NotFound, StorageError
from ...store import artifacts as artifact_files
from ...store.storage import storage_errors
from ...store.validation import check_relative_path
from .base import MLExtHandler

CHUNK_BYTES = 256 * 1024
WRITE_BYTES = 1024 * 1024  # an upload is written to disk in pieces of about this size
MAX_UPLOAD_BYTES = 64 * 1024**3


def content_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class FileHandler(MLExtHandler):
    """Streams a file as the response body."""

    @property
    def content_security_policy(self) -> str:
        """An HTML or SVG artifact opened in the browser must not run scripts in the Jupyter origin."""
        return super().content_security_policy + "; sandbox"

    async def send_file(self, path: Path, media_type: str) -> None:
        handle: BinaryIO = await self.call(open, path, "rb")
        try:
            remaining = (await self.call(os.fstat, handle.fileno())).st_size
            self.set_header("Content-Type", media_type)
            self.set_header("Content-Length", remaining)
            self.set_header("X-Content-Type-Options", "nosniff")
            while remaining > 0:
                chunk = await self.call(handle.read, min(CHUNK_BYTES, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                self.write(chunk)
                await self.flush()
        except StreamClosedError:  # the client went away; nothing is left to answer
            return
        finally:
            await self.call(handle.close)
        self.finish(set_content_type=media_type)


class ArtifactsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        path = self.get_query_argument("path", None) or None
        run_id = await self.run_id(run_id)
        artifacts = await self.call(self.workspace.tracking.list_artifacts, run_id, path)
        self.reply({"artifacts": [artifact.to_dict() for artifact in artifacts]})


@web.stream_request_body
class ArtifactHandler(FileHandler):
    """GET streams an artifact; PUT streams the request body into a temporary file, then records it through the
    store (which copies it into place and computes its size and sha256)."""

    upload: BinaryIO | None = None
    upload_path: Path | None = None
    storage_failure: StorageError | None = None

    # APIHandler.prepare() drops JupyterHandler's `_redirect_to_login` (jupyter_server ignores that override too).
    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.request.method != "PUT":
            return
        # The body streams in before put() runs, so write permission and the path are checked before it does.
        if not await ensure_async(self.authorizer.is_authorized(self, self.current_user, "write", self.auth_resource)):
            raise web.HTTPError(403, f"User is not authorized to write on resource: {self.auth_resource}.")
        connection = self.request.connection
        assert isinstance(connection, HTTP1Connection)  # tornado's HTTPServer serves every request on one
        connection.set_max_body_size(MAX_UPLOAD_BYTES)
        run_id, path = self.path_args
        self.target_run = await self.run_id(run_id)
        self.target_path = check_relative_path(path, "path")
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.upload, self.upload_path = await self.call(
            self._open_upload, self.workspace.paths.run_artifacts(self.target_run), self.target_path
        )

    @staticmethod
    def _open_upload(run_root: Path, relative: str) -> tuple[BinaryIO, Path]:
        """A temporary file in the run's folder (the same filesystem as the artifact), once the path is known to
        stay inside that folder."""
        artifact_files.contained_path(run_root, relative)
        with storage_errors(run_root):
            run_root.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=run_root, prefix=".upload-")
        return os.fdopen(fd, "wb"), Path(name)

    async def data_received(self, chunk: bytes) -> None:
        """A disk that fills while the body streams in is answered by put() (507): an error raised here would
        only close the connection."""
        if self.upload is None or self.storage_failure is not None:
            return
        self.pending.append(chunk)
        self.pending_bytes += len(chunk)
        if self.pending_bytes >= WRITE_BYTES:
            try:
                await self._flush_pending()
            except StorageError as error:
                self.storage_failure = error

    def _open(self) -> BinaryIO:
        """The temporary file of this PUT: prepare() opens it; only a connection closed meanwhile discards it."""
        if self.upload is None:
            raise MLExtError("the upload was discarded: the connection closed")
        return self.upload

    async def _flush_pending(self) -> None:
        data, self.pending, self.pending_bytes = b"".join(self.pending), [], 0
        await self.call(self._append, self._open(), data, self.target_path)

    @staticmethod
    def _append(upload: BinaryIO, data: bytes, path: str) -> None:
        with storage_errors(path):
            upload.write(data)
            upload.flush()

    @web.authenticated
    @authorized
    async def get(self, run_id: str, path: str) -> None:
        run_id = await self.run_id(run_id)
        file = await self.call(self.workspace.tracking.artifact_file, run_id, path)
        await self.send_file(file, content_type(path))

    @web.authenticated
    @authorized
    async def put(self, run_id: str, path: str) -> None:
        try:
            if self.storage_failure is not None:
                raise self.storage_failure
            await self._flush_pending()
            await self.call(self._open().close)
            artifacts = await self.call(
                self.workspace.tracking.log_artifact, self.target_run, self.upload_path, self.target_path
            )
        finally:
            upload, self.upload = self.upload, None
            await self.call(self._discard, upload, self.upload_path)
        self.reply(artifacts[0].to_dict(), status=201)

    @staticmethod
    def _discard(upload: BinaryIO, path: Path) -> None:
        upload.close()
        path.unlink(missing_ok=True)

    def on_connection_close(self) -> None:
        """An upload cut off half way leaves no temporary file behind."""
        super().on_connection_close()
        if self.upload is not None:
            upload, self.upload = self.upload, None
            assert self.upload_path is not None  # opened together with the upload
            asyncio.get_running_loop().run_in_executor(None, self._discard, upload, self.upload_path)


class SnapshotHandler(FileHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        """The archive of the source folder a submitted run executes (what its runner extracts)."""
        run = await self.call(self.workspace.tracking.get_run, await self.run_id(run_id))
        path = None if run.snapshot_id is None else self.workspace.snapshots.path(run.snapshot_id)
        if path is None or not await self.call(path.is_file):
            raise NotFound(f"run {run.id} has no snapshot", field="run_id")
        await self.send_file(path, "application/gzip")
