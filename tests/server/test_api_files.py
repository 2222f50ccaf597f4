"""Artifacts, logs and snapshots over the REST API: streamed uploads and downloads with their content types and
hashes, log reading by offset, and paths that try to leave the run's folder (`..`, absolute, symlinks)."""

from __future__ import annotations

import gzip
import hashlib
import os

import pytest
from api_support import make_api

from jupyter_mlext.compute.submit import submit


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


@pytest.fixture
def run_id(ws):
    return ws.tracking.create_run("files").id


async def upload(api, run_id: str, path: str, data: bytes, expect: int = 201):
    return await api.call(
        "PUT",
        "/runs/{run_id}/artifacts/{path}",
        expect=expect,
        raw=data,
        headers={"Content-Type": "application/octet-stream"},
        run_id=run_id,
        path=path,
    )


async def test_uploads_stream_in_and_downloads_stream_out_with_their_type(api, ws, run_id):
    model = os.urandom(3 * 1024 * 1024 + 17)  # several write pieces and download chunks, not a round number
    put = await upload(api, run_id, "models/model.bin", model)
    assert put.json["path"] == "models/model.bin" and put.json["size"] == len(model)
    assert put.json["sha256"] == hashlib.sha256(model).hexdigest()
    await upload(api, run_id, "report.json", b'{"mse": 0.5}')
    await upload(api, run_id, "plots/curve.png", b"\x89PNG\r\n\x1a\n")
    await upload(api, run_id, "empty.txt", b"")

    listed = await api.get("/runs/{run_id}/artifacts", run_id=run_id)
    assert [a["path"] for a in listed["artifacts"]] == [
        "empty.txt",
        "models/model.bin",
        "plots/curve.png",
        "report.json",
    ]
    under = await api.get("/runs/{run_id}/artifacts", run_id=run_id, query={"path": "models"})
    assert [a["path"] for a in under["artifacts"]] == ["models/model.bin"]

    got = await api.call("GET", "/runs/{run_id}/artifacts/{path}", expect=200, run_id=run_id, path="models/model.bin")
    assert got.body == model and got.headers["Content-Type"] == "application/octet-stream"
    assert int(got.headers["Content-Length"]) == len(model)
    report = await api.call("GET", "/runs/{run_id}/artifacts/{path}", expect=200, run_id=run_id, path="report.json")
    assert report.headers["Content-Type"] == "application/json" and report.body == b'{"mse": 0.5}'
    png = await api.call("GET", "/runs/{run_id}/artifacts/{path}", expect=200, run_id=run_id, path="plots/curve.png")
    assert png.headers["Content-Type"] == "image/png"
    assert "sandbox" in png.headers["Content-Security-Policy"]  # an HTML artifact could not script the server
    empty = await api.call("GET", "/runs/{run_id}/artifacts/{path}", expect=200, run_id=run_id, path="empty.txt")
    assert empty.body == b"" and empty.headers["Content-Type"] == "text/plain"

    assert ws.tracking.artifact_file(run_id, "models/model.bin").read_bytes() == model
    leftovers = [p.name for p in ws.paths.run_artifacts(run_id).iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the temporary upload files are gone

    missing = await api.get("/runs/{run_id}/artifacts/{path}", expect=404, run_id=run_id, path="nothing.txt")
    assert missing["field"] == "path"
    no_run = await upload(api, "a" * 32, "x.txt", b"x", expect=404)
    assert no_run.json["field"] == "run_id"


@pytest.mark.parametrize("path", ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "a\\..\\b.txt"])
async def test_artifact_paths_that_leave_the_run_folder_are_refused(api, ws, run_id, path):
    put = await upload(api, run_id, path, b"x", expect=400)
    assert put.json["field"] == "path"
    got = await api.get("/runs/{run_id}/artifacts/{path}", expect=400, run_id=run_id, path=path)
    assert got["field"] == "path"
    listed = await api.get("/runs/{run_id}/artifacts", expect=400, run_id=run_id, query={"path": path})
    assert listed["field"] == "path"
    assert not (ws.paths.artifacts / "escape.txt").exists()
    assert not (ws.paths.run_artifacts(run_id).parent.parent / "escape.txt").exists()


async def test_symlinks_inside_the_run_folder_cannot_lead_out(api, ws, run_id, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the machine's secret")
    await upload(api, run_id, "data.txt", b"fine")
    run_root = ws.paths.run_artifacts(run_id)
    (run_root / "data.txt").unlink()
    (run_root / "data.txt").symlink_to(outside / "secret.txt")  # e.g. written so by a malicious script
    (run_root / "door").symlink_to(outside, target_is_directory=True)

    read = await api.call("GET", "/runs/{run_id}/artifacts/{path}", expect=400, run_id=run_id, path="data.txt")
    assert b"secret" not in read.body and read.json["field"] == "path"
    written = await upload(api, run_id, "door/planted.txt", b"planted", expect=400)
    assert written.json["field"] == "path"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]

    # A log linked to a file elsewhere is refused both ways.
    ws.tracking.log_file(run_id).symlink_to(outside / "secret.txt")
    log = await api.call("GET", "/runs/{run_id}/logs", expect=400, run_id=run_id)
    assert b"secret" not in log.body and log.json["field"] == "run_id"
    await api.call("POST", "/runs/{run_id}/logs", expect=400, raw=b"overwrite", run_id=run_id)
    assert (outside / "secret.txt").read_text() == "the machine's secret"


async def test_logs_append_as_raw_bytes_and_read_by_offset(api, ws, run_id):
    await api.call(
        "POST",
        "/runs/{run_id}/logs",
        expect=204,
        raw=b"epoch 0: loss 1.0\n",
        headers={"Content-Type": "application/octet-stream"},
        run_id=run_id,
    )
    await api.call("POST", "/runs/{run_id}/logs", expect=204, raw="epoch 1: loss 0.5 ✓\n".encode(), run_id=run_id)

    whole = await api.get("/runs/{run_id}/logs", run_id=run_id)
    assert whole["text"] == "epoch 0: loss 1.0\nepoch 1: loss 0.5 ✓\n" and whole["offset"] == 0
    assert whole["next_offset"] == whole["size"] and not whole["complete"]  # the run is still running
    first = await api.get("/runs/{run_id}/logs", run_id=run_id, query={"max_bytes": 25})
    assert first["text"] == "epoch 0: loss 1.0\n"  # cut after the last whole line
    rest = await api.get("/runs/{run_id}/logs", run_id=run_id, query={"offset": first["next_offset"]})
    assert rest["text"] == "epoch 1: loss 0.5 ✓\n"
    tail = await api.get("/runs/{run_id}/logs", run_id=run_id, query={"offset": -8})  # bytes, not characters
    assert tail["text"] == "0.5 ✓\n"

    ws.tracking.set_status(run_id, "Completed")
    done = await api.get("/runs/{run_id}/logs", run_id=run_id, query={"offset": whole["next_offset"]})
    assert done["text"] == "" and done["complete"]
    bad = await api.get("/runs/{run_id}/logs", expect=400, run_id=run_id, query={"offset": "end"})
    assert bad["field"] == "offset"
    big = await api.get("/runs/{run_id}/logs", expect=400, run_id=run_id, query={"max_bytes": 10**9})
    assert big["field"] == "max_bytes"
    missing = await api.get("/runs/{run_id}/logs", expect=404, run_id="b" * 32)
    assert missing["field"] == "run_id"


async def test_the_snapshot_of_a_submitted_run_downloads_and_a_plain_run_has_none(api, ws, run_id, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("print('hi')\n")
    submitted = submit(ws, project / "train.py", compute="local", experiment="files")

    got = await api.call("GET", "/runs/{run_id}/snapshot", expect=200, run_id=submitted.id)
    assert got.headers["Content-Type"] == "application/gzip"
    assert hashlib.sha256(got.body).hexdigest() == submitted.snapshot_id
    assert b"train.py" in gzip.decompress(got.body)
    none = await api.get("/runs/{run_id}/snapshot", expect=404, run_id=run_id)
    assert none["field"] == "run_id"
