"""Every entity that crosses the wire matches its schema in api/openapi.yaml as `to_dict()` writes it, and comes
back equal through the one generic decoder (entities/codec.py) that the HTTP transport uses."""

from __future__ import annotations

import dataclasses
import math

import pytest
from api_support import document, validate

from jupyter_mlext.entities import (
    Deployment,
    DeploymentStatus,
    Endpoint,
    Entity,
    MetricHistory,
    RunStatus,
    decode,
)
from jupyter_mlext.entities.codec import jsonable
from jupyter_mlext.entities.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_VALUE_BYTES


def entities(ws, tmp_path) -> dict[str, Entity]:
    """One of each entity, made by the store's own operations where it has them."""
    tracking = ws.tracking
    parent = tracking.create_run("shapes", params={"alpha": 0.5}, tags={"team": "a"})
    run = tracking.create_run("shapes", parent_id=parent.id, source_type="script", source_name="x.py")
    tracking.log_metrics(run.id, [("loss", 1.0 / (step + 1), step, None) for step in range(300)])
    artifact = tracking.write_artifact(run.id, "model/weights.bin", b"\x00\x01")
    tracking.set_status(run.id, RunStatus.COMPLETED)
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "m.txt").write_text("m")
    version = ws.registry.register("shapes", path=tmp_path / "model", tags={"k": "v"}, user="ann")
    ws.registry.set_alias("shapes", "production", version.version, user="ann")
    deployment = Deployment(
        "e", "blue", "shapes", 1, "score.py", None, 5001, 42, 1.5, DeploymentStatus.READY, None, "ann", 1.0, 2.0, 100
    )
    endpoint = Endpoint(
        "e",
        "http://127.0.0.1:5000",
        "http://127.0.0.1:5000/score",
        "secret",
        5000,
        41,
        1.0,
        {"blue": 100},
        3,
        run.id,
        "ann",
        1.0,
        2.0,
        [deployment],
    )
    info = tracking.get_run(run.id)
    return {
        "Experiment": tracking.get_experiment("shapes"),
        "RunInfo": info,
        "MetricSummary": info.metrics["loss"],
        "RunPage": tracking.search_runs("shapes", max_results=1),
        "MetricHistory": tracking.metric_history(run.id, "loss", max_points=10),
        "Artifact": artifact,
        "LogChunk": tracking.read_log(run.id),
        "ComputeTarget": ws.compute.get_target("local"),
        "ModelVersion": ws.registry.get("shapes@production"),
        "RegisteredModel": ws.registry.list_models()[0],
        "RegistryChange": ws.registry.history("shapes")[-1],
        "ModelLineage": ws.registry.lineage("shapes:1"),
        "Deployment": deployment,
        "Endpoint": endpoint,
    }


@pytest.mark.parametrize(
    "name",
    [
        "Experiment",
        "RunInfo",
        "MetricSummary",
        "RunPage",
        "MetricHistory",
        "Artifact",
        "LogChunk",
        "ComputeTarget",
        "ModelVersion",
        "RegisteredModel",
        "RegistryChange",
        "ModelLineage",
        "Deployment",
        "Endpoint",
    ],
)
def test_an_entity_matches_its_schema_and_decodes_back_equal(ws, tmp_path, name):
    entity = entities(ws, tmp_path)[name]
    wire = entity.public_dict() if isinstance(entity, Endpoint) else entity.to_dict()
    validate(f"components/schemas/{name}", wire)
    assert decode(type(entity), entity.to_dict()) == entity


def test_non_finite_numbers_travel_as_strings_and_come_back_as_floats():
    history = MetricHistory(
        "r",
        "odd",
        [0, 1, 2],
        [1.0, 2.0, 3.0],
        [math.nan, math.inf, -math.inf],
        [math.nan, 0.0, -math.inf],
        [math.nan, math.inf, 0.0],
        3,
        False,
    )
    wire = history.to_dict()
    assert wire["values"] == ["NaN", "Infinity", "-Infinity"]
    validate("components/schemas/MetricHistory", wire)
    back = decode(MetricHistory, wire)
    assert math.isnan(back.values[0]) and back.values[1:] == [math.inf, -math.inf]


def test_decoding_ignores_fields_a_newer_server_adds_and_keeps_defaults():
    deployment = Deployment(
        "e", "blue", "m", 1, "s.py", None, None, None, None, DeploymentStatus.STARTING, None, None, 1.0, 1.0
    )
    wire = {**jsonable(dataclasses.asdict(deployment)), "colour": "green"}
    del wire["traffic"]
    assert decode(Deployment, wire) == deployment


def test_the_documents_limits_are_the_stores_limits():
    schemas = document()["components"]["schemas"]
    create = schemas["CreateRun"]["properties"]
    assert create["name"]["maxLength"] == MAX_NAME_LENGTH
    for field in ("source_type", "source_name", "git_commit", "user"):
        assert create[field]["maxLength"] == MAX_TEXT_LENGTH, field
    scalars = schemas["Scalars"]
    assert scalars["propertyNames"]["maxLength"] == MAX_NAME_LENGTH
    assert scalars["additionalProperties"]["maxLength"] == MAX_VALUE_BYTES
