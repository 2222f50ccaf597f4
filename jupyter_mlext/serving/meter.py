"""Request counts and latencies of an endpoint, gathered in memory and logged as metrics of the endpoint's run.

Recording a request is a list append; the store sees one batch per interval (in a worker thread), never a
write per request.
"""

from __future__ import annotations

import time
from collections import Counter

PERCENTILES = (("latency_ms_p50", 0.50), ("latency_ms_p90", 0.90), ("latency_ms_p99", 0.99))


class Meter:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._latencies: list[float] = []
        self._by_deployment: Counter[str] = Counter()
        self._server_errors = 0
        self._client_errors = 0
        self._since = time.monotonic()

    def record(self, deployment: str | None, status: int, seconds: float) -> None:
        self._latencies.append(seconds)
        if deployment is not None:
            self._by_deployment[deployment] += 1
        if status >= 500:
            self._server_errors += 1
        elif status >= 400:
            self._client_errors += 1

    def drain(self) -> list[tuple[str, float, None, float]]:
        """The metric points of the interval since the last drain (none if no request came), and a fresh start."""
        now = time.monotonic()
        latencies, by_deployment = sorted(self._latencies), self._by_deployment
        server_errors, client_errors, elapsed = self._server_errors, self._client_errors, now - self._since
        self._reset()
        if not latencies:
            return []
        stamp = time.time()
        points = [
            ("requests", len(latencies)),
            ("requests_per_s", len(latencies) / max(elapsed, 1e-9)),
            ("errors_5xx", server_errors),
            ("errors_4xx", client_errors),
        ]
        points += [
            (key, 1000.0 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]) for key, q in PERCENTILES
        ]
        points += [(f"requests.{name}", count) for name, count in sorted(by_deployment.items())]
        return [(key, float(value), None, stamp) for key, value in points]
