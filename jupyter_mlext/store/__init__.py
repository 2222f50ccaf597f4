"""The workspace store: the single source of truth that every other layer reads and writes through."""
from .tracking import TrackingStore, validate_point
from .workspace import WorkspacePaths, resolve_workspace

__all__ = ["TrackingStore", "WorkspacePaths", "resolve_workspace", "validate_point"]
