"""`RunChannel` over the REST API, for an execution on a machine that cannot see the workspace (a Dask worker).

The script's output goes to a local file next to the working folder; a pump thread ships what is new to
`POST /runs/{id}/logs` at least every PUMP_INTERVAL_S, and once more before the run reports Finalizing or its
final status, so a reader that sees the run ended also sees its whole log. The script itself logs through the
same server (MLEXT_TRACKING_URI / MLEXT_TRACKING_TOKEN).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path

import psutil

from ..entities import Job, MLExtError, RunInfo, RunStatus, decode
from ..store.rest import TOKEN_ENV, RestTracking, run_path

log = logging.getLogger(__name__)

PUMP_INTERVAL_S = 0.25
CANCEL_POLL_S = 1.0
MAX_LOG_POST_BYTES = 1024 * 1024


class HttpChannel:
    """A run's channel from a machine without the workspace: everything goes to the server named by `base_url`,
    and the run's working folder `workdir` (with the log file beside it) is on this machine."""

    def __init__(self, base_url: str, token: str | None, run_id: str, attempt: str, workdir: Path) -> None:
        self.client = RestTracking(base_url, token)
        self.http = self.client.http
        self.base_url = self.http.base_url
        self.token = token
        self.run_id = run_id
        self.attempt = attempt
        self.workdir = Path(workdir)
        self.workdir.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.workdir.parent / f"{run_id}.log"
        self._log.touch()
        self._shipped = 0
        self._cancel_asked_at = float("-inf")
        self._pump_guard = threading.Lock()
        self._closing = threading.Event()
        self._pump = threading.Thread(target=self._pump_loop, name=f"mlext-log-pump-{run_id[:8]}", daemon=True)
        self._pump.start()

    # -- reading -------------------------------------------------------------------------------------------------

    def run(self) -> RunInfo:
        return self.client.get_run(self.run_id)

    def job(self) -> Job:
        return decode(Job, self.http.json("GET", run_path(self.run_id, "job")))

    def snapshot(self) -> bytes:
        return self.http.request("GET", run_path(self.run_id, "snapshot")).body

    def cancel_requested(self) -> bool:
        """The supervision loop asks several times a second; the server is asked at most every CANCEL_POLL_S (a
        backend with a faster signal, such as Dask's Event, stops the execution directly)."""
        now = time.monotonic()
        if now - self._cancel_asked_at < CANCEL_POLL_S:
            return False
        self._cancel_asked_at = now
        try:
            return self.job().cancel_requested
        except MLExtError as error:  # the server is briefly away: the run goes on, the next poll asks again
            log.warning("could not ask for cancellation of run %s: %s", self.run_id, error)
            return False

    # -- the script's side ---------------------------------------------------------------------------------------

    def log_file(self) -> Path:
        return self._log

    def environment(self) -> dict[str, str]:
        env = {"MLEXT_TRACKING_URI": self.base_url}
        if self.token:
            env[TOKEN_ENV] = self.token
        return env

    # -- reporting -----------------------------------------------------------------------------------------------

    def set_status(self, status: RunStatus, error: str | None = None) -> None:
        if status is RunStatus.FINALIZING or status.is_terminal:
            self.ship_log()
        self.client.set_status(self.run_id, status, error=error)

    def record_process(self, pid: int) -> None:
        """Claim the attempt for this process; Conflict (raised on) if another execution claimed it first."""
        self.http.request(
            "POST",
            run_path(self.run_id, "job", "process"),
            json_body={
                "attempt": self.attempt,
                "host": socket.gethostname(),
                "pid": pid,
                "pid_started_at": psutil.Process(pid).create_time(),
            },
        )

    def record_exit(self, exit_code: int | None) -> None:
        self.http.request(
            "POST", run_path(self.run_id, "job", "exit"), json_body={"attempt": self.attempt, "exit_code": exit_code}
        )

    def upload_output(self, name: str, path: Path) -> None:
        self.client.log_artifact(self.run_id, path, name)

    # -- the log pump --------------------------------------------------------------------------------------------

    def ship_log(self) -> None:
        """Send whatever the log file holds beyond what was sent; a failed POST is retried on the next pass."""
        with self._pump_guard:
            while True:
                with self._log.open("rb") as handle:
                    handle.seek(self._shipped)
                    data = handle.read(MAX_LOG_POST_BYTES)
                if not data:
                    return
                self.http.request(
                    "POST",
                    run_path(self.run_id, "logs"),
                    body=data,
                    content_type="application/octet-stream",
                    length=len(data),
                )
                self._shipped += len(data)

    def _pump_loop(self) -> None:
        while not self._closing.wait(PUMP_INTERVAL_S):
            try:
                self.ship_log()
            except (MLExtError, OSError) as error:
                log.warning("could not ship the log of run %s: %s", self.run_id, error)

    def close(self) -> None:
        self._closing.set()
        self._pump.join(timeout=5)
        try:
            self.ship_log()
        except (MLExtError, OSError) as error:
            log.warning("could not ship the end of the log of run %s: %s", self.run_id, error)
        self.client.close()
