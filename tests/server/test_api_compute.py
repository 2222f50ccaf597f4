"""Compute targets, submission and cancellation over the REST API, with the server's own dispatcher running the
submitted scripts as real subprocesses."""

from __future__ import annotations

import asyncio
import time

import pytest
from api_support import make_api

from jupyter_mlext.entities import Conflict

TRAIN = """
import os, sys
import jupyter_mlext as mlx

run = mlx.Run.get_context()
for step in range(5):
    run.log("loss", 1.0 / (step + 1), step=step)
print("epoch done", sys.argv[1:], flush=True)
os.makedirs("outputs", exist_ok=True)
with open("outputs/model.txt", "w") as f:
    f.write("weights")
"""

SLOW = """
import time
print("started", flush=True)
time.sleep(120)
"""


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


@pytest.fixture
def project(jp_root_dir):
    """Scripts under the server's root folder, where a browser user submits from."""
    folder = jp_root_dir / "project"
    (folder / "outputs").mkdir(parents=True)
    (folder / "train.py").write_text(TRAIN)
    (folder / "slow.py").write_text(SLOW)
    (folder / "data.csv").write_text("x\n1\n")
    return folder


async def wait_for(api, run_id: str, predicate, what: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = await api.get("/runs/{run_id}", run_id=run_id)
        if predicate(run):
            return run
        assert time.monotonic() < deadline, f"{what} not reached: {run['status']} {run['error']}"
        await asyncio.sleep(0.1)


async def test_compute_targets_are_listed_created_resized_and_deleted(api, ws):
    listed = await api.get("/compute")
    assert [(t["name"], t["kind"], t["busy"], t["queued"]) for t in listed["targets"]] == [("local", "local", 0, 0)]

    created = await api.post("/compute", {"name": "big", "concurrency": 4}, expect=201)
    assert created["kind"] == "local" and created["concurrency"] == 4 and created["address"] is None
    cluster = await api.post(
        "/compute", {"name": "cluster", "kind": "dask", "address": "tcp://10.0.0.5:8786", "concurrency": 16}, expect=201
    )
    assert cluster["address"] == "tcp://10.0.0.5:8786"
    assert (await api.patch("/compute/{name}", {"concurrency": 2}, name="big"))["concurrency"] == 2
    assert (await api.get("/compute/{name}", name="big"))["concurrency"] == 2

    assert (await api.post("/compute", {"name": "big"}, expect=409))["field"] == "name"
    assert (await api.post("/compute", {"name": "x", "kind": "slurm"}, expect=400))["field"] == "kind"
    assert (await api.post("/compute", {"name": "x", "kind": "dask"}, expect=400))["field"] == "address"
    assert (await api.post("/compute", {"name": "x", "concurrency": 0}, expect=400))["field"] == "concurrency"
    assert (await api.post("/compute", {"name": "x", "concurrency": "2"}, expect=400))["field"] == "concurrency"
    assert (await api.post("/compute", {"kind": "local"}, expect=400))["field"] == "name"
    assert (await api.patch("/compute/{name}", {"concurrency": 300}, expect=400, name="big"))["field"] == "concurrency"
    assert (await api.patch("/compute/{name}", {"concurrency": 2}, expect=404, name="nope"))["field"] == "compute"

    await api.call("DELETE", "/compute/{name}", expect=204, name="cluster")
    await api.call("DELETE", "/compute/{name}", expect=404, name="cluster")
    names = [t["name"] for t in (await api.get("/compute"))["targets"]]
    assert names == ["big", "local"] == [t.name for t in ws.compute.list_targets()]


async def test_the_built_in_local_target_cannot_be_deleted_or_redefined(api, project, ws):
    refused = (await api.call("DELETE", "/compute/{name}", expect=409, name="local")).json
    assert refused["field"] == "name" and "built in" in refused["error"]
    assert (await api.patch("/compute/{name}", {"concurrency": 3}, name="local"))["concurrency"] == 3
    with pytest.raises(Conflict, match="built in") as declared:
        ws.compute.declare_target("local", "dask", "tcp://10.0.0.5:8786")
    assert declared.value.field == "kind"
    assert [(t.name, t.kind.value) for t in ws.compute.list_targets()] == [("local", "local")]

    queued = await api.post("/runs", {"script": "project/train.py", "args": ["a"]}, expect=201)
    assert (await wait_for(api, queued["id"], lambda r: r["status"] == "Completed", "completion"))["compute"] == "local"


async def test_a_submitted_script_runs_and_its_log_metrics_and_outputs_are_readable(api, project, ws):
    run = await api.post(
        "/runs",
        {
            "script": "project/train.py",
            "args": ["--lr", "0.1"],
            "experiment": "api",
            "name": "first",
            "params": {"lr": 0.1},
            "tags": {"via": "rest"},
            "timeout": 60,
        },
        expect=201,
    )
    assert run["status"] in ("Queued", "Preparing", "Running")  # the dispatcher may have picked it up already
    assert run["compute"] == "local" and run["source_name"] == "train.py"
    assert run["params"] == {"lr": "0.1"} and run["user"]

    done = await wait_for(api, run["id"], lambda r: r["status"] in ("Completed", "Failed", "Canceled"), "the end")
    assert done["status"] == "Completed", done["error"]
    assert done["metrics"]["loss"]["count"] == 5 and done["metrics"]["loss"]["last"] == pytest.approx(0.2)
    log = await api.get("/runs/{run_id}/logs", run_id=run["id"])
    assert "epoch done ['--lr', '0.1']" in log["text"] and log["complete"]
    history = await api.get("/runs/{run_id}/metrics/{key}", run_id=run["id"], key="loss")
    assert history["steps"] == [0, 1, 2, 3, 4]
    artifacts = await api.get("/runs/{run_id}/artifacts", run_id=run["id"])
    assert [a["path"] for a in artifacts["artifacts"]] == ["outputs/model.txt"]
    job = await api.get("/runs/{run_id}/job", run_id=run["id"])
    assert job["exit_code"] == 0 and job["args"] == ["--lr", "0.1"] and job["timeout_s"] == 60
    assert (await api.post("/runs/{run_id}/cancel", {}, expect=409, run_id=run["id"]))["field"] == "run_id"


async def test_cancel_stops_a_running_script(api, project, ws):
    run = await api.post("/runs", {"script": "project/slow.py", "source_dir": "project"}, expect=201)
    await wait_for(api, run["id"], lambda r: r["status"] == "Running", "running")

    job = await api.post("/runs/{run_id}/cancel", run_id=run["id"])
    assert job["cancel_requested"]
    done = await wait_for(api, run["id"], lambda r: r["status"] in ("Completed", "Failed", "Canceled"), "the end")
    assert done["status"] == "Canceled"
    not_submitted = ws.tracking.create_run("plain").id
    assert (await api.post("/runs/{run_id}/cancel", expect=404, run_id=not_submitted))["field"] == "run_id"


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"script": "project/missing.py"}, "script", "does not exist"),
        ({"script": "project/train.py", "compute": "nowhere"}, "compute", "nowhere"),
        ({"script": "../outside.py"}, "script", ".."),
        ({"script": "/etc/hostname"}, "script", "absolute"),
        ({"script": "project/train.py", "source_dir": ".."}, "source_dir", ".."),
        ({"script": "project/train.py", "source_dir": "/tmp"}, "source_dir", "absolute"),
        ({"script": "link/evil.py"}, "script", "outside"),
        ({"script": "project/train.py", "source_dir": "link"}, "source_dir", "outside"),
        ({"script": "project/train.py", "source_dir": "project/data.csv"}, "source_dir", "not a folder"),
        ({"script": "project/train.py", "source_dir": "other"}, "script", "not inside"),
        ({"script": "project/train.py", "args": "--lr 0.1"}, "args", "list"),
        ({"script": "project/train.py", "args": ["--lr", 0.1]}, "args", "string"),
        ({"script": "project/train.py", "timeout": -1}, "timeout", "positive"),
        ({"script": "project/train.py", "experiment": ""}, "experiment", "empty"),
        ({"script": "project/train.py", "params": {"": 1}}, "params key", "empty"),
        ({"script": "project/train.py", "timeout_s": 5}, "timeout_s", "unknown field"),
        ({"args": []}, "script", "required"),
    ],
)
async def test_a_refused_submission_names_its_field_and_creates_no_run(
    api, project, ws, jp_root_dir, tmp_path, body, field, words
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "evil.py").write_text("print('escaped')\n")
    (jp_root_dir / "link").symlink_to(elsewhere, target_is_directory=True)
    (jp_root_dir / "other").mkdir()

    refused = await api.post("/runs", body, expect=400)
    assert refused["field"] == field and words in refused["error"], refused
    assert ws.tracking.search_runs().runs == []
    assert [e.name for e in ws.tracking.list_experiments()] == []
