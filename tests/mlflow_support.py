"""What tests and benchmarks that run the stock `mlflow` client need: MLflow 3 reports telemetry to the internet
unless told not to, and retries failed requests for minutes (a refused request should fail at once)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_ENABLE_ASYNC_LOGGING": "false",
}


@contextlib.contextmanager
def mlflow_env() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in QUIET}
    os.environ.update(QUIET)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
