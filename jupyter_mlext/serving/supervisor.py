"""Keeping a workspace's endpoints running from a long-lived process (the Jupyter server extension).

At start-up, and every RECONCILE_INTERVAL_S after, routers and scoring processes that are recorded but gone
(after a reboot, a crash or a kill) are restarted; live ones are re-attached simply by being left alone — the
store knows their pid, start time and port.
"""
from __future__ import annotations

import asyncio
import logging

from ..store import TrackingStore
from .service import reconcile

RECONCILE_INTERVAL_S = 10.0


async def keep_endpoints_running(store: TrackingStore, log: logging.Logger,
                                 interval: float = RECONCILE_INTERVAL_S) -> None:
    while True:
        try:
            restarted = await asyncio.to_thread(reconcile, store)
            if restarted:
                log.info("jupyter-mlext restarted serving processes: %s", ", ".join(restarted))
        except Exception:  # logged; the next pass retries
            log.exception("jupyter-mlext endpoint reconciliation failed")
        await asyncio.sleep(interval)
