"""The model registry: versions (also under 8 concurrent registrars), aliases and tags with history, lineage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import jupyter_mlext as mlx
from jupyter_mlext.store import Workspace
from jupyter_mlext.store.registry import parse_model_ref

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def registry(ws):
    return ws.registry


@pytest.fixture
def trained(ws) -> str:
    """A finished child run with params, a metric and a model folder among its artifacts."""
    parent = ws.tracking.create_run("diabetes", name="sweep")
    run = ws.tracking.create_run("diabetes", name="alpha-0.1", parent_id=parent.id, params={"alpha": 0.1})
    ws.tracking.log_metrics(run.id, [("mse", 3.2, 0, None), ("mse", 2.9, 1, None)])
    ws.tracking.write_artifact(run.id, "outputs/model/weights.bin", b"\x01\x02\x03")
    ws.tracking.write_artifact(run.id, "outputs/model/config.json", b'{"alpha": 0.1}')
    ws.tracking.set_status(run.id, "Completed")
    return run.id


def test_register_from_a_run_copies_and_keeps_the_bytes(registry, ws, trained):
    version = registry.register(
        "ridge",
        run_id=trained,
        path="outputs/model",
        framework="sklearn",
        tags={"area": "health"},
        properties={"rows": 442},
        user="ann",
    )
    assert (version.name, version.version, version.run_id) == ("ridge", 1, trained)
    assert version.source == f"runs:/{trained}/outputs/model"
    assert (version.size, version.file_count, version.stored) == (17, 2, "copy")
    assert version.tags == {"area": "health"} and version.properties == {"rows": "442"}
    ws.tracking.write_artifact(trained, "outputs/model/weights.bin", b"overwritten later")
    assert (registry.files(version) / "weights.bin").read_bytes() == b"\x01\x02\x03"


def test_versions_count_up_and_are_found_by_number_alias_or_latest(registry, trained, tmp_path):
    model_file = tmp_path / "model.pkl"
    model_file.write_bytes(b"pickle")
    first = registry.register("ridge", run_id=trained, path="outputs/model")
    second = registry.register("ridge", path=model_file)
    referenced = registry.register("ridge", path=model_file, reference=True)
    assert [first.version, second.version, referenced.version] == [1, 2, 3]
    assert referenced.stored == "reference" and referenced.location == str(model_file)
    registry.set_alias("ridge", "production", 2, user="ann")
    assert registry.get("ridge@production").version == 2
    assert registry.get("ridge:1").version == 1
    assert registry.get("ridge").version == 3
    assert registry.get_version("ridge", 2).aliases == ["production"]
    listed = registry.list_models()
    assert [(m.name, m.latest_version, m.version_count, m.aliases) for m in listed] == [
        ("ridge", 3, 3, {"production": 2})
    ]


def test_alias_and_tag_changes_are_kept_in_an_append_only_history(registry, trained):
    for _ in range(2):
        registry.register("ridge", run_id=trained, path="outputs/model", user="ann")
    registry.set_alias("ridge", "production", 1, user="ann")
    registry.set_alias("ridge", "production", 2, user="bob")
    registry.set_alias("ridge", "production", 2, user="bob")  # no move, no history line
    registry.set_tags("ridge", 2, {"stage": "approved"}, user="carol")
    registry.delete_tag("ridge", 2, "stage", user="carol")
    registry.delete_alias("ridge", "production", user="dan")
    lines = [(c.user, c.action, c.version, c.key, c.value, c.previous) for c in registry.history("ridge")]
    assert lines[2:] == [
        ("ann", "alias_set", 1, "production", "1", None),
        ("bob", "alias_set", 2, "production", "2", "1"),
        ("carol", "tag_set", 2, "stage", "approved", None),
        ("carol", "tag_deleted", 2, "stage", None, "approved"),
        ("dan", "alias_deleted", 2, "production", None, "2"),
    ]
    assert [(line[0], line[1], line[2]) for line in lines[:2]] == [("ann", "registered", 1), ("ann", "registered", 2)]


def test_search_by_name_and_tags(registry, trained):
    registry.register("ridge", run_id=trained, path="outputs/model", tags={"area": "health", "team": "a"})
    registry.register("ridge", run_id=trained, path="outputs/model", tags={"area": "vision"})
    registry.register("lasso", run_id=trained, path="outputs/model", tags={"area": "health"})
    assert [(v.name, v.version) for v in registry.search_versions(tags={"area": "health"})] == [
        ("lasso", 1),
        ("ridge", 1),
    ]
    assert [(v.name, v.version) for v in registry.search_versions("RID")] == [("ridge", 2), ("ridge", 1)]
    assert [v.name for v in registry.search_versions(run_id=trained[:8])] == ["lasso", "ridge", "ridge"]
    assert [m.name for m in registry.list_models("las")] == ["lasso"]


def test_lineage_leads_to_the_run_its_params_metrics_and_parents(registry, ws, trained):
    registry.register("ridge", run_id=trained, path="outputs/model")
    lineage = registry.lineage("ridge:1")
    assert lineage.run.id == trained and lineage.run.params == {"alpha": "0.1"}
    assert lineage.run.metrics["mse"].last == 2.9
    assert [p.name for p in lineage.parents] == ["sweep"]
    assert lineage.to_dict()["version"]["source"] == f"runs:/{trained}/outputs/model"


def test_download_and_delete(registry, trained, tmp_path):
    registry.register("ridge", run_id=trained, path="outputs/model")
    second = registry.register("ridge", run_id=trained, path="outputs/model")
    registry.set_alias("ridge", "production", 2)
    target = registry.download("ridge@production", tmp_path / "out")
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "weights.bin"]
    registry.delete_version("ridge", 2, user="ann")
    assert not registry.files(second).exists()
    with pytest.raises(mlx.NotFound, match="no alias 'production'"):
        registry.get("ridge@production")
    assert registry.history("ridge")[-1].action == "deleted"
    assert registry.register("ridge", run_id=trained, path="outputs/model").version == 3  # never reused


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda r, run: r.register("", run_id=run, path="outputs/model"), "name"),
        (lambda r, run: r.register("m", run_id=run, path="../other-run/secret"), "path"),
        (lambda r, run: r.register("m", run_id=run, path="/etc/passwd"), "path"),
        (lambda r, run: r.register("m", run_id=run, path="outputs/nothing-here"), "path"),
        (lambda r, run: r.register("m", run_id=run, path=None), "path"),
        (lambda r, run: r.register("m", run_id=run, path="outputs/model", reference=True), "reference"),
        (lambda r, run: r.register("m", run_id=run, path="outputs/model", tags={"k": "x" * 9000}), "tags.k"),
        (lambda r, run: r.get("nothing"), "name"),
        (lambda r, run: r.set_alias("ridge", "has space", 1), "alias"),
        (lambda r, run: r.set_alias("ridge", "production", 7), "version"),
        (lambda r, run: r.get_version("ridge", "1"), "version"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(registry, trained, call, field):
    registry.register("ridge", run_id=trained, path="outputs/model")
    before = registry.history("ridge")
    with pytest.raises(mlx.MLExtError) as raised:
        call(registry, trained)
    assert raised.value.field == field
    assert registry.history("ridge") == before
    assert [m.name for m in registry.list_models()] == ["ridge"]


def test_model_references_parse():
    assert parse_model_ref("ridge") == ("ridge", None, None)
    assert parse_model_ref("ridge:12") == ("ridge", 12, None)
    assert parse_model_ref("ridge@production") == ("ridge", None, "production")
    assert parse_model_ref("team:ridge") == ("team:ridge", None, None)


def test_eight_processes_registering_one_name_get_versions_one_to_eight(workspace, tmp_path):
    Workspace(workspace).close()
    script = textwrap.dedent("""
        import sys, pathlib
        import jupyter_mlext as mlx
        source = pathlib.Path(sys.argv[2]) / f"model-{sys.argv[1]}.txt"
        source.write_text(sys.argv[1])
        print(mlx.register_model("shared", path=source, tags={"writer": sys.argv[1]}).version)
    """)
    env = {**os.environ, "MLEXT_WORKSPACE": str(workspace), "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(i), str(tmp_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    assert sorted(int(out) for out, _ in results) == list(range(1, 9))
    ws = Workspace(workspace)
    try:
        registry = ws.registry
        for version in registry.versions("shared"):
            writer = version.tags["writer"]
            assert (registry.files(version) / f"model-{writer}.txt").read_text() == writer
    finally:
        ws.close()


def test_sdk_register_from_a_run_handle(workspace, tmp_path):
    with mlx.start_run("diabetes", workspace=workspace) as run:
        (tmp_path / "model.pkl").write_bytes(b"weights")
        run.log_artifact(tmp_path / "model.pkl", "outputs/model.pkl")
    version = mlx.register_model("ridge", run=run, path="outputs/model.pkl", workspace=workspace)
    mlx.set_model_alias("ridge", "production", version.version, workspace=workspace)
    assert mlx.get_model("ridge@production", workspace=workspace).run_id == run.id
    assert mlx.model_history("ridge", workspace=workspace)[-1].user is not None
    downloaded = mlx.download_model("ridge@production", tmp_path / "served", workspace=workspace)
    assert (downloaded / "model.pkl").read_bytes() == b"weights"


def test_cli_register_alias_tag_history_show_download(capsys, workspace, trained, tmp_path):
    from jupyter_mlext.cli import main

    def cli(*args: str):
        code = main(["--workspace", str(workspace), "--json", *args])
        out, err = capsys.readouterr()
        assert (code, err) == (0, ""), err
        return json.loads(out)

    registered = cli(
        "models",
        "register",
        "ridge",
        "--run",
        trained[:8],
        "--path",
        "outputs/model",
        "--tag",
        "area=health",
        "--framework",
        "sklearn",
    )
    assert (registered["version"], registered["tags"]) == (1, {"area": "health"})
    cli("models", "alias", "ridge", "production", "1")
    assert cli("models", "tag", "ridge:1", "stage=approved")["tags"] == {"area": "health", "stage": "approved"}
    shown = cli("models", "show", "ridge@production")
    assert shown["run"]["params"] == {"alpha": "0.1"} and shown["version"]["aliases"] == ["production"]
    assert [c["action"] for c in cli("models", "history", "ridge")["history"]] == ["registered", "alias_set", "tag_set"]
    assert cli("models", "list")["models"][0]["aliases"] == {"production": 1}
    downloaded = cli("models", "download", "ridge@production", "--dest", str(tmp_path / "out"))
    assert (Path(downloaded["path"]) / "weights.bin").read_bytes() == b"\x01\x02\x03"
    cli("models", "delete", "ridge:1")
    code = main(["--workspace", str(workspace), "models", "show", "ridge:1"])
    assert code == 1 and capsys.readouterr().err == "mlext: error: model 'ridge' has no version 1\n"


def test_every_change_is_on_the_change_feed_and_a_refused_one_is_not(registry, ws, trained):
    cursor = ws.events.latest()
    registry.register("ridge", run_id=trained, path="outputs/model", user="ann")
    registry.set_alias("ridge", "production", 1, user="ann")
    registry.set_alias("ridge", "production", 1, user="ann")  # no move: no history, no event
    with pytest.raises(mlx.InvalidInput):
        registry.set_alias("ridge", "1st", 1)
    with pytest.raises(mlx.NotFound):
        registry.delete_tag("ridge", 1, "absent")
    changes = [e for e in ws.events.since(cursor) if e.kind == "model"]
    assert [(e.run_id, e.data) for e in changes] == [
        (None, {"name": "ridge", "version": 1, "action": "registered", "key": None}),
        (None, {"name": "ridge", "version": 1, "action": "alias_set", "key": "production"}),
    ]
    assert len(changes) == len(registry.history("ridge"))  # one event per history entry
