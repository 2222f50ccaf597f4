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


@pytest.fixture
def cluster(tmp_path: Path):
    """A real Dask cluster of its own for one test (tests/dask_support.py); stopped after it. Imported here, not
    at the top, so that only the tests that use it pay for importing distributed."""
    from dask_support import DaskCluster

    (tmp_path / "dask").mkdir()
    started = DaskCluster(tmp_path / "dask")
    yield started
    started.stop()
