"""The model registry over the REST API: register from a run's artifacts, find, alias, tag, trace and download
versions, with every answer checked against api/openapi.yaml and the history naming the Jupyter user."""

from __future__ import annotations

import getpass
import io
import json
import tarfile

import pytest
from api_support import make_api

from jupyter_mlext.compute.snapshot import create_snapshot


@pytest.fixture
def session(jp_serverapp, http_server_client, jp_base_url, jp_auth_header, jp_asyncio_loop) -> dict[str, str]:
    """The token plus the login cookie Jupyter sets on the first request, as a browser keeps it. Jupyter's token
    provider names that cookie's holder "Anonymous …"; the registry records the server's account instead
    (server/identity.py), the same name with the cookie or without it."""
    response = jp_asyncio_loop.run_until_complete(
        http_server_client.fetch(f"{jp_base_url.rstrip('/')}/api/me", headers=jp_auth_header)
    )
    cookies = [header.split(";", 1)[0] for header in response.headers.get_list("Set-Cookie")]
    return {
        "headers": {**jp_auth_header, "Cookie": "; ".join(cookies)},
        "anonymous": json.loads(response.body)["identity"]["username"],
    }


@pytest.fixture
def api(session, http_server_client, jp_base_url):
    return make_api(http_server_client, jp_base_url, session["headers"])


@pytest.fixture
def jupyter_user(session) -> str:
    assert session["anonymous"] != getpass.getuser()
    return getpass.getuser()


@pytest.fixture
def trained(ws) -> dict[str, str]:
    """A finished child run of a sweep, with params, a metric series, a model folder and a single model file."""
    parent = ws.tracking.create_run("diabetes", name="sweep")
    run = ws.tracking.create_run("diabetes", name="alpha-0.1", parent_id=parent.id, params={"alpha": 0.1, "epochs": 5})
    ws.tracking.log_metrics(run.id, [("mse", 3.2, 0, None), ("mse", 2.9, 1, None)])
    ws.tracking.write_artifact(run.id, "outputs/model/weights.bin", b"\x01\x02\x03")
    ws.tracking.write_artifact(run.id, "outputs/model/config.json", b'{"alpha": 0.1}')
    ws.tracking.write_artifact(run.id, "outputs/model.pkl", b"pickle-bytes")
    ws.tracking.set_status(run.id, "Completed")
    return {"run": run.id, "parent": parent.id}


async def test_register_from_a_run_then_list_search_get_and_download(api, trained, jupyter_user):
    run_id = trained["run"]
    first = await api.post(
        "/models/{name}/versions",
        {
            "run_id": run_id[:8],
            "path": "outputs/model",
            "framework": "sklearn",
            "tags": {"area": "health"},
            "properties": {"rows": 442},
        },
        expect=201,
        name="ridge",
    )
    assert (first["name"], first["version"], first["run_id"], first["stored"]) == ("ridge", 1, run_id, "copy")
    assert first["source"] == f"runs:/{run_id}/outputs/model" and first["user"] == jupyter_user
    assert (first["size"], first["file_count"]) == (17, 2) and first["properties"] == {"rows": "442"}
    second = await api.post(
        "/models/{name}/versions",
        {"run_id": run_id, "path": "outputs/model.pkl", "tags": {"area": "health", "stage": "candidate"}},
        expect=201,
        name="ridge",
    )
    other = await api.post(
        "/models/{name}/versions", {"run_id": run_id, "path": "outputs/model.pkl"}, expect=201, name="forest/v2"
    )
    assert (second["version"], other["version"], other["name"]) == (2, 1, "forest/v2")

    listed = (await api.get("/models"))["models"]
    assert [(m["name"], m["latest_version"], m["version_count"]) for m in listed] == [
        ("forest/v2", 1, 1),
        ("ridge", 2, 2),
    ]
    assert [m["name"] for m in (await api.get("/models", query={"name": "RID"}))["models"]] == ["ridge"]
    versions = (await api.get("/models/{name}/versions", name="ridge"))["versions"]
    assert [v["version"] for v in versions] == [2, 1]

    by_tag = await api.get("/model-versions", query={"tag": ["area=health", "stage=candidate"]})
    assert [(v["name"], v["version"]) for v in by_tag["versions"]] == [("ridge", 2)]
    by_name = await api.get("/model-versions", query={"name": "forest"})
    assert [(v["name"], v["version"]) for v in by_name["versions"]] == [("forest/v2", 1)]
    by_run = await api.get("/model-versions", query={"run_id": run_id[:6]})
    assert len(by_run["versions"]) == 3

    got = await api.get("/models/{name}/versions/{version}", name="forest/v2", version="1")
    assert got["source"] == f"runs:/{run_id}/outputs/model.pkl" and got["tags"] == {}

    one_file = await api.call(
        "GET", "/models/{name}/versions/{version}/download", expect=200, name="ridge", version="2"
    )
    assert one_file.body == b"pickle-bytes"
    assert "filename*=UTF-8''model.pkl" in one_file.headers["Content-Disposition"]
    folder = await api.call("GET", "/models/{name}/versions/{version}/download", expect=200, name="ridge", version="1")
    assert folder.headers["Content-Type"] == "application/gzip"
    assert "ridge-1.tar.gz" in folder.headers["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(folder.body), mode="r:gz") as archive:
        files = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    assert files == {"ridge-1/config.json": b'{"alpha": 0.1}', "ridge-1/weights.bin": b"\x01\x02\x03"}


async def test_aliases_and_tags_change_in_a_history_that_names_the_jupyter_user(api, trained, jupyter_user):
    for _ in range(2):
        await api.post(
            "/models/{name}/versions", {"run_id": trained["run"], "path": "outputs/model.pkl"}, expect=201, name="ridge"
        )
    moved = await api.call(
        "PUT", "/models/{name}/aliases/{alias}", expect=200, json_body={"version": 1}, name="ridge", alias="production"
    )
    assert moved.json["aliases"] == ["production"]
    await api.call(
        "PUT", "/models/{name}/aliases/{alias}", expect=200, json_body={"version": 2}, name="ridge", alias="production"
    )
    await api.call(
        "PUT", "/models/{name}/aliases/{alias}", expect=200, json_body={"version": 2}, name="ridge", alias="staging"
    )
    models = (await api.get("/models"))["models"]
    assert models[0]["aliases"] == {"production": 2, "staging": 2}
    assert (await api.get("/models/{name}/versions/{version}", name="ridge", version="1"))["aliases"] == []
    await api.call("DELETE", "/models/{name}/aliases/{alias}", expect=204, name="ridge", alias="staging")
    assert (await api.get("/models/{name}/versions/{version}", name="ridge", version="2"))["aliases"] == ["production"]

    tagged = await api.patch(
        "/models/{name}/versions/{version}/tags", {"set": {"stage": "prod", "owner": "ml"}}, name="ridge", version="2"
    )
    assert tagged["tags"] == {"owner": "ml", "stage": "prod"}
    untagged = await api.patch(
        "/models/{name}/versions/{version}/tags",
        {"set": {"stage": "retired"}, "delete": ["owner"]},
        name="ridge",
        version="2",
    )
    assert untagged["tags"] == {"stage": "retired"}

    history = (await api.get("/models/{name}/history", name="ridge"))["history"]
    lines = [(c["action"], c["version"], c["key"], c["value"], c["previous"]) for c in history]
    assert lines == [
        ("registered", 1, None, f"runs:/{trained['run']}/outputs/model.pkl", None),
        ("registered", 2, None, f"runs:/{trained['run']}/outputs/model.pkl", None),
        ("alias_set", 1, "production", "1", None),
        ("alias_set", 2, "production", "2", "1"),
        ("alias_set", 2, "staging", "2", None),
        ("alias_deleted", 2, "staging", None, "2"),
        ("tag_set", 2, "stage", "prod", None),
        ("tag_set", 2, "owner", "ml", None),
        ("tag_set", 2, "stage", "retired", "prod"),
        ("tag_deleted", 2, "owner", None, "ml"),
    ]
    assert {c["user"] for c in history} == {jupyter_user}
    assert [c["seq"] for c in history] == sorted(c["seq"] for c in history)


async def test_lineage_leads_to_the_run_its_params_metrics_and_parents(api, trained):
    await api.post(
        "/models/{name}/versions", {"run_id": trained["run"], "path": "outputs/model"}, expect=201, name="ridge"
    )
    lineage = await api.get("/models/{name}/versions/{version}/lineage", name="ridge", version="1")
    assert lineage["version"]["version"] == 1
    run = lineage["run"]
    assert run["id"] == trained["run"] and run["params"] == {"alpha": "0.1", "epochs": "5"}
    assert run["metrics"]["mse"]["last"] == 2.9 and run["metrics"]["mse"]["count"] == 2
    assert [parent["id"] for parent in lineage["parents"]] == [trained["parent"]]


async def test_a_version_is_deleted_with_its_aliases_and_files(api, trained, ws):
    await api.post(
        "/models/{name}/versions", {"run_id": trained["run"], "path": "outputs/model"}, expect=201, name="ridge"
    )
    await api.call(
        "PUT", "/models/{name}/aliases/{alias}", expect=200, json_body={"version": 1}, name="ridge", alias="production"
    )
    files = ws.registry.files(ws.registry.get_version("ridge", 1))
    assert files.is_dir()
    await api.call("DELETE", "/models/{name}/versions/{version}", expect=204, name="ridge", version="1")
    await api.get("/models/{name}/versions/{version}", expect=404, name="ridge", version="1")
    assert not files.exists()
    (model,) = (await api.get("/models"))["models"]
    assert (model["latest_version"], model["version_count"], model["aliases"]) == (None, 0, {})
    actions = [c["action"] for c in (await api.get("/models/{name}/history", name="ridge"))["history"]]
    assert actions == ["registered", "alias_set", "alias_deleted", "deleted"]
    again = await api.post(
        "/models/{name}/versions", {"run_id": trained["run"], "path": "outputs/model"}, expect=201, name="ridge"
    )
    assert again["version"] == 2  # a deleted number is never given out again


async def test_a_version_a_deployment_serves_cannot_be_deleted(api, trained, ws, tmp_path):
    """The row the serving service writes when it deploys a version (no scoring process is needed to hold it)."""
    for _ in range(2):
        await api.post(
            "/models/{name}/versions", {"run_id": trained["run"], "path": "outputs/model.pkl"}, expect=201, name="ridge"
        )
    (tmp_path / "score.py").write_text("def init():\n    pass\n\ndef run(data):\n    return data\n")
    serving = ws.serving
    serving.ensure_endpoint("diabetes")
    serving.add_deployment("diabetes", "blue", "ridge", 2, "score.py", create_snapshot(ws, tmp_path))

    refused = await api.call("DELETE", "/models/{name}/versions/{version}", expect=409, name="ridge", version="2")
    assert refused.json["field"] == "version" and "diabetes/blue" in refused.json["error"]
    assert (await api.get("/models/{name}/versions/{version}", name="ridge", version="2"))["version"] == 2
    await api.call("DELETE", "/models/{name}/versions/{version}", expect=204, name="ridge", version="1")
    serving.delete_deployment("diabetes", "blue")
    await api.call("DELETE", "/models/{name}/versions/{version}", expect=204, name="ridge", version="2")


async def test_bad_input_is_refused_naming_the_field(api, trained, ws, tmp_path):
    await api.post(
        "/models/{name}/versions", {"run_id": trained["run"], "path": "outputs/model"}, expect=201, name="ridge"
    )
    for version in ("one", "1.0", "-1", "²"):
        error = await api.get("/models/{name}/versions/{version}", expect=400, name="ridge", version=version)
        assert error["field"] == "version"
    assert (await api.get("/models/{name}/versions/{version}", expect=404, name="ridge", version="7"))[
        "field"
    ] == "version"
    for template in ("/models/{name}/versions", "/models/{name}/history"):
        assert (await api.get(template, expect=404, name="nope"))["field"] == "name"
    assert (await api.get("/models/{name}/versions/{version}/lineage", expect=404, name="nope", version="1"))[
        "field"
    ] == "name"

    register = "/models/{name}/versions"
    assert (await api.post(register, {"run_id": "feedbeef", "path": "x"}, expect=404, name="m"))["field"] == "run_id"
    assert (await api.post(register, {"run_id": trained["run"], "path": "nothing/here"}, expect=404, name="m"))[
        "field"
    ] == "path"
    assert (await api.post(register, {"run_id": trained["run"], "path": "../../workspace.db"}, expect=400, name="m"))[
        "field"
    ] == "path"
    assert (await api.post(register, {"run_id": trained["run"]}, expect=400, name="m"))["field"] == "path"
    assert (
        await api.post(
            register, {"run_id": trained["run"], "path": "outputs/model", "reference": True}, expect=400, name="m"
        )
    )["field"] == "reference"
    assert (await api.get("/models"))["models"][0]["name"] == "ridge"  # nothing was registered as "m"

    alias = await api.call(
        "PUT", "/models/{name}/aliases/{alias}", expect=400, json_body={"version": 1}, name="ridge", alias="1st"
    )
    assert alias.json["field"] == "alias"
    alias = await api.call(
        "PUT",
        "/models/{name}/aliases/{alias}",
        expect=400,
        json_body={"version": "1"},
        name="ridge",
        alias="production",
    )
    assert alias.json["field"] == "version"
    alias = await api.call(
        "PUT", "/models/{name}/aliases/{alias}", expect=404, json_body={"version": 9}, name="ridge", alias="production"
    )
    assert alias.json["field"] == "version"
    await api.call("DELETE", "/models/{name}/aliases/{alias}", expect=404, name="ridge", alias="production")

    tags = "/models/{name}/versions/{version}/tags"
    assert (await api.patch(tags, {"delete": ["absent"], "set": {"a": "b"}}, expect=404, name="ridge", version="1"))[
        "field"
    ] == "delete"
    assert (await api.get("/models/{name}/versions/{version}", name="ridge", version="1"))["tags"] == {}
    assert (await api.patch(tags, {"set": {"a": True}}, expect=400, name="ridge", version="1"))["field"] == "set.a"
    assert (await api.patch(tags, {"tags": {}}, expect=400, name="ridge", version="1"))["field"] == "tags"
    assert (await api.get("/model-versions", expect=400, query={"tag": "area"}))["field"] == "tag"

    local = tmp_path / "model.pkl"
    local.write_bytes(b"x")
    ws.registry.register("ridge", path=local, reference=True)
    refused = await api.call("GET", "/models/{name}/versions/{version}/download", expect=409, name="ridge", version="2")
    assert json.loads(refused.body)["field"] == "version"
