"""The SDK over HTTP against a real jupyter server: a separate Python process with MLEXT_TRACKING_URI and
MLEXT_TRACKING_TOKEN (and no workspace) logs through the REST API, with the same calls, entities and errors as
over SQLite. The server's event loop runs in the test's thread, so the SDK runs in a subprocess the test awaits.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlext.entities import RunStatus

# Shared by every driver script: report(...) prints one JSON line the test reads back; caught(...) runs a call
# that must fail and describes its error.
PRELUDE = textwrap.dedent("""
    import json, math, sys
    import jupyter_mlext as mlx
    from jupyter_mlext.entities import MLExtError

    def report(**values):
        print("REPORT " + json.dumps(values, default=str))

    def caught(call):
        try:
            call()
        except MLExtError as error:
            return {"type": type(error).__name__, "field": error.field, "message": error.message,
                    "status": getattr(error, "status", None)}
        return None
""")

SCENARIO = PRELUDE + textwrap.dedent("""
    from jupyter_mlext.store.rest import run_path
    from pathlib import Path

    data = Path(sys.argv[1])
    with mlx.start_run(experiment="over-http", params={"alpha": 0.1}, tags={"team": "a"}) as run:
        requests = []
        send = run._store.http.request
        run._store.http.request = lambda method, path, **kw: requests.append((method, path)) or send(method, path, **kw)
        for step in range(10_000):
            run.log("loss", 1.0 / (step + 1), step=step)
        run.flush()
        metric_posts = sum(1 for m, p in requests if m == "POST" and p.endswith("/metrics"))
        run.log("odd", math.nan, step=0)
        run.log("odd", math.inf, step=1)
        run.log("odd", -math.inf, step=2)
        run.log_params(batch=32)
        run.set_tags({"team": "b", "stage": "dev"})
        changed = caught(lambda: run.log_params(alpha=0.2))
        sent = len(requests)
        bad_value = caught(lambda: run.log("loss", "not a number"))
        bad_key = caught(lambda: run.log_params({"": 1}))
        refused_locally = len(requests) == sent
        # The server checks too, and its answer maps back to the same error.
        server_says = caught(lambda: run._store.http.json(
            "POST", run_path(run.id, "metrics"), json_body={"points": [["loss", "abc", 1, 0.0]]}))
        missing_run = caught(lambda: mlx.get_run("f" * 32))
        missing_metric = caught(lambda: run.history("nothing"))
        one = run.log_artifact(data / "model.txt", "models/model.txt")
        many = run.log_artifact(data / "folder")
        text = run.log_text("hello", "notes/hello.txt")
        odd = run.history("odd")
        during = run.info
        listed = [a.path for a in run.list_artifacts()]
    try:
        with mlx.start_run(experiment="over-http", name="broken") as broken:
            raise ValueError("boom")
    except ValueError:
        pass
    report(run=run.id, broken=broken.id, store=type(run._store).__name__, metric_posts=metric_posts,
           changed=changed, bad_value=bad_value, bad_key=bad_key, refused_locally=refused_locally,
           server_says=server_says, missing_run=missing_run, missing_metric=missing_metric,
           one=[(a.path, a.size) for a in one], many=sorted(a.path for a in many), text=[text.path, text.sha256],
           odd=[odd.steps, [repr(v) for v in odd.values]], during=[during.status.value,
           during.metrics["loss"].count], listed=listed)
""")

CONTEXT = PRELUDE + textwrap.dedent("""
    run = mlx.Run.get_context()
    run.log("acc", 0.5)
    mlx.log("acc", 0.75)  # the module-level log goes to the context run
    report(id=run.id, metrics=run.metrics)
""")

BAD_TOKEN = PRELUDE + textwrap.dedent("""
    report(error=caught(lambda: mlx.start_run(experiment="intruder")))
""")


@pytest.fixture
def tracking_uri(http_server, jp_http_port, jp_base_url) -> str:
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}"


async def run_sdk(script: str, folder: Path, tracking_uri: str, token: str, *args: str, **env: str) -> dict:
    """Run `script` in a fresh interpreter that sees only the tracking server (no workspace), awaiting it so the
    server keeps answering; its REPORT line, parsed."""
    path = folder / "driver.py"
    path.write_text(script)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    environ.update(MLEXT_TRACKING_URI=tracking_uri, MLEXT_TRACKING_TOKEN=token, **env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(path),
        *args,
        cwd=folder,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    lines = [line for line in out.decode().splitlines() if line.startswith("REPORT ")]
    assert lines, f"no report\n{out.decode()}\n{err.decode()}"
    return json.loads(lines[-1][len("REPORT ") :])


def token_of(serverapp) -> str:
    return serverapp.identity_provider.token


async def test_the_sdk_logs_everything_over_http_in_batches(tracking_uri, jp_serverapp, ws, tmp_path):
    data = tmp_path / "data"
    (data / "folder" / "sub").mkdir(parents=True)
    (data / "model.txt").write_text("weights")
    (data / "folder" / "a.bin").write_bytes(b"\x00\x01\x02")
    (data / "folder" / "sub" / "b.txt").write_text("b")

    got = await run_sdk(SCENARIO, tmp_path, tracking_uri, token_of(jp_serverapp), str(data))
    print(f"\nhttp: 10,000 points committed in {got['metric_posts']} POSTs")

    assert got["store"] == "RestTracking"
    assert 1 <= got["metric_posts"] < 100  # batched by the writer: not a request per point
    assert got["changed"]["type"] == "Conflict" and got["changed"]["field"] == "params.alpha"
    assert got["bad_value"]["type"] == "InvalidInput" and got["bad_value"]["field"] == "metrics.loss"
    assert got["bad_key"]["type"] == "InvalidInput" and got["bad_key"]["field"] == "params key"
    assert got["refused_locally"]  # nothing was sent for input the client can check itself
    # the API contract refuses it before the store sees it: the field is the request's
    assert got["server_says"]["type"] == "InvalidInput" and got["server_says"]["field"] == "points"
    assert got["server_says"]["status"] == 400
    assert got["missing_run"]["type"] == "NotFound" and got["missing_run"]["status"] == 404
    assert got["missing_metric"]["type"] == "NotFound"
    assert got["one"] == [["models/model.txt", 7]]
    assert got["many"] == ["folder/a.bin", "folder/sub/b.txt"]
    assert got["text"][0] == "notes/hello.txt" and len(got["text"][1]) == 64
    assert got["listed"] == ["folder/a.bin", "folder/sub/b.txt", "models/model.txt", "notes/hello.txt"]
    assert got["odd"] == [[0, 1, 2], ["nan", "inf", "-inf"]]
    assert got["during"] == ["Running", 10_000]

    stored = ws.tracking.get_run(got["run"])  # what the server wrote into the workspace
    assert stored.status is RunStatus.COMPLETED and stored.experiment == "over-http"
    assert stored.params == {"alpha": "0.1", "batch": "32"} and stored.tags == {"team": "b", "stage": "dev"}
    assert stored.metrics["loss"].count == 10_000 and stored.metrics["loss"].last == pytest.approx(1e-4)
    history = ws.tracking.metric_history(stored.id, "loss")
    assert history.steps == list(range(10_000)) and history.values[9] == pytest.approx(0.1)
    odd = ws.tracking.metric_history(stored.id, "odd")
    assert math.isnan(odd.values[0]) and odd.values[1:] == [math.inf, -math.inf]
    assert ws.tracking.artifact_file(stored.id, "folder/a.bin").read_bytes() == b"\x00\x01\x02"
    assert ws.tracking.artifact_file(stored.id, "models/model.txt").read_text() == "weights"
    assert ws.tracking.artifact_file(stored.id, "notes/hello.txt").read_text() == "hello"
    broken = ws.tracking.get_run(got["broken"])
    assert broken.status is RunStatus.FAILED and "ValueError: boom" in broken.error


async def test_run_get_context_is_the_submitted_run_over_http(tracking_uri, jp_serverapp, ws, tmp_path):
    handed_over = ws.tracking.create_run("ctx")

    got = await run_sdk(CONTEXT, tmp_path, tracking_uri, token_of(jp_serverapp), MLEXT_RUN_ID=handed_over.id)

    assert got == {"id": handed_over.id, "metrics": {"acc": 0.75}}
    run = ws.tracking.get_run(handed_over.id)
    assert run.metrics["acc"].count == 2
    assert run.status is RunStatus.RUNNING  # not owned by the script: its status stays with whoever owns it


async def test_a_wrong_token_is_refused_with_a_message_naming_the_setting(tracking_uri, ws, tmp_path):
    got = await run_sdk(BAD_TOKEN, tmp_path, tracking_uri, "not-the-token")

    assert got["error"]["status"] in (401, 403)
    assert "MLEXT_TRACKING_TOKEN" in got["error"]["message"]
    assert "intruder" not in [e.name for e in ws.tracking.list_experiments()]  # nothing was written
