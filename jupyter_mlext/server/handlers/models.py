"""The model registry over REST: models, versions (register from a run's artifacts), aliases, tags, history, lineage
and the download of a version's files.

Who changed an alias or a tag is the authenticated Jupyter user, recorded in the model's history.
"""

from __future__ import annotations

import os
import re
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import Conflict, InvalidInput, ModelVersion, NotFound
from ...store.registry import COPY, ModelRegistry
from .base import MLExtHandler
from .files import FileHandler, content_type

_VERSION = re.compile(r"[0-9]{1,18}")


class RegistryHandler(MLExtHandler):
    @property
    def registry(self) -> ModelRegistry:
        return self.workspace.registry

    def version_number(self, text: str) -> int:
        """Only ASCII digits: `str.isdigit` also takes "²", which `int` then refuses."""
        if not _VERSION.fullmatch(text):
            raise InvalidInput(f"version must be a positive integer, got {text!r}", field="version")
        return int(text)


class ModelsHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        models = await self.call(self.registry.list_models, self.get_query_argument("name", None))
        self.reply({"models": [model.to_dict() for model in models]})


class ModelVersionsHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        versions = await self.call(self.registry.versions, name)
        self.reply({"versions": [version.to_dict() for version in versions]})

    @web.authenticated
    @authorized("write")
    async def post(self, name: str) -> None:
        """Register the next version from a run's artifacts (local files go through the SDK or the CLI)."""
        body = self.body()
        version = await self.call(
            self.registry.register,
            name,
            run_id=body.get("run_id"),
            path=body.get("path"),
            framework=body.get("framework"),
            description=body.get("description"),
            tags=body.get("tags", {}),
            properties=body.get("properties", {}),
            user=self.user,
        )
        self.reply(version.to_dict(), status=201)


class ModelVersionsSearchHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        tags = {}
        for item in self.get_query_arguments("tag"):
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise InvalidInput(f"tag must be KEY=VALUE, got {item!r}", field="tag")
            tags[key] = value
        versions = await self.call(
            self.registry.search_versions,
            self.get_query_argument("name", None),
            tags,
            self.get_query_argument("run_id", None),
        )
        self.reply({"versions": [version.to_dict() for version in versions]})


class ModelVersionHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        found = await self.call(self.registry.get_version, name, self.version_number(version))
        self.reply(found.to_dict())

    @web.authenticated
    @authorized("write")
    async def delete(self, name: str, version: str) -> None:
        await self.call(self.registry.delete_version, name, self.version_number(version), user=self.user)
        self.no_content()


class ModelVersionTagsHandler(RegistryHandler):
    @web.authenticated
    @authorized("write")
    async def patch(self, name: str, version: str) -> None:
        """`{"set": {key: value}, "delete": [key]}`: every change lands in the history. A key to delete that the
        version does not have refuses the whole request before anything changes."""
        body = self.body()
        updated = await self.call(
            self.registry.update_tags,
            name,
            self.version_number(version),
            body.get("set", {}),
            body.get("delete", []),
            user=self.user,
        )
        self.reply(updated.to_dict())


class ModelLineageHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        lineage = await self.call(self.registry.lineage, f"{name}:{self.version_number(version)}")
        self.reply(lineage.to_dict())


class ModelDownloadHandler(FileHandler, RegistryHandler):
    """A version's files: its one file as it is, or several as a .tar.gz archive (built in a temporary file by
    a worker thread, then streamed like any file)."""

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        found = await self.call(self.registry.get_version, name, self.version_number(version))
        if found.stored != COPY:
            raise Conflict(
                f"{name}:{found.version} references files outside the workspace ({found.location}); "
                "only versions copied into the workspace are served",
                field="version",
            )
        folder = self.registry.files(found)
        files = await self.call(_files_in, folder)
        if not files:
            raise NotFound(f"the files of {name}:{found.version} are gone from the workspace", field="version")
        if len(files) == 1:
            self._attachment(files[0].name)
            await self.send_file(files[0], content_type(files[0].name))
            return
        archive = await self.call(_archive, folder, _archive_name(found))
        try:
            self._attachment(f"{_archive_name(found)}.tar.gz")
            await self.send_file(archive, "application/gzip")
        finally:
            await self.call(archive.unlink, True)

    def _attachment(self, filename: str) -> None:
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(filename, safe='')}")


class ModelAliasHandler(RegistryHandler):
    @web.authenticated
    @authorized("write")
    async def put(self, name: str, alias: str) -> None:
        version = self.body().get("version")
        updated = await self.call(self.registry.set_alias, name, alias, version, user=self.user)
        self.reply(updated.to_dict())

    @web.authenticated
    @authorized("write")
    async def delete(self, name: str, alias: str) -> None:
        await self.call(self.registry.delete_alias, name, alias, user=self.user)
        self.no_content()


class ModelHistoryHandler(RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        changes = await self.call(self.registry.history, name)
        self.reply({"history": [change.to_dict() for change in changes]})


def _files_in(folder: Path) -> list[Path]:
    return sorted(Path(root, name) for root, _, names in os.walk(folder) for name in names)


def _archive_name(version: ModelVersion) -> str:
    """`name-3`, with anything a file name should not hold replaced."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{version.name}-{version.version}")


def _archive(folder: Path, name: str) -> Path:
    """The folder as `<name>/…` in a gzipped tar, in a temporary file the caller deletes."""
    fd, path = tempfile.mkstemp(prefix="mlext-model-", suffix=".tar.gz")
    with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
        archive.add(folder, arcname=name)
    return Path(path)


MODEL_ROUTES: list[tuple[str, type]] = [
    ("/models", ModelsHandler),
    ("/model-versions", ModelVersionsSearchHandler),
    ("/models/{name}/versions", ModelVersionsHandler),
    ("/models/{name}/versions/{version}", ModelVersionHandler),
    ("/models/{name}/versions/{version}/tags", ModelVersionTagsHandler),
    ("/models/{name}/versions/{version}/lineage", ModelLineageHandler),
    ("/models/{name}/versions/{version}/download", ModelDownloadHandler),
    ("/models/{name}/aliases/{alias}", ModelAliasHandler),
    ("/models/{name}/history", ModelHistoryHandler),
]
