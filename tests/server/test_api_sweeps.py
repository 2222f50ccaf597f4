"""Sweeps over the REST API: created with a script under the Jupyter root and driven by the server's own daemon
(no SDK process waits on it), refused with a 400 naming the field, canceled, resumed."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_support import make_api
from sweep_support import make_project


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


async def _until(api, sweep_id, predicate, what, timeout=180.0):
    deadline = time.monotonic() + timeout
    while True:
        described = await api.get("/sweeps/{sweep_id}", sweep_id=sweep_id)
        if predicate(described):
            return described
        assert time.monotonic() < deadline, f"{what} not reached: {described['sweep']}"
        await asyncio.sleep(0.2)


BODY = {
    "experiment": "rest",
    "script": "project/train.py",
    "space": {"quality": {"kind": "choice", "values": ["good", "fair"]}},
    "sampling": "grid",
    "primary_metric": "loss",
    "max_concurrent": 2,
}


async def test_a_sweep_made_over_rest_is_driven_by_the_server_and_resumed(api, jp_root_dir, ws):
    make_project(jp_root_dir / "project")
    ws.compute.set_concurrency("local", 2)
    created = await api.post("/sweeps", {**BODY, "max_trials": 1}, expect=201)
    sweep_id = created["sweep"]["id"]
    done = await _until(api, sweep_id, lambda d: d["sweep"]["state"] == "Completed", "the sweep's end")
    assert [(t["params"], t["state"]) for t in done["trials"]] == [({"quality": "good"}, "Completed")]
    resumed = await api.post("/sweeps/{sweep_id}/resume", {"max_trials": 5}, sweep_id=sweep_id[:8])
    assert resumed["sweep"]["state"] == "Running" and resumed["sweep"]["max_trials"] == 2  # the grid has 2
    done = await _until(api, sweep_id, lambda d: d["sweep"]["state"] == "Completed", "the resumed sweep's end")
    assert [t["params"]["quality"] for t in done["trials"]] == ["good", "fair"]
    assert done["best_run_id"] == done["trials"][0]["run_id"]
    listed = await api.get("/sweeps")
    assert [s["id"] for s in listed["sweeps"]] == [sweep_id]
    await api.post("/sweeps/{sweep_id}/cancel", {}, sweep_id=sweep_id, expect=409)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_concurrent": 0}, "max_concurrent"),
        ({"sampling": "sobol"}, "sampling"),
        ({"space": {"lr": {"kind": "uniform", "low": 1, "high": 0}}}, "space.lr"),
        ({"space": {"lr": {"kind": "uniform", "low": 0, "high": 1}}}, "space.lr"),  # grid over a continuous one
        ({"script": "../outside.py"}, "script"),
    ],
)
async def test_a_bad_sweep_is_a_400_naming_the_field_and_creates_nothing(api, jp_root_dir, ws, change, field):
    make_project(jp_root_dir / "project")
    answer = await api.call("POST", "/sweeps", expect=400, json_body={**BODY, **change})
    assert answer.json["field"] == field
    assert ws.sweeps.list_sweeps() == [] and ws.tracking.search_runs().runs == []


async def test_canceling_a_sweep_stops_its_running_trials(api, jp_root_dir, ws):
    make_project(jp_root_dir / "project")
    created = await api.post(
        "/sweeps",
        {**BODY, "space": {"quality": {"kind": "choice", "values": ["bad"]}}, "max_trials": 1},
        expect=201,
    )
    sweep_id = created["sweep"]["id"]
    await _until(api, sweep_id, lambda d: d["trials"] and d["trials"][0]["run_status"] == "Running", "a trial")
    canceling = await api.post("/sweeps/{sweep_id}/cancel", {}, sweep_id=sweep_id)
    assert canceling["sweep"]["state"] in ("Canceling", "Canceled")
    done = await _until(api, sweep_id, lambda d: d["sweep"]["state"] == "Canceled", "the cancel")
    assert done["trials"][0]["state"] == "Canceled" and done["trials"][0]["run_status"] == "Canceled"
