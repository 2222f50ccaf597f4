"""Live events over the WebSocket: pushed within 500 ms of the commit, resumable from a cursor, and covering the
model registry as well as runs."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlext.entities import RunStatus
from jupyter_mlext.store import Workspace


async def _next(ws, kind: str | None = None, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(ws.read_message(), deadline - time.monotonic()))
        if kind is None or message.get("kind", message["type"]) == kind:
            return message


async def test_metrics_and_status_arrive_live_from_another_writer(jp_ws_fetch, workspace):
    ws = await jp_ws_fetch("mlext", "api", "events")
    ready = await _next(ws, "ready")
    writer = Workspace(workspace)  # another connection, as a kernel or script would have
    try:
        run = writer.tracking.create_run("live")
        started = time.monotonic()
        writer.tracking.log_metrics(run.id, [("loss", 0.5, 0, None), ("loss", float("nan"), 1, None)])
        message = await _next(ws, "metrics")
        latency = time.monotonic() - started
        assert message["run_id"] == run.id and message["seq"] > ready["cursor"]
        assert message["data"]["series"]["loss"]["values"] == [0.5, "NaN"]
        assert message["data"]["series"]["loss"]["steps"] == [0, 1]
        assert latency < 0.5, f"event took {latency:.3f} s"
        writer.tracking.set_status(run.id, RunStatus.COMPLETED)
        status = await _next(ws, "status")
        assert status["data"] == {"status": "Completed", "previous": "Running"}
    finally:
        ws.close()
        writer.close()


async def test_a_reconnecting_client_resumes_from_its_cursor(jp_ws_fetch, workspace):
    ws = await jp_ws_fetch("mlext", "api", "events")
    cursor = (await _next(ws, "ready"))["cursor"]
    ws.close()
    writer = Workspace(workspace)
    try:
        run_ids = [writer.tracking.create_run("offline").id for _ in range(3)]
    finally:
        writer.close()
    ws = await jp_ws_fetch("mlext", "api", "events", params={"cursor": str(cursor)})
    replayed = [await _next(ws, "run_created") for _ in range(3)]
    assert [m["run_id"] for m in replayed] == run_ids
    assert [m["seq"] for m in replayed] == sorted(m["seq"] for m in replayed)
    ws.close()


async def test_events_socket_refuses_unauthenticated_clients(jp_ws_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_ws_fetch("mlext", "api", "events", headers={"Authorization": ""})
    assert raised.value.code in (302, 401, 403)  # 302: sent to the login page instead


async def test_a_client_behind_the_pruned_feed_is_told_to_reload(jp_ws_fetch, workspace):
    writer = Workspace(workspace)
    try:
        for _ in range(5):
            writer.tracking.create_run("old")
        writer.events.prune(keep=2)
        latest = writer.events.latest()
    finally:
        writer.close()
    ws = await jp_ws_fetch("mlext", "api", "events", params={"cursor": "1"})
    assert await _next(ws) == {"type": "reset", "cursor": latest}
    assert (await _next(ws, "ready"))["cursor"] == latest
    ws.close()


async def test_registry_changes_reach_a_websocket_client(jp_ws_fetch, workspace, tmp_path):
    ws = await jp_ws_fetch("mlext", "api", "events")
    await _next(ws, "ready")
    (tmp_path / "model.json").write_text("{}")
    writer = Workspace(workspace)  # a kernel registering, with the panel open in the browser
    try:
        registry = writer.registry
        registry.register("live-model", path=tmp_path / "model.json")
        registry.register("live-model", path=tmp_path / "model.json")
        registry.set_alias("live-model", "production", 1)
        registry.set_alias("live-model", "production", 2)
        registry.set_tags("live-model", 2, {"stage": "candidate"})
        registry.delete_tag("live-model", 2, "stage")
        registry.delete_alias("live-model", "production")
        registry.set_alias("live-model", "staging", 1)
        registry.delete_version("live-model", 1)
        changes = [await _next(ws, "model") for _ in range(10)]
    finally:
        ws.close()
        writer.close()
    assert {message["run_id"] for message in changes} == {None}
    assert [(m["data"]["version"], m["data"]["action"], m["data"]["key"]) for m in changes] == [
        (1, "registered", None),
        (2, "registered", None),
        (1, "alias_set", "production"),
        (2, "alias_set", "production"),
        (2, "tag_set", "stage"),
        (2, "tag_deleted", "stage"),
        (2, "alias_deleted", "production"),
        (1, "alias_set", "staging"),
        (1, "alias_deleted", "staging"),
        (1, "deleted", None),
    ]
    assert {message["data"]["name"] for message in changes} == {"live-model"}
