"""One error hierarchy for every layer.

Each error carries the HTTP status the REST layer answers with and, where it applies, the name of the field
that was wrong, so the SDK, the CLI and the API all report the same thing in their own form.
"""

from __future__ import annotations


class MLExtError(Exception):
    """Base of every error jupyter-mlext raises on purpose."""

    status: int = 500

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        body = {"error": self.message}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(MLExtError):
    """The caller sent something malformed; nothing was stored."""

    status = 400


class TooLarge(InvalidInput):
    """A request larger than the server takes (the limit is in the message)."""

    status = 413


class NotFound(MLExtError):
    status = 404


class Conflict(MLExtError):
    """The request contradicts what is already stored (e.g. re-logging a param with another value)."""

    status = 409


class WorkspaceError(MLExtError):
    """The workspace cannot be used as it is (e.g. written by a newer version)."""

    status = 500


class StorageError(MLExtError):
    """A file of the workspace (an artifact, a snapshot, a registered model's files) could not be written: a
    permission, a read-only or failing disk. Nothing half-written is left under its final name, and no row
    refers to a file that is not there. `path` is the file or folder that could not be written (None when the
    error came over HTTP, where the server's message names it)."""

    status = 500

    def __init__(self, message: str, field: str | None = None, path: str | None = None) -> None:
        super().__init__(message, field)
        self.path = path


class StorageFull(StorageError):
    """The disk (or quota) holding the workspace is full; free space and try again."""

    status = 507
