"""Online endpoints and their deployments as the workspace records them.

The rows are the truth every process works from: the SDK, the CLI and the server write intent (a deployment, a
traffic split), the router and scoring processes record what they are (pid, start time, port, readiness) and
read the split back. Restarting a dead process is claimed first (a conditional update on the dead pid), and a
starting process claims its row only while no other process holds it, so reconcilers that race leave exactly one
process running. `config_version` counts the
changes a router must apply, so it can poll one integer instead of re-reading everything.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from ..entities import (
    Conflict,
    Deployment,
    DeploymentStatus,
    Endpoint,
    InvalidInput,
    NotFound,
    RoutingConfig,
    RunStatus,
)
from .database import Database
from .tracking import SqliteTracking

ENDPOINTS_EXPERIMENT = "endpoints"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_DEPLOYMENT_COLUMNS = (
    "endpoint, name, model_name, model_version, script, snapshot_id, port, pid, pid_started_at, "
    "status, error, user, created_at, updated_at"
)


def check_serving_name(value: Any, field: str) -> str:
    """Endpoint and deployment names appear in URLs and folder names: letters, digits, '-' and '_'."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise InvalidInput(
            f"{field} {value!r} must start with a letter or digit and hold only letters, digits, "
            "'-' and '_' (at most 63)",
            field=field,
        )
    return value


def check_traffic(traffic: Any, deployments: list[str]) -> dict[str, int]:
    """A split over existing deployments: whole percentages that add up to 100 (or to 0: no traffic at all)."""
    if not isinstance(traffic, Mapping):
        raise InvalidInput("traffic must map deployment names to percentages", field="traffic")
    split: dict[str, int] = {}
    for name, share in traffic.items():
        if name not in deployments:
            raise NotFound(f"the endpoint has no deployment {name!r}", field="traffic")
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
            raise InvalidInput(f"traffic of {name!r} must be a whole percentage 0-100, got {share!r}", field="traffic")
        if share:
            split[name] = share
    total = sum(split.values())
    if total not in (0, 100):
        raise InvalidInput(
            f"traffic must add up to 100 (or 0 to take the endpoint out of service), got {total}", field="traffic"
        )
    return split


class ServingRepository:
    """Endpoints and deployments of one workspace."""

    def __init__(self, db: Database, tracking: SqliteTracking) -> None:
        self._db = db
        self._tracking = tracking

    # -- endpoints ---------------------------------------------------------------------------------------------

    def ensure_endpoint(self, name: str, user: str | None = None) -> tuple[Endpoint, bool]:
        """The endpoint `name`, created (with its key and its metrics run) if missing; True if created here."""
        check_serving_name(name, "endpoint")
        if self._endpoint_row(name) is not None:
            return self.get_endpoint(name), False
        run = self._tracking.create_run(
            ENDPOINTS_EXPERIMENT,
            name=name,
            user=user,
            source_type="endpoint",
            source_name=name,
            tags={"endpoint": name},
        )
        now = time.time()
        with self._db.write() as conn:
            created = (
                conn.execute(
                    "INSERT INTO endpoints (name, key, run_id, user, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO NOTHING",
                    (name, secrets.token_urlsafe(32), run.id, user, now, now),
                ).rowcount
                == 1
            )
        if not created:  # another process created it first; its run is the endpoint's
            self._tracking.set_status(run.id, RunStatus.CANCELED, error="endpoint created concurrently")
        return self.get_endpoint(name), created

    def get_endpoint(self, name: str) -> Endpoint:
        row = self._endpoint_row(name)
        if row is None:
            raise NotFound(f"no endpoint named {name!r}", field="endpoint")
        return self._endpoint(row, self._deployments("WHERE endpoint = ?", [name]))

    def list_endpoints(self) -> list[Endpoint]:
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT {_ENDPOINT_COLUMNS} FROM endpoints ORDER BY name").fetchall()
        deployments = self._deployments("", [])
        return [self._endpoint(row, [d for d in deployments if d.endpoint == row[0]]) for row in rows]

    def delete_endpoint(self, name: str) -> tuple[Endpoint, list[Deployment]]:
        """Remove the endpoint and its deployments; returns what was removed (the caller stops the processes)."""
        endpoint = self.get_endpoint(name)
        with self._db.write() as conn:
            conn.execute("DELETE FROM deployments WHERE endpoint = ?", (name,))
            conn.execute("DELETE FROM endpoints WHERE name = ?", (name,))
        return endpoint, endpoint.deployments

    def set_traffic(self, name: str, traffic: Mapping[str, Any]) -> Endpoint:
        endpoint = self.get_endpoint(name)
        split = check_traffic(traffic, [d.name for d in endpoint.deployments])
        by_name = {d.name: d for d in endpoint.deployments}
        for deployment, share in split.items():
            if share and by_name[deployment].status == DeploymentStatus.FAILED:
                raise Conflict(f"deployment {deployment!r} failed to start; it cannot take traffic", field="traffic")
        with self._db.write() as conn:
            conn.execute(
                "UPDATE endpoints SET traffic = ?, config_version = config_version + 1, updated_at = ? WHERE name = ?",
                (json.dumps(split), time.time(), name),
            )
        return self.get_endpoint(name)

    def key(self, name: str) -> str:
        with self._db.read() as conn:
            row = conn.execute("SELECT key FROM endpoints WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"no endpoint named {name!r}", field="endpoint")
        key: str = row[0]
        return key

    def regenerate_key(self, name: str) -> str:
        """Give the endpoint a new key and count it as a routing change (the router re-reads it); returns the key
        it replaced."""
        with self._db.write() as conn:
            row = conn.execute("SELECT key FROM endpoints WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise NotFound(f"no endpoint named {name!r}", field="endpoint")
            conn.execute(
                "UPDATE endpoints SET key = ?, config_version = config_version + 1, updated_at = ? WHERE name = ?",
                (secrets.token_urlsafe(32), time.time(), name),
            )
        replaced: str = row[0]
        return replaced

    def claim_router_restart(self, name: str, dead_pid: int | None, stale_before: float) -> bool:
        """Take the right to start a new router in place of `dead_pid` (or of a start that never completed,
        recorded before `stale_before`); of several reconcilers racing, one wins."""
        with self._db.write() as conn:
            return (
                conn.execute(
                    "UPDATE endpoints SET pid = NULL, pid_started_at = NULL, updated_at = ? "
                    "WHERE name = ? AND pid IS ? AND (? IS NOT NULL OR updated_at < ?)",
                    (time.time(), name, dead_pid, dead_pid, stale_before),
                ).rowcount
                == 1
            )

    def record_router(self, name: str, pid: int, started_at: float, port: int) -> bool:
        """A starting router claims the endpoint; False if another router holds it."""
        with self._db.write() as conn:
            return (
                conn.execute(
                    "UPDATE endpoints SET pid = ?, pid_started_at = ?, port = ?, updated_at = ? "
                    "WHERE name = ? AND pid IS NULL",
                    (pid, started_at, port, time.time(), name),
                ).rowcount
                == 1
            )

    def routing(self, name: str) -> RoutingConfig | None:
        """The router's view of its endpoint, or None once the endpoint is deleted."""
        row = self._endpoint_row(name)
        if row is None:
            return None
        deployments = self._deployments("WHERE endpoint = ?", [name])
        return RoutingConfig(
            row[6],
            row[1],
            row[3],
            json.loads(row[5]),
            {d.name: d.port for d in deployments if d.port is not None},
            {d.name: d.status for d in deployments},
        )

    def config_version(self, name: str) -> int | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT config_version FROM endpoints WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    # -- deployments -------------------------------------------------------------------------------------------

    def add_deployment(
        self,
        endpoint: str,
        name: str,
        model_name: str,
        model_version: int,
        script: str,
        snapshot_id: str,
        user: str | None = None,
    ) -> Deployment:
        check_serving_name(name, "deployment")
        now = time.time()
        with self._db.write() as conn:
            try:
                conn.execute(
                    f"INSERT INTO deployments ({_DEPLOYMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, "
                    "?, NULL, ?, ?, ?)",
                    (
                        endpoint,
                        name,
                        model_name,
                        model_version,
                        script,
                        snapshot_id,
                        DeploymentStatus.STARTING.value,
                        user,
                        now,
                        now,
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict(
                    f"endpoint {endpoint!r} already has a deployment {name!r}; delete it first or choose another name",
                    field="deployment",
                ) from None
        return self.get_deployment(endpoint, name)

    def get_deployment(self, endpoint: str, name: str) -> Deployment:
        found = self._deployments("WHERE endpoint = ? AND name = ?", [endpoint, name])
        if not found:
            self.get_endpoint(endpoint)
            raise NotFound(f"endpoint {endpoint!r} has no deployment {name!r}", field="deployment")
        return found[0]

    def claim_deployment_restart(self, endpoint: str, name: str, dead_pid: int | None, stale_before: float) -> bool:
        """Take the right to start a new scoring process in place of `dead_pid` (or of a start that never
        completed, recorded before `stale_before`); of several reconcilers racing, one wins."""
        with self._db.write() as conn:
            return (
                conn.execute(
                    "UPDATE deployments SET pid = NULL, pid_started_at = NULL, status = ?, updated_at = ? "
                    "WHERE endpoint = ? AND name = ? AND pid IS ? AND (? IS NOT NULL OR updated_at < ?)",
                    (DeploymentStatus.STARTING.value, time.time(), endpoint, name, dead_pid, dead_pid, stale_before),
                ).rowcount
                == 1
            )

    def claim_deployment(self, endpoint: str, name: str, pid: int, started_at: float) -> bool:
        """A starting scoring process claims its deployment; False if another process holds it (or it is gone)."""
        with self._db.write() as conn:
            return (
                conn.execute(
                    "UPDATE deployments SET pid = ?, pid_started_at = ?, status = ?, error = NULL, updated_at = ? "
                    "WHERE endpoint = ? AND name = ? AND pid IS NULL",
                    (pid, started_at, DeploymentStatus.STARTING.value, time.time(), endpoint, name),
                ).rowcount
                == 1
            )

    def report_deployment(
        self,
        endpoint: str,
        name: str,
        pid: int,
        status: DeploymentStatus,
        port: int | None = None,
        error: str | None = None,
    ) -> bool:
        """The scoring process `pid` reports readiness (with its port) or failure; False if it is not the one
        recorded any more (it was replaced or deleted) and should exit."""
        with self._db.write() as conn:
            changed = (
                conn.execute(
                    "UPDATE deployments SET status = ?, port = coalesce(?, port), error = ?, updated_at = ? "
                    "WHERE endpoint = ? AND name = ? AND pid = ?",
                    (DeploymentStatus(status).value, port, error, time.time(), endpoint, name, pid),
                ).rowcount
                == 1
            )
            if changed:
                _bump(conn, endpoint)
        return changed

    def owns(self, endpoint: str, name: str, pid: int) -> bool:
        with self._db.read() as conn:
            return (
                conn.execute(
                    "SELECT 1 FROM deployments WHERE endpoint = ? AND name = ? AND pid = ?", (endpoint, name, pid)
                ).fetchone()
                is not None
            )

    def delete_deployment(self, endpoint: str, name: str) -> Deployment:
        """Remove a deployment that takes no traffic (or is the endpoint's last one, whose traffic goes with it)."""
        found = self.get_deployment(endpoint, name)
        with self._db.write() as conn:
            row = conn.execute("SELECT traffic FROM endpoints WHERE name = ?", (endpoint,)).fetchone()
            split = json.loads(row[0])
            others = conn.execute(
                "SELECT count(*) FROM deployments WHERE endpoint = ? AND name != ?", (endpoint, name)
            ).fetchone()[0]
            if split.get(name) and others:
                raise Conflict(
                    f"deployment {name!r} takes {split[name]}% of the traffic; move it to other deployments first",
                    field="deployment",
                )
            split.pop(name, None)
            conn.execute("DELETE FROM deployments WHERE endpoint = ? AND name = ?", (endpoint, name))
            conn.execute(
                "UPDATE endpoints SET traffic = ?, config_version = config_version + 1, updated_at = ? WHERE name = ?",
                (json.dumps(split), time.time(), endpoint),
            )
        return found

    # -- rows → entities ---------------------------------------------------------------------------------------

    def _endpoint_row(self, name: str) -> tuple[Any, ...] | None:
        with self._db.read() as conn:
            row: tuple[Any, ...] | None = conn.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM endpoints WHERE name = ?", (name,)
            ).fetchone()
        return row

    def _deployments(self, where: str, params: list[Any]) -> list[Deployment]:
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_DEPLOYMENT_COLUMNS} FROM deployments {where} ORDER BY endpoint, created_at, name", params
            ).fetchall()
        return [self._deployment(row) for row in rows]

    @staticmethod
    def _deployment(row: tuple[Any, ...]) -> Deployment:
        (
            endpoint,
            name,
            model,
            version,
            script,
            snapshot_id,
            port,
            pid,
            started,
            status,
            error,
            user,
            created,
            updated,
        ) = row
        return Deployment(
            endpoint,
            name,
            model,
            version,
            script,
            snapshot_id,
            port,
            pid,
            started,
            DeploymentStatus(status),
            error,
            user,
            created,
            updated,
        )

    @staticmethod
    def _endpoint(row: tuple[Any, ...], deployments: list[Deployment]) -> Endpoint:
        name, key, port, pid, started, traffic_json, version, run_id, user, created, updated = row
        traffic = json.loads(traffic_json)
        deployments = [dataclasses.replace(d, traffic=traffic.get(d.name, 0)) for d in deployments]
        url = None if port is None else f"http://127.0.0.1:{port}"
        return Endpoint(
            name,
            url,
            url and f"{url}/score",
            key,
            port,
            pid,
            started,
            traffic,
            version,
            run_id,
            user,
            created,
            updated,
            deployments,
        )


_ENDPOINT_COLUMNS = (
    "name, key, port, pid, pid_started_at, traffic, config_version, run_id, user, created_at, updated_at"
)


def _bump(conn: sqlite3.Connection, endpoint: str) -> None:
    conn.execute(
        "UPDATE endpoints SET config_version = config_version + 1, updated_at = ? WHERE name = ?",
        (time.time(), endpoint),
    )
