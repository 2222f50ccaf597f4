"""A full or read-only disk under the workspace's artifacts, snapshots and registry: the write is refused with
StorageFull (507 over REST) or StorageError naming the file, the CLI says so in one line, and what was stored
before is intact — no row without its file, no half-written file under its final name, no temporary file left.
The disk is a real 1 MiB tmpfs mounted over the folder (storage_support.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from api_support import make_api
from storage_support import small_filesystem

from jupyter_mlext.cli import main
from jupyter_mlext.compute.submit import submit
from jupyter_mlext.entities import StorageError, StorageFull

BIG = 2 * 1024 * 1024  # twice the small disk


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_full_disk_refuses_artifacts_and_keeps_the_ones_stored_before(ws, monkeypatch, tmp_path):
    run = ws.tracking.create_run("full")
    with small_filesystem(ws.paths.artifacts, monkeypatch):
        ws.tracking.write_artifact(run.id, "keep.txt", b"kept")
        with pytest.raises(StorageFull) as full:
            ws.tracking.store_files(
                run.id, [(b"new", "keep.txt"), (b"small", "small.txt"), (os.urandom(BIG), "big.bin")]
            )
        assert full.value.path.endswith("big.bin") and "the disk is full" in full.value.message
        assert [a.path for a in ws.tracking.list_artifacts(run.id)] == ["keep.txt"]
        assert files_under(ws.paths.run_artifacts(run.id)) == ["keep.txt"]  # nothing half-written, no .tmp- file
        assert ws.tracking.artifact_file(run.id, "keep.txt").read_bytes() == b"kept"

        local = tmp_path / "model.bin"
        local.write_bytes(os.urandom(BIG))
        with pytest.raises(StorageFull):
            ws.tracking.log_artifact(run.id, local)
        assert files_under(ws.paths.run_artifacts(run.id)) == ["keep.txt"]


def test_a_read_only_disk_is_a_storage_error_not_a_full_one(ws, monkeypatch):
    run = ws.tracking.create_run("read-only")
    with small_filesystem(ws.paths.artifacts, monkeypatch, read_only=True):
        with pytest.raises(StorageError) as refused:
            ws.tracking.write_artifact(run.id, "a.txt", b"x")
        assert not isinstance(refused.value, StorageFull) and "the disk refused it" in refused.value.message
        assert ws.tracking.list_artifacts(run.id) == []


def test_a_submission_whose_snapshot_does_not_fit_creates_no_run(ws, monkeypatch, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("print('hi')")
    (project / "data.bin").write_bytes(os.urandom(BIG))  # random: the gzip of the snapshot stays about as big
    with small_filesystem(ws.paths.snapshots, monkeypatch):
        with pytest.raises(StorageFull) as full:
            submit(ws, project / "train.py")
        assert full.value.path.startswith(str(ws.paths.snapshots))
        assert files_under(ws.paths.snapshots) == []
    assert ws.tracking.search_runs().runs == []


def test_a_registration_that_does_not_fit_leaves_no_version_and_no_staging(
    ws, workspace, monkeypatch, tmp_path, capsys
):
    model = tmp_path / "model.bin"
    model.write_bytes(os.urandom(BIG))
    with small_filesystem(ws.paths.models, monkeypatch):
        with pytest.raises(StorageFull):
            ws.registry.register("ridge", path=model)
        assert main(["--workspace", str(workspace), "models", "register", "ridge", "--path", str(model)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("mlext: error: could not write") and "disk is full" in err
        assert files_under(ws.paths.models) == []
    assert ws.registry.list_models() == []


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


async def test_an_upload_to_a_full_disk_is_answered_507_and_stores_nothing(ws, monkeypatch, api):
    run = ws.tracking.create_run("uploads")
    with small_filesystem(ws.paths.artifacts, monkeypatch):
        for size in (600 * 1024, BIG):  # fits once but not twice (upload + artifact); does not fit at all
            answer = await api.call(
                "PUT",
                "/runs/{run_id}/artifacts/{path}",
                expect=507,
                raw=os.urandom(size),
                headers={"Content-Type": "application/octet-stream"},
                run_id=run.id,
                path="model.bin",
            )
            assert "the disk is full" in answer.json["error"]
            assert ws.tracking.list_artifacts(run.id) == []
            assert files_under(ws.paths.run_artifacts(run.id)) == []
