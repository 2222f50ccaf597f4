"""Runs over the REST API against a real server and workspace: create and ingest (what the SDK's HTTP transport
does), read back, search, metric histories, and the errors a client gets for bad input. Every answer is checked
against api/openapi.yaml."""

from __future__ import annotations

import math

import pytest
from api_support import make_api

from jupyter_mlext.entities import RunStatus


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


async def new_run(api, experiment: str = "exp", **body):
    return await api.post("/experiments/{experiment}/runs", body, expect=201, experiment=experiment)


async def test_a_run_created_and_fed_over_http_reads_back_whole(api, ws):
    run = await new_run(
        api,
        "diabetes",
        name="first",
        params={"alpha": 0.1, "solver": "lbfgs"},
        tags={"team": "health"},
        source_type="notebook",
        source_name="train.ipynb",
        user="ada",
    )
    assert run["status"] == "Running" and run["experiment"] == "diabetes" and run["user"] == "ada"
    assert run["params"] == {"alpha": "0.1", "solver": "lbfgs"}
    run_id = run["id"]

    await api.post("/runs/{run_id}/params", {"params": {"batch": 32, "alpha": "0.1"}}, expect=204, run_id=run_id)
    await api.post("/runs/{run_id}/tags", {"tags": {"team": "vision", "stage": "dev"}}, expect=204, run_id=run_id)
    logged = await api.post(
        "/runs/{run_id}/metrics",
        {
            "points": [
                ["loss", 0.5, 0, 1000.0],
                ["loss", 0.25, 1, 1001.0],
                ["loss", "NaN", 2, None],
                ["odd", "Infinity", None, None],
                ["odd", "-Infinity", None, None],
                ["acc", 1],
            ]
        },
        run_id=run_id,
    )
    assert logged == {"count": 6}
    await api.patch("/runs/{run_id}", {"status": "Completed"}, run_id=run_id)

    detail = await api.get("/runs/{run_id}", run_id=run_id[:8])  # a unique prefix is enough
    assert detail["id"] == run_id and detail["status"] == "Completed" and detail["ended_at"] is not None
    assert detail["params"] == {"alpha": "0.1", "batch": "32", "solver": "lbfgs"}
    assert detail["tags"] == {"stage": "dev", "team": "vision"}
    assert detail["metrics"]["loss"]["last"] == "NaN" and detail["metrics"]["loss"]["count"] == 3
    assert detail["metrics"]["loss"]["min"] == 0.25 and detail["metrics"]["loss"]["max"] == 0.5
    assert detail["metrics"]["odd"]["last"] == "-Infinity" and detail["metrics"]["acc"]["last"] == 1

    stored = ws.tracking.get_run(run_id)  # what the server wrote into the workspace
    assert stored.status is RunStatus.COMPLETED and stored.tags == {"stage": "dev", "team": "vision"}
    history = ws.tracking.metric_history(run_id, "odd")
    assert history.steps == [0, 1] and history.values == [math.inf, -math.inf]
    assert ws.tracking.metric_history(run_id, "loss").timestamps[:2] == [1000.0, 1001.0]

    experiments = await api.get("/experiments")
    assert [(e["name"], e["run_count"]) for e in experiments["experiments"]] == [("diabetes", 1)]


async def test_a_child_run_names_its_parent_and_an_unknown_parent_is_refused(api, ws):
    parent = await new_run(api)
    child = await new_run(api, parent_id=parent["id"], name="fold-1")
    assert child["parent_id"] == parent["id"]
    missing = await api.post("/experiments/{experiment}/runs", {"parent_id": "0" * 32}, expect=404, experiment="exp")
    assert missing["field"] == "parent_id"
    assert len(ws.tracking.search_runs("exp").runs) == 2


async def test_params_are_immutable_and_statuses_only_move_forward(api):
    run_id = (await new_run(api, params={"alpha": 0.1}))["id"]

    changed = await api.post("/runs/{run_id}/params", {"params": {"alpha": 0.2}}, expect=409, run_id=run_id)
    assert changed["field"] == "params.alpha" and "0.1" in changed["error"]
    await api.patch("/runs/{run_id}", {"status": "Failed", "error": "diverged"}, run_id=run_id)
    back = await api.patch("/runs/{run_id}", {"status": "Running"}, expect=409, run_id=run_id)
    assert back["field"] == "status" and "Failed" in back["error"]
    unknown = await api.patch("/runs/{run_id}", {"status": "Paused"}, expect=400, run_id=run_id)
    assert unknown["field"] == "status"
    assert (await api.get("/runs/{run_id}", run_id=run_id))["error"] == "diverged"


async def test_a_batch_with_one_bad_point_writes_none_of_them(api, ws):
    run_id = (await new_run(api))["id"]

    bad = await api.post(
        "/runs/{run_id}/metrics",
        {"points": [["loss", 1.0, 0, None], ["loss", "abc", 1, None]]},
        expect=400,
        run_id=run_id,
    )
    assert bad["field"] == "points" and "points[1][1]" in bad["error"]
    step = await api.post("/runs/{run_id}/metrics", {"points": [["loss", 1.0, 0.5, None]]}, expect=400, run_id=run_id)
    assert step["field"] == "points" and "points[0][2] must be an integer" in step["error"]
    shape = await api.post("/runs/{run_id}/metrics", {"points": [{"key": "loss"}]}, expect=400, run_id=run_id)
    assert shape["field"] == "points"
    name = await api.post("/runs/{run_id}/metrics", {"points": [["", 1.0]]}, expect=400, run_id=run_id)
    assert name["field"] == "metric name"
    assert ws.tracking.get_run(run_id).metrics == {}


async def test_metric_history_is_downsampled_on_the_server(api, ws):
    run_id = (await new_run(api))["id"]
    spike = 1_234  # a spike that must survive downsampling
    ws.tracking.log_metrics(
        run_id, [("train/loss", 1e6 if step == spike else float(step % 100), step, None) for step in range(2_000)]
    )

    full = await api.get("/runs/{run_id}/metrics/{key}", run_id=run_id, key="train/loss")
    assert full["total_points"] == 2_000 and full["steps"] == list(range(2_000)) and not full["downsampled"]
    small = await api.get("/runs/{run_id}/metrics/{key}", run_id=run_id, key="train/loss", query={"max_points": 100})
    assert small["downsampled"] and 0 < len(small["values"]) <= 100
    assert max(small["maxs"]) == 1e6 and small["steps"][-1] == 1_999

    bad = await api.get(
        "/runs/{run_id}/metrics/{key}", expect=400, run_id=run_id, key="train/loss", query={"max_points": "lots"}
    )
    assert bad["field"] == "max_points"
    zero = await api.get(
        "/runs/{run_id}/metrics/{key}", expect=400, run_id=run_id, key="train/loss", query={"max_points": 0}
    )
    assert zero["field"] == "max_points"
    missing = await api.get("/runs/{run_id}/metrics/{key}", expect=404, run_id=run_id, key="nothing")
    assert missing["field"] == "key"


async def test_search_filters_orders_and_pages_like_the_sdk(api, ws):
    for alpha in (0.1, 0.2, 0.3, 0.4):
        run = ws.tracking.create_run("sweep", params={"alpha": alpha})
        ws.tracking.log_metrics(run.id, [("mse", 10 * alpha, 0, None)])
    ws.tracking.create_run("other")

    page = await api.get(
        "/runs",
        query={"experiment": "sweep", "filter": "metrics.mse < 3.5", "order_by": "metrics.mse DESC", "max_results": 2},
    )
    assert [r["params"]["alpha"] for r in page["runs"]] == ["0.3", "0.2"]
    rest = await api.get(
        "/runs",
        query={
            "experiment": "sweep",
            "filter": "metrics.mse < 3.5",
            "order_by": "metrics.mse DESC",
            "max_results": 2,
            "page_token": page["next_page_token"],
        },
    )
    assert [r["params"]["alpha"] for r in rest["runs"]] == ["0.1"] and rest["next_page_token"] is None
    both = await api.get(
        "/runs", query={"experiment": ["sweep", "other"], "order_by": ["experiment ASC", "params.alpha ASC"]}
    )
    assert [r["experiment"] for r in both["runs"]] == ["other"] + ["sweep"] * 4

    malformed = await api.get("/runs", expect=400, query={"filter": "metrics.mse <"})
    assert malformed["field"] == "filter" and "position" in malformed["error"]
    unknown = await api.get("/runs", expect=404, query={"experiment": "nope"})
    assert unknown["field"] == "experiment"
    size = await api.get("/runs", expect=400, query={"max_results": "ten"})
    assert size["field"] == "max_results"
    token = await api.get("/runs", expect=400, query={"page_token": "x"})
    assert token["field"] == "page_token"


async def test_unknown_and_ambiguous_run_ids(api, ws):
    missing = await api.get("/runs/{run_id}", expect=404, run_id="f" * 32)
    assert missing["field"] == "run_id"
    short = await api.get("/runs/{run_id}", expect=400, run_id="abc")
    assert short["field"] == "run_id"
    for template in ("/runs/{run_id}/params", "/runs/{run_id}/tags", "/runs/{run_id}/metrics"):
        body = (
            {"params": {}}
            if template.endswith("params")
            else {"tags": {}}
            if template.endswith("tags")
            else {"points": []}
        )
        assert (await api.post(template, body, expect=404, run_id="e" * 32))["field"] == "run_id"
    assert (await api.patch("/runs/{run_id}", {"status": "Failed"}, expect=404, run_id="d" * 32))["field"] == "run_id"
    assert (await api.get("/runs/{run_id}/metrics/{key}", expect=404, run_id="c" * 32, key="x"))["field"] == "run_id"


async def test_malformed_bodies_are_refused_with_a_message_naming_the_field(api, ws):
    run_id = (await new_run(api))["id"]

    broken = await api.post("/runs/{run_id}/tags", b'{"tags": {"a": 1', expect=400, run_id=run_id)
    assert broken["field"] == "body" and broken["error"].startswith("request body is not valid JSON: ")
    not_object = await api.post("/runs/{run_id}/tags", b"[1, 2]", expect=400, run_id=run_id)
    assert not_object["field"] == "body" and "object" in not_object["error"]
    wrong_type = await api.post("/runs/{run_id}/tags", {"tags": ["a"]}, expect=400, run_id=run_id)
    assert wrong_type["field"] == "tags" and "object" in wrong_type["error"]
    nested = await api.post("/runs/{run_id}/params", {"params": {"layers": [1, 2]}}, expect=400, run_id=run_id)
    assert nested["field"] == "params.layers"
    misspelt = await api.post("/runs/{run_id}/params", {"param": {"a": 1}}, expect=400, run_id=run_id)
    assert misspelt["field"] == "param" and "unknown field" in misspelt["error"]
    missing = await api.patch("/runs/{run_id}", {"error": "x"}, expect=400, run_id=run_id)
    assert missing["field"] == "status" and "required" in missing["error"]
    number = await api.patch("/runs/{run_id}", {"status": 3}, expect=400, run_id=run_id)
    assert number["field"] == "status" and "string" in number["error"]
    name = await api.post("/experiments/{experiment}/runs", {"name": ""}, expect=400, experiment="exp")
    assert name["field"] == "name"
    assert ws.tracking.get_run(run_id).tags == {} and ws.tracking.get_run(run_id).params == {}
    assert len(ws.tracking.search_runs("exp").runs) == 1
