"""Store a notebook run's record as a workspace snapshot, through the same content-addressed archive as the
source folders of submitted scripts (`compute/snapshot.py`): identical records are stored once and share an id."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..compute.snapshot import create_snapshot
from ..store import Workspace


def store_record(workspace: Workspace, files: Mapping[str, str]) -> str:
    """Archive `files` ({relative path: text}) into the workspace; returns the snapshot id (its sha256)."""
    with tempfile.TemporaryDirectory(prefix="mlext-record-") as folder:
        root = Path(folder)
        for relative, text in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return create_snapshot(workspace, root)
