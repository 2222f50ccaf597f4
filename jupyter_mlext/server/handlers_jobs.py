"""Submitted runs: submit (`POST /runs`), cancel, and the job record a run's runner reports its process into.

A browser names files relative to the Jupyter root folder, so a submission's `script` and `source_dir` are
translated here into folders under that root, and refused if they lead out of it (`..`, an absolute path, a
symlink pointing elsewhere). Everything else about a submission is `compute/submit.submit`'s.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..compute.submit import submit
from ..errors import Conflict, InvalidInput
from ..models import RunInfo
from .handlers import MLExtHandler
from .handlers_input import Body

if TYPE_CHECKING:
    from ..store import TrackingStore

_REQUEST_FIELDS = {"timeout_s": "timeout"}


class JobHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.compute.get_job, run_id)).to_dict())


class JobProcessHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """A runner claims its attempt with the process it started; a second claim of the attempt is a 409."""
        body = self.body("attempt", "host", "pid", "pid_started_at")
        attempt, host = body.text("attempt", required=True), body.text("host", required=True)
        pid, started = body.integer("pid", required=True), body.number("pid_started_at", required=True)
        run_id = await self.run_id(run_id)
        await self.call(self.compute.record_process, run_id, attempt, host, pid, float(started))
        self.reply((await self.call(self.compute.get_job, run_id)).to_dict())


class JobExitHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        body = self.body("attempt", "exit_code")
        attempt, exit_code = body.text("attempt", required=True), body.integer("exit_code")
        run_id = await self.run_id(run_id)
        await self.call(self.compute.record_exit, run_id, attempt, exit_code)
        self.reply((await self.call(self.compute.get_job, run_id)).to_dict())


class CancelHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """Through the dispatcher, so the run's backend (a local process group, a Dask task) is signalled too."""
        self.body()
        run_id = await self.run_id(run_id)
        run = await self.call(self.store.get_run, run_id)
        if run.status.is_terminal:
            raise Conflict(f"run {run_id} has already ended ({run.status.value}); there is nothing to cancel",
                           field="run_id")
        self.reply((await self.call(self.dispatcher.cancel, run_id)).to_dict())


async def submit_request(handler: MLExtHandler, body: Body) -> RunInfo:
    """Read a submission body and queue it; the paths are resolved and checked off the event loop."""
    script = body.text("script", required=True)
    source_dir = body.text("source_dir")
    try:
        return await handler.call(
            _submit, handler.store, Path(handler.settings["mlext_root_dir"]), script, source_dir,
            args=body.texts("args"), compute=body.text("compute", default="local"),
            experiment=body.text("experiment", default="Default"), name=body.text("name"),
            params=body.scalars("params"), tags=body.scalars("tags"), timeout_s=body.number("timeout"),
            user=handler.user,
        )
    except InvalidInput as error:
        error.field = _REQUEST_FIELDS.get(error.field, error.field)  # name the field as the request spells it
        raise


def _submit(store: TrackingStore, root: Path, script: str, source_dir: str | None, **options) -> RunInfo:
    script_path = under_root(root, script, "script")
    if not script_path.is_file():
        raise InvalidInput(f"script {script!r} does not exist under the Jupyter root folder", field="script")
    source = script_path.parent if source_dir is None else under_root(root, source_dir, "source_dir")
    if not source.is_dir():
        raise InvalidInput(f"source_dir {source_dir!r} is not a folder under the Jupyter root folder",
                           field="source_dir")
    if not script_path.is_relative_to(source):
        raise InvalidInput(f"script {script!r} is not inside source_dir {source_dir!r}", field="script")
    return submit(store, script_path, source_dir=source, **options)


def under_root(root: Path, value: str, field: str) -> Path:
    """The real path of `value`, a path relative to `root`; refused if it is absolute or leads out of `root`."""
    if not value.strip() or "\x00" in value:
        raise InvalidInput(f"{field} must be a path relative to the Jupyter root folder", field=field)
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute():
        raise InvalidInput(f"{field} {value!r} is absolute; give it relative to the Jupyter root folder",
                           field=field)
    if ".." in PurePosixPath(value.replace("\\", "/")).parts:
        raise InvalidInput(f"{field} {value!r} contains '..'; it must stay inside the Jupyter root folder",
                           field=field)
    real_root = root.resolve()
    candidate = (real_root / value).resolve()
    if not candidate.is_relative_to(real_root):
        raise InvalidInput(f"{field} {value!r} leads outside the Jupyter root folder (through a symlink)",
                           field=field)
    return candidate
