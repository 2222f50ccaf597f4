"""The job record of a submitted run over the REST API, as a runner on another machine reports into it: one
attempt records its process once (a retried Dask task must not run the script twice), and its exit code. The
server's dispatcher is off here, so the test plays the dispatcher's part."""

from __future__ import annotations

import pytest
from api_support import make_api

from jupyter_mlext.entities import JobSpec


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "MLExtApp": {**jp_server_config["MLExtApp"], "dispatch": False}}


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


@pytest.fixture
def compute(ws):
    return ws.compute


def queued_run(ws, compute):
    return ws.tracking.create_run("jobs", job=compute.check_spec(JobSpec("local", "train.py", ["--lr", "0.1"], None)))


async def test_one_attempt_records_its_process_once_and_then_its_exit(api, ws, compute):
    run = queued_run(ws, compute)
    assert compute.claim(run.id, "attempt-1")

    report = {"attempt": "attempt-1", "host": "worker-1", "pid": 4242, "pid_started_at": 1.7e9}
    job = await api.post("/runs/{run_id}/job/process", report, run_id=run.id)
    assert (job["attempt"], job["host"], job["pid"], job["args"]) == ("attempt-1", "worker-1", 4242, ["--lr", "0.1"])
    again = await api.post("/runs/{run_id}/job/process", {**report, "pid": 4343}, expect=409, run_id=run.id)
    assert again["field"] == "attempt"
    other = await api.post(
        "/runs/{run_id}/job/exit", {"attempt": "attempt-2", "exit_code": 0}, expect=409, run_id=run.id
    )
    assert other["field"] == "attempt"
    ended = await api.post("/runs/{run_id}/job/exit", {"attempt": "attempt-1", "exit_code": 3}, run_id=run.id)
    assert ended["exit_code"] == 3 and ended["pid"] == 4242
    assert (await api.get("/runs/{run_id}/job", run_id=run.id[:6])) == ended

    bad = await api.post("/runs/{run_id}/job/process", {**report, "pid": "4242"}, expect=400, run_id=run.id)
    assert bad["field"] == "pid"
    missing = await api.post("/runs/{run_id}/job/exit", {"exit_code": 0}, expect=400, run_id=run.id)
    assert missing["field"] == "attempt"
    plain = ws.tracking.create_run("jobs").id
    assert (await api.get("/runs/{run_id}/job", expect=404, run_id=plain))["field"] == "run_id"


async def test_a_queued_run_is_canceled_at_once_and_only_once(api, ws, compute):
    run = queued_run(ws, compute)

    job = await api.post("/runs/{run_id}/cancel", {}, run_id=run.id)
    assert job["cancel_requested"] and job["attempt"] is None
    assert (await api.get("/runs/{run_id}", run_id=run.id))["status"] == "Canceled"
    again = await api.post("/runs/{run_id}/cancel", {}, expect=409, run_id=run.id)
    assert again["field"] == "run_id" and "Canceled" in again["error"]
    assert not compute.claim(run.id, "late")  # a dispatcher that comes by later does not start it
