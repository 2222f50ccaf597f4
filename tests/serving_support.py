"""Shared by the serving tests (this module holds no tests): a trivial scikit-learn model registered from a run,
scoring scripts (good, raising, broken), a keep-alive load generator, and process checks."""

from __future__ import annotations

import asyncio
import json
import pickle
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sklearn.linear_model import LinearRegression

from jupyter_mlext.serving.client import ConnectionPool
from jupyter_mlext.store import Workspace
from jupyter_mlext.store.serving import Endpoint

SCORE = textwrap.dedent("""
    import json, os, pickle
    from pathlib import Path

    model = None

    def init():
        global model
        with open(Path(os.environ["MLEXT_MODEL_DIR"]) / "model.pkl", "rb") as f:
            model = pickle.load(f)

    def run(data):
        request = json.loads(data)
        if request.get("fail"):
            raise RuntimeError("asked to fail")
        return model.predict(request["data"]).tolist()
""")

INIT_RAISES = textwrap.dedent("""
    def init():
        raise FileNotFoundError("no weights here")

    def run(data):
        return data
""")

NO_RUN = textwrap.dedent("""
    def init():
        pass
""")


def register_linear(ws: Workspace, name: str, slope: float) -> int:
    """A LinearRegression y = slope * x, trained in a run and registered from its outputs; returns the version."""
    model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, slope, 2 * slope])
    run = ws.tracking.create_run("training", params={"slope": slope})
    ws.tracking.write_artifact(run.id, "outputs/model/model.pkl", pickle.dumps(model))
    ws.tracking.set_status(run.id, "Completed")
    return ws.registry.register(name, run_id=run.id, path="outputs/model").version


def write_script(folder: Path, text: str, name: str = "score.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def serving_processes(workspace: Path) -> list[psutil.Process]:
    """Routers and scoring processes of `workspace` that are running."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if (
            process.info["status"] != psutil.STATUS_ZOMBIE
            and any("jupyter_mlext.serving." in part for part in cmdline)
            and str(workspace.resolve()) in cmdline
        ):
            found.append(process)
    return found


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} not reached in time"
        time.sleep(0.05)


@dataclass
class Load:
    """What a load run observed: answers by status and by deployment, and the (x, y) pairs per deployment."""

    statuses: Counter = field(default_factory=Counter)
    deployments: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    answers: list[tuple[str, float]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


async def _load(endpoint: Endpoint, clients: int, requests: int | None, until: asyncio.Event | None) -> Load:
    seen = Load()
    remaining = [requests]
    headers = {"Authorization": f"Bearer {endpoint.key}", "Content-Type": "application/json"}

    async def client() -> None:
        pool = ConnectionPool()
        try:
            while (remaining[0] is None or remaining[0] > 0) and not (until is not None and until.is_set()):
                if remaining[0] is not None:
                    remaining[0] -= 1
                answer = await pool.request(
                    "127.0.0.1", endpoint.port, "POST", "/score", json.dumps({"data": [[1.0]]}).encode(), headers
                )
                seen.statuses[answer.status] += 1
                if answer.status != 200:
                    seen.failures.append(answer.body.decode())
                    continue
                deployment = answer.headers["azureml-model-deployment"]
                seen.deployments[deployment] += 1
                seen.answers.append((deployment, json.loads(answer.body)[0]))
        finally:
            pool.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return seen


def send(endpoint: Endpoint, requests: int, clients: int = 8) -> Load:
    """`requests` scoring requests from `clients` concurrent keep-alive connections."""
    return asyncio.run(_load(endpoint, clients, requests, None))


class LoadInBackground:
    """Concurrent keep-alive clients scoring against an endpoint (in a thread) until stopped."""

    def __init__(self, endpoint: Endpoint, clients: int = 8) -> None:
        import threading

        self.result: Load | None = None
        self._loop = asyncio.new_event_loop()
        self._until = asyncio.Event()
        self._thread = threading.Thread(target=self._run, args=(endpoint, clients), daemon=True)
        self._thread.start()

    def _run(self, endpoint: Endpoint, clients: int) -> None:
        asyncio.set_event_loop(self._loop)
        self.result = self._loop.run_until_complete(_load(endpoint, clients, None, self._until))

    def stop(self) -> Load:
        self._loop.call_soon_threadsafe(self._until.set)
        self._thread.join(timeout=60)
        assert self.result is not None, "the load thread did not finish"
        return self.result
