"""The REST route table under /mlext/api (the WebSocket of live events is added by the app)."""
from __future__ import annotations

from .handlers import HealthHandler


def api_routes(prefix: str) -> list[tuple[str, type]]:
    return [(rf"{prefix}/health", HealthHandler)]
