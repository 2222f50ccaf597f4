"""The server extension loads with the server, serves its workspace, and refuses unauthenticated requests."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

import jupyter_mlext


async def test_health_reports_the_workspace_it_serves(jp_fetch, workspace):
    response = await jp_fetch("mlext", "api", "health")
    body = json.loads(response.body)
    assert response.code == 200
    assert body["status"] == "ok" and body["version"] == jupyter_mlext.__version__
    assert body["workspace"] == str(workspace.resolve())
    assert (workspace / "workspace.db").exists()


async def test_requests_without_a_token_are_refused(jp_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("mlext", "api", "health", headers={"Authorization": ""})
    assert raised.value.code in (401, 403)
