"""`mlext import mlflow SOURCE` (copy an MLflow tracking store into the workspace) and `mlext mlflow-server`
(the MLflow-compatible API without JupyterLab: a headless Jupyter server with only our extension, as `mlext
server`, that prints the tracking URI to give the MLflow client)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import Any

from ..mlflow_compat.importer import import_mlflow
from .format import Output
from .launch import launch_server
from .session import Session


def register(groups: Any, group: Any, command: Any) -> None:
    imports = group(groups, "import", "bring data from other tools into the workspace")
    source = command(imports, "mlflow", _import_mlflow, "import an MLflow tracking store (mlruns/ or sqlite:///…)")
    source.add_argument("source", metavar="SOURCE", help="an mlruns/ folder or a sqlite:///path/to/mlflow.db URI")
    source.set_defaults(creates_workspace=True)

    server = groups.add_parser(
        "mlflow-server",
        help="the MLflow-compatible tracking API of a workspace, without JupyterLab",
        description="Serve the workspace's MLflow-compatible API at http://127.0.0.1:PORT/mlext/mlflow (with the "
        "rest of jupyter-mlext's API); the MLflow client sends the token as MLFLOW_TRACKING_TOKEN. Other options "
        "go to the Jupyter server.",
    )
    server.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS)
    server.add_argument("--port", type=int, default=5000, help="port to listen on (default 5000)")
    server.add_argument(
        "--token", default=None, help="the token clients must send (default: $MLFLOW_TRACKING_TOKEN, else a new one)"
    )
    server.set_defaults(launch=_mlflow_server)


def _import_mlflow(session: Session, args: argparse.Namespace) -> Output:
    summary = import_mlflow(session.workspace, args.source, lambda line: print(line, file=sys.stderr, flush=True))
    return Output(vars(summary), summary.line())


def _mlflow_server(args: argparse.Namespace, server_args: list[str]) -> int:
    token = args.token or os.environ.get("MLFLOW_TRACKING_TOKEN") or secrets.token_urlsafe(24)
    argv = [*server_args, f"--ServerApp.port={args.port}", f"--IdentityProvider.token={token}"]
    argv.append("--ServerApp.port_retries=0")
    if not args.token and not os.environ.get("MLFLOW_TRACKING_TOKEN"):
        print(f"MLFLOW_TRACKING_TOKEN={token}", file=sys.stderr)
    print(f"MLFLOW_TRACKING_URI=http://127.0.0.1:{args.port}/mlext/mlflow", file=sys.stderr, flush=True)
    return launch_server(argv, getattr(args, "workspace", None))
