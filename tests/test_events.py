"""Live events over the WebSocket: pushed within 500 ms of the commit, and resumable from a cursor."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_mlext.models import RunStatus
from jupyter_mlext.store import TrackingStore


async def _next(ws, kind: str | None = None, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(ws.read_message(), deadline - time.monotonic()))
        if kind is None or message.get("kind", message["type"]) == kind:
            return message


async def test_metrics_and_status_arrive_live_from_another_writer(jp_ws_fetch, workspace):
    ws = await jp_ws_fetch("mlext", "api", "events")
    ready = await _next(ws, "ready")
    writer = TrackingStore(workspace)  # another connection, as a kernel or script would have
    try:
        run = writer.create_run("live")
        started = time.monotonic()
        writer.log_metrics(run.id, [("loss", 0.5, 0, None), ("loss", float("nan"), 1, None)])
        message = await _next(ws, "metrics")
        latency = time.monotonic() - started
        assert message["run_id"] == run.id and message["seq"] > ready["cursor"]
        assert message["data"]["series"]["loss"]["values"] == [0.5, "NaN"]
        assert message["data"]["series"]["loss"]["steps"] == [0, 1]
        assert latency < 0.5, f"event took {latency:.3f} s"
        writer.set_status(run.id, RunStatus.COMPLETED)
        status = await _next(ws, "status")
        assert status["data"] == {"status": "Completed", "previous": "Running"}
    finally:
        ws.close()
        writer.close()


async def test_a_reconnecting_client_resumes_from_its_cursor(jp_ws_fetch, workspace):
    ws = await jp_ws_fetch("mlext", "api", "events")
    cursor = (await _next(ws, "ready"))["cursor"]
    ws.close()
    writer = TrackingStore(workspace)
    try:
        run_ids = [writer.create_run("offline").id for _ in range(3)]
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
    writer = TrackingStore(workspace)
    try:
        for _ in range(5):
            writer.create_run("old")
        writer.prune_events(keep=2)
        latest = writer.latest_event()
    finally:
        writer.close()
    ws = await jp_ws_fetch("mlext", "api", "events", params={"cursor": "1"})
    assert await _next(ws) == {"type": "reset", "cursor": latest}
    assert (await _next(ws, "ready"))["cursor"] == latest
    ws.close()
