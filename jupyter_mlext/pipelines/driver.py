"""The dispatcher's part in pipelines: fire due schedules, and advance pipeline runs that nobody drives.

A run nobody drives is one that was triggered (REST, schedule, `run_pipeline(wait=False)`) or whose driving
process went away (its lease lapsed). Each tick takes the lease of each such run, advances it once and lets go,
so the run's state stays in the store between ticks and across restarts.
"""

from __future__ import annotations

import logging
import time

from ..entities import MLExtError
from ..store import Workspace
from .runner import LEASE_TTL_S, advance, lease_owner
from .schedules import due_tick
from .service import trigger_pipeline

log = logging.getLogger(__name__)


class PipelineDriver:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.pipelines = workspace.pipelines
        self.owner = lease_owner()

    def tick(self) -> None:
        """Never raises: a failing schedule or run is logged and retried on the next tick."""
        try:
            fire_due(self.workspace)
        except Exception:
            log.exception("firing pipeline schedules failed")
        for run_id in self.pipelines.unleased_running():
            if not self.pipelines.acquire_lease(run_id, self.owner, LEASE_TTL_S):
                continue
            try:
                advance(self.workspace, run_id)
            except Exception:
                log.exception("advancing pipeline run %s failed", run_id)
            finally:
                self.pipelines.release_lease(run_id, self.owner)


def fire_due(workspace: Workspace, now: float | None = None) -> list[str]:
    """Trigger every enabled schedule that is due, once each; returns the new pipeline runs' ids."""
    now = time.time() if now is None else now
    pipelines = workspace.pipelines
    started = []
    for schedule in pipelines.list_schedules(enabled_only=True):
        tick = due_tick(schedule, now)
        if tick is None or not pipelines.claim_fire(schedule.pipeline, schedule.last_fired, tick):
            continue
        try:
            record = trigger_pipeline(
                workspace,
                schedule.pipeline,
                schedule.params,
                schedule.version,
                trigger="schedule",
                user=schedule.user,
                tags={"mlext.scheduled_for": tick},
            )
        except (
            MLExtError
        ) as error:  # e.g. params the latest version no longer takes: logged; the next cron tick tries again
            log.warning("schedule of pipeline %s could not fire: %s", schedule.pipeline, error.message)
            continue
        started.append(record.run_id)
    return started
