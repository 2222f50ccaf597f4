"""Fixture chain: a workspace directory → a store on it → a jupyter server serving it."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlext.store import Workspace

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def ws(workspace: Path):
    ws = Workspace(workspace)
    yield ws
    ws.close()


@pytest.fixture
def jp_server_config(workspace: Path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlext": True},
            "allow_unauthenticated_access": False,
        },
        "MLExtApp": {"workspace": str(workspace)},
    }


@pytest.fixture
def jp_serverapp(jp_serverapp, jp_asyncio_loop):
    """The test server with its extensions' start hooks run, as `jupyter server` runs them once its loop starts
    (pytest-jupyter does not): our event hub and dispatcher start there."""
    jp_asyncio_loop.run_until_complete(jp_serverapp.extension_manager.start_all_extensions())
    return jp_serverapp
