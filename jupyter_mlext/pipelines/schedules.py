"""When cron schedules of published pipelines are due (driver.py fires them on the dispatcher's tick).

A schedule stores `last_fired`, the latest due tick it acted on. On each tick the next cron time after
`last_fired` is due if it is not in the future; then the schedule fires once, for the latest due tick, however
many ticks were missed (a server that was down for a day runs a `*/5` schedule once on restart, not 288 times).
Firing is claimed by a conditional update of `last_fired`, so two dispatchers on one workspace fire it once.
Cron expressions are read by croniter, in the server's local time zone.
"""

from __future__ import annotations

import datetime
from typing import cast

from croniter import croniter

from ..entities import InvalidInput, Schedule


def check_cron(cron: object) -> str:
    if not isinstance(cron, str) or not croniter.is_valid(cron):
        raise InvalidInput(f"cron must be a cron expression such as '*/5 * * * *', got {cron!r}", field="cron")
    return cron


def _local(timestamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp).astimezone()


def next_tick(cron: str, after: float) -> float:
    return cast(float, croniter(cron, _local(after)).get_next(float))


def due_tick(schedule: Schedule, now: float) -> float | None:
    """The latest cron time in (last_fired, now], or None if none has come."""
    following = next_tick(schedule.cron, schedule.last_fired)
    if following > now:
        return None
    return max(following, cast(float, croniter(schedule.cron, _local(now)).get_prev(float)))
