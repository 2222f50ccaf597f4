"""The server's traitlets settings shape the workspace it serves: declared compute targets and local concurrency."""

from __future__ import annotations

import json

import pytest

from jupyter_mlext.store import Workspace


@pytest.fixture
def jp_server_config(workspace):
    ws = Workspace(workspace)  # a target edited by hand before the server starts
    ws.compute.create_target("cluster", "dask", "tcp://127.0.0.1:8786", concurrency=2)
    ws.close()
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlext": True}, "allow_unauthenticated_access": False},
        "MLExtApp": {
            "workspace": str(workspace),
            "dispatch": False,
            "local_concurrency": 3,
            "compute_targets": {
                "cluster": {"kind": "dask", "address": "tcp://10.0.0.5:8786", "concurrency": 16},
                "gpu": {"concurrency": 1},
            },
        },
    }


async def test_configured_targets_are_created_or_brought_to_the_configuration(jp_fetch):
    targets = {t["name"]: t for t in json.loads((await jp_fetch("mlext", "api", "compute")).body)["targets"]}
    assert {name: (t["kind"], t["address"], t["concurrency"]) for name, t in targets.items()} == {
        "local": ("local", None, 3),
        "cluster": ("dask", "tcp://10.0.0.5:8786", 16),
        "gpu": ("local", None, 1),
    }
