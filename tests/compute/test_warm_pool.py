"""The warm pool: runs forked from a preloaded interpreter keep a run's isolation (own process, session, folder,
environment; cancel kills the group), one run's state never reaches the next, the pool keeps to its bounds and
empties when idle, and a run starts cold (saying why) whenever the pool cannot be used. Real processes only."""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from jupyter_mlext.compute.dispatcher import Dispatcher
from jupyter_mlext.compute.local import LocalBackend
from jupyter_mlext.compute.submit import cancel, submit
from jupyter_mlext.compute.warm import WarmPool, WarmSettings, shared_pool
from jupyter_mlext.entities import InvalidInput, RunStatus, TargetKind
from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.runner import run_pipeline

REPO = Path(__file__).resolve().parents[2]
PRELOAD = ("jupyter_mlext", "jupyter_mlext.sdk.run", "decimal")

# Writes what the run sees of itself to outputs/info.json, then changes what a later run would inherit if it
# shared anything with this one: a preloaded module, a module of its own, the environment, sys.path.
INSPECT = textwrap.dedent("""
    import decimal, json, os, random, sys
    import psutil
    import helper
    import jupyter_mlext
    supervisor = psutil.Process(os.getppid())
    info = {
        "pid": os.getpid(), "pgid": os.getpgid(0), "sid": os.getsid(0), "cwd": os.getcwd(), "argv": sys.argv,
        "supervisor": supervisor.pid, "supervisor_parent": supervisor.ppid(),
        "supervisor_started": supervisor.create_time(), "run_id": os.environ.get("MLEXT_RUN_ID"),
        "leak": os.environ.get("LEAKED"), "precision": decimal.getcontext().prec, "counter": helper.bump(),
        "marked": getattr(jupyter_mlext, "MARKED", None), "path0": sys.path[0],
        "main": sys.modules["__main__"].__file__, "random": random.random(), "extra_path": "/nowhere" in sys.path,
    }
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/info.json", "w") as f:
        json.dump(info, f)
    os.environ["LEAKED"] = "yes"
    decimal.getcontext().prec = 5
    jupyter_mlext.MARKED = True
    sys.path.append("/nowhere")
""")
HELPER = "counter = 0\n\ndef bump():\n    global counter\n    counter += 1\n    return counter\n"
# Starts a child of its own (same process group), records both pids, and waits to be canceled.
SPAWNS = textwrap.dedent("""
    import os, subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    time.sleep(600)
""")
# The end of an interpreter, as a script relies on it: non-daemon threads finish, atexit handlers run.
ENDS = textwrap.dedent("""
    import atexit, threading, time
    def late():
        time.sleep(0.3)
        open("outputs/thread.txt", "w").write("joined")
    threading.Thread(target=late).start()
    atexit.register(lambda: open("outputs/atexit.txt", "w").write("ran"))
    print("main done", flush=True)
""")


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    """The warm interpreter and the scripts import jupyter_mlext; from a checkout that needs PYTHONPATH."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


@pytest.fixture
def source(tmp_path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "inspect_me.py").write_text(INSPECT)
    (folder / "helper.py").write_text(HELPER)
    (folder / "spawns.py").write_text(SPAWNS)
    (folder / "ends.py").write_text(ENDS)
    (folder / "fails.py").write_text("print('before')\nraise ValueError('boom')\n")
    (folder / "exits.py").write_text(
        "import sys\nsys.exit(sys.argv[1] if not sys.argv[1].isdigit() else int(sys.argv[1]))\n"
    )
    return folder


def _backend(ws, **settings) -> LocalBackend:
    return LocalBackend(ws, WarmSettings(preload=PRELOAD, **settings))


@pytest.fixture
def warm(ws):
    """A backend whose pool is ready, and the pool is stopped afterwards."""
    backend = _backend(ws, idle_s=120)
    backend.prewarm()
    assert backend.pool.wait_ready(120), "the warm interpreter did not start"
    yield backend
    backend.pool.close()


def _finish(ws, backend: LocalBackend, run_id: str):
    dispatcher = Dispatcher(ws, {TargetKind.LOCAL: backend})
    _until(lambda: ws.tracking.get_run(run_id).status.is_terminal, dispatcher)
    return ws.tracking.get_run(run_id)


def _until(predicate, dispatcher: Dispatcher | None = None, timeout: float = 60.0) -> None:
    """Wait for `predicate`, dispatching queued runs meanwhile (with `dispatcher`)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        if dispatcher is not None:
            dispatcher.tick()
        time.sleep(0.05)


def _info(ws, run_id: str) -> dict:
    return json.loads(ws.tracking.artifact_file(run_id, "outputs/info.json").read_text())


def test_a_warm_run_is_a_process_of_its_own_with_its_folder_and_environment(ws, warm, source):
    [zygote] = warm.pool.zygotes()
    run_ids = [submit(ws, source / "inspect_me.py", ["one", "two"]).id for _ in range(2)]
    runs = [_finish(ws, warm, run_id) for run_id in run_ids]
    assert [run.status for run in runs] == [RunStatus.COMPLETED] * 2, ws.tracking.read_log(run_ids[0]).text
    first, second = (_info(ws, run_id) for run_id in run_ids)
    for run_id, info in zip(run_ids, (first, second)):
        log = ws.tracking.read_log(run_id).text
        assert log.startswith(f"mlext: warm start (forked from the warm interpreter {zygote.pid}, preloaded: ")
        job = ws.compute.get_job(run_id)
        # its own session and process group, under its own supervisor, which the zygote forked
        assert info["pid"] == info["pgid"] == info["sid"] != zygote.pid
        assert info["supervisor"] == job.pid and info["supervisor_parent"] == zygote.pid
        # the owner recorded for the run is that supervisor process itself (pid and start time)
        assert abs(info["supervisor_started"] - job.pid_started_at) < 1
        assert info["cwd"] == str(ws.paths.runs / run_id / "wd") and info["run_id"] == run_id
        assert info["argv"] == ["inspect_me.py", "one", "two"]
        assert info["path0"] == info["cwd"] and info["main"] == os.path.join(info["cwd"], "inspect_me.py")
    assert first["pid"] != second["pid"] and first["supervisor"] != second["supervisor"]


def test_what_one_run_changes_never_reaches_the_next(ws, warm, source):
    run_ids = [submit(ws, source / "inspect_me.py", ["x"]).id for _ in range(2)]
    for run_id in run_ids:
        assert _finish(ws, warm, run_id).status is RunStatus.COMPLETED
    first, second = (_info(ws, run_id) for run_id in run_ids)
    for info in (first, second):
        assert info["leak"] is None  # an environment variable set by the run before
        assert info["precision"] == 28  # the state of a module the zygote preloaded (decimal's context)
        assert info["marked"] is None  # an attribute set on the preloaded jupyter_mlext
        assert info["counter"] == 1  # a module of the run's own
        assert not info["extra_path"]
    assert first["random"] != second["random"]  # the random module is seeded anew in every run


def test_cancel_kills_the_whole_process_group_of_a_warm_run(ws, warm, source, tmp_path):
    pids = tmp_path / "pids"
    run_id = submit(ws, source / "spawns.py", [str(pids)]).id
    dispatcher = Dispatcher(ws, {TargetKind.LOCAL: warm})
    _until(pids.exists, dispatcher)
    script, child = (psutil.Process(int(pid)) for pid in pids.read_text().split())
    assert os.getpgid(child.pid) == script.pid  # the script's child is in the script's group

    cancel(ws, run_id, dispatcher.backends)
    run = _finish(ws, warm, run_id)

    assert run.status is RunStatus.CANCELED
    assert "mlext: warm start" in ws.tracking.read_log(run_id).text
    for process in (script, child):
        _until(lambda p=process: not p.is_running() or p.status() == psutil.STATUS_ZOMBIE)


def test_a_warm_script_ends_like_an_interpreter(ws, warm, source):
    failed = _finish(ws, warm, submit(ws, source / "fails.py").id)
    assert failed.status is RunStatus.FAILED and failed.error == "the script exited with code 1"
    log = ws.tracking.read_log(failed.id).text
    assert "before\nTraceback (most recent call last):\n  File " in log and "ValueError: boom" in log
    assert "forked.py" not in log and "zygote.py" not in log  # the traceback starts in the script

    exits = {code: _finish(ws, warm, submit(ws, source / "exits.py", [code]).id) for code in ("0", "3", "bye")}
    assert exits["0"].status is RunStatus.COMPLETED
    assert exits["3"].error == "the script exited with code 3"
    assert exits["bye"].error == "the script exited with code 1"
    assert "bye" in ws.tracking.read_log(exits["bye"].id).text

    ended = _finish(ws, warm, submit(ws, source / "ends.py").id)
    assert ended.status is RunStatus.COMPLETED
    artifacts = {a.path for a in ws.tracking.list_artifacts(ended.id)}
    assert artifacts == {"outputs/thread.txt", "outputs/atexit.txt"}


def test_pipeline_steps_start_warm(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("MLEXT_WARM_PRELOAD", ",".join(PRELOAD))
    pool = shared_pool(WarmSettings.from_env())  # the pool the pipeline's own local backend uses
    pool.prewarm()
    assert pool.wait_ready(120)
    folder = tmp_path / "steps"
    folder.mkdir()
    (folder / "step.py").write_text("import os\nos.makedirs('outputs/out')\nopen('outputs/out/x', 'w').write('x')\n")
    steps = [Step("first", script="step.py", outputs=["out"])]
    steps.append(Step("second", script="step.py", inputs={"previous": "first.out"}, outputs=["out"]))
    try:
        record = run_pipeline(ws, Pipeline("warm-steps", steps, source_dir=folder), timeout=120)
    finally:
        pool.close()
    assert record.state == "Completed", record.error
    for step in record.steps:
        assert ws.tracking.read_log(str(step.child_run_id)).text.startswith("mlext: warm start"), step.step


def test_an_idle_pool_shrinks_to_nothing(ws, source):
    backend = _backend(ws, idle_s=1.0)
    try:
        backend.prewarm()
        assert backend.pool.wait_ready(120)
        [zygote] = backend.pool.zygotes()
        assert _finish(ws, backend, submit(ws, source / "inspect_me.py", ["x"]).id).status is RunStatus.COMPLETED
        spares = psutil.Process(zygote.pid).children(recursive=True)  # the pair forked ahead for the next run
        assert len(spares) >= 2  # (and the run's own supervisor, if it has not exited yet)
        _until(lambda: backend.pool.zygotes() == [])
        assert not psutil.pid_exists(zygote.pid)
        for spare in spares:
            _until(lambda p=spare: not p.is_running() or p.status() == psutil.STATUS_ZOMBIE)
        # the next run starts cold, and starts the pool again
        run = _finish(ws, backend, submit(ws, source / "inspect_me.py", ["x"]).id)
        assert run.status is RunStatus.COMPLETED
        assert "mlext: cold start (a new interpreter): the warm interpreter for this environment is still starting" in (
            ws.tracking.read_log(run.id).text
        )
        assert len(backend.pool.zygotes()) == 1
    finally:
        backend.pool.close()


def test_the_pool_keeps_to_its_size_stopping_the_least_recently_used(monkeypatch):
    pool = WarmPool(WarmSettings(preload=PRELOAD, size=1))
    try:
        pool.prewarm()
        assert pool.wait_ready(120)
        [first] = pool.zygotes()
        other = {**os.environ, "MLEXT_TEST_OTHER_ENVIRONMENT": "1"}
        pool.prewarm(other)
        assert pool.wait_ready(120, other)
        [second] = pool.zygotes()
        assert second.pid != first.pid and not psutil.pid_exists(first.pid)
    finally:
        pool.close()


def test_a_pool_over_its_memory_limit_starts_runs_cold_saying_so(ws, source):
    backend = _backend(ws, memory_mb=1)
    try:
        backend.prewarm()
        _until(lambda: "limit" in str(backend.pool.acquire(dict(os.environ))))
        assert backend.pool.zygotes() == []
        run = _finish(ws, backend, submit(ws, source / "inspect_me.py", ["x"]).id)
        assert run.status is RunStatus.COMPLETED
        log = ws.tracking.read_log(run.id).text
        assert log.startswith("mlext: cold start (a new interpreter): the warm interpreter needs ")
        assert "MB, over the pool's limit of 1 MB" in log
    finally:
        backend.pool.close()


def test_a_warm_interpreter_with_a_thread_is_never_forked(ws, source, tmp_path, monkeypatch):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "starts_a_thread.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
    )
    monkeypatch.setenv("PYTHONPATH", f"{modules}{os.pathsep}{REPO}")
    backend = LocalBackend(ws, WarmSettings(preload=("starts_a_thread",)))
    try:
        backend.prewarm()
        _until(lambda: "threads" in str(backend.pool.acquire(dict(os.environ))))
        run = _finish(ws, backend, submit(ws, source / "inspect_me.py", ["x"]).id)
        assert run.status is RunStatus.COMPLETED
        assert ws.tracking.read_log(run.id).text.startswith(
            "mlext: cold start (a new interpreter): the warm interpreter has 2 threads after preloading, "
            "and forks only with one"
        )
    finally:
        backend.pool.close()


def test_with_the_pool_off_runs_start_cold(ws, source):
    backend = LocalBackend(ws, WarmSettings(enabled=False))
    run = _finish(ws, backend, submit(ws, source / "inspect_me.py", ["x"]).id)
    assert run.status is RunStatus.COMPLETED
    assert ws.tracking.read_log(run.id).text.startswith("mlext: cold start (a new interpreter): the warm pool is off\n")
    info = _info(ws, run.id)
    assert info["pid"] == info["pgid"] == info["sid"] and info["supervisor"] == ws.compute.get_job(run.id).pid
    assert backend.pool.zygotes() == []


def test_settings_from_the_environment_and_their_limits():
    settings = WarmSettings.from_env(
        {
            "MLEXT_WARM_POOL": "off",
            "MLEXT_WARM_PRELOAD": "numpy, scipy.stats",
            "MLEXT_WARM_POOL_SIZE": "3",
            "MLEXT_WARM_POOL_MEMORY_MB": "512",
            "MLEXT_WARM_IDLE_S": "2.5",
        }
    )
    assert settings == WarmSettings(False, ("numpy", "scipy.stats"), 3, 512, 2.5)
    assert WarmSettings.from_env({"MLEXT_WARM_PRELOAD": ""}).preload == ()
    for env, field in (
        ({"MLEXT_WARM_POOL": "maybe"}, "MLEXT_WARM_POOL"),
        ({"MLEXT_WARM_POOL_SIZE": "two"}, "MLEXT_WARM_POOL_SIZE"),
        ({"MLEXT_WARM_POOL_SIZE": "0"}, "warm_pool_size"),
        ({"MLEXT_WARM_POOL_MEMORY_MB": "0"}, "warm_pool_memory_mb"),
        ({"MLEXT_WARM_IDLE_S": "-1"}, "warm_idle_s"),
        ({"MLEXT_WARM_PRELOAD": "os; rm -rf"}, "warm_preload"),
    ):
        with pytest.raises(InvalidInput) as refused:
            WarmSettings.from_env(env)
        assert refused.value.field == field
