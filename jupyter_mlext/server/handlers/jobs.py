"""Submitted runs: submit (`POST /runs`), cancel, and the job record a run's runner reports its process into.

A browser names files relative to the Jupyter root folder, so a submission's `script` and `source_dir` are
translated here into folders under that root, and refused if they lead out of it (`..`, an absolute path, a
symlink pointing elsewhere). Everything else about a submission is `compute/submit.submit`'s.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...compute.submit import cancel, submit
from ...entities import InvalidInput, RunInfo
from ...entities.limits import MAX_PATH_LENGTH
from ...store import Workspace
from .base import Body, MLExtHandler

_REQUEST_FIELDS = {"timeout_s": "timeout"}


class JobHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run_id = await self.run_id(run_id)
        self.reply((await self.call(self.workspace.compute.get_job, run_id)).to_dict())


class JobProcessHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """A runner claims its attempt with the process it started; a second claim of the attempt is a 409."""
        body = self.body()
        run_id = await self.run_id(run_id)
        await self.call(
            self.workspace.compute.record_process,
            run_id,
            body.get("attempt"),
            body.get("host"),
            body.get("pid"),
            float(body.get("pid_started_at")),
        )
        self.reply((await self.call(self.workspace.compute.get_job, run_id)).to_dict())


class JobExitHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        body = self.body()
        run_id = await self.run_id(run_id)
        await self.call(self.workspace.compute.record_exit, run_id, body.get("attempt"), body.get("exit_code"))
        self.reply((await self.call(self.workspace.compute.get_job, run_id)).to_dict())


class CancelHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        """Through the dispatcher, so the run's backend (a local process group, a Dask task) is signalled too."""
        self.body()
        run_id = await self.run_id(run_id)
        self.reply((await self.call(cancel, self.workspace, run_id, self.backends)).to_dict())


async def submit_request(handler: MLExtHandler, body: Body) -> RunInfo:
    """Read a submission body and queue it; the paths are resolved and checked off the event loop."""
    try:
        return await handler.call(
            _submit,
            handler.workspace,
            Path(handler.settings["mlext_root_dir"]),
            body.get("script"),
            body.get("source_dir"),
            args=body.get("args", []),
            compute=body.get("compute", "local"),
            experiment=body.get("experiment", "Default"),
            name=body.get("name"),
            params=body.get("params", {}),
            tags=body.get("tags", {}),
            timeout_s=body.get("timeout"),
            user=handler.user,
        )
    except InvalidInput as error:
        if error.field is not None:
            error.field = _REQUEST_FIELDS.get(error.field, error.field)  # name the field as the request spells it
        raise


def _submit(workspace: Workspace, root: Path, script: str, source_dir: str | None, **options: Any) -> RunInfo:
    script_path = under_root(root, script, "script")
    if not script_path.is_file():
        raise InvalidInput(f"script {script!r} does not exist under the Jupyter root folder", field="script")
    source = script_path.parent if source_dir is None else under_root(root, source_dir, "source_dir")
    if not source.is_dir():
        raise InvalidInput(
            f"source_dir {source_dir!r} is not a folder under the Jupyter root folder", field="source_dir"
        )
    if not script_path.is_relative_to(source):
        raise InvalidInput(f"script {script!r} is not inside source_dir {source_dir!r}", field="script")
    return submit(workspace, script_path, source_dir=source, **options)


def under_root(root: Path, value: str, field: str) -> Path:
    """The real path of `value`, a path relative to `root`; refused if it is absolute or leads out of `root`."""
    if not value.strip() or "\x00" in value:
        raise InvalidInput(f"{field} must be a path relative to the Jupyter root folder", field=field)
    if len(value) > MAX_PATH_LENGTH:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {MAX_PATH_LENGTH}", field=field)
    if any(len(part.encode("utf-8", "surrogatepass")) > 255 for part in value.replace("\\", "/").split("/")):
        raise InvalidInput(f"{field} has a file or folder name longer than 255 bytes", field=field)
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute():
        raise InvalidInput(f"{field} {value!r} is absolute; give it relative to the Jupyter root folder", field=field)
    if ".." in PurePosixPath(value.replace("\\", "/")).parts:
        raise InvalidInput(f"{field} {value!r} contains '..'; it must stay inside the Jupyter root folder", field=field)
    real_root = root.resolve()
    candidate = (real_root / value).resolve()
    if not candidate.is_relative_to(real_root):
        raise InvalidInput(f"{field} {value!r} leads outside the Jupyter root folder (through a symlink)", field=field)
    return candidate
