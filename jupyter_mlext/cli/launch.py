"""Starting the Jupyter server application from the CLI (`mlext server`, `mlext mlflow-server`): the one place
where the CLI reaches into server/, and where the defaults every headless start shares are applied."""

from __future__ import annotations

import os
import sys


def launch_server(server_args: list[str], workspace: str | None = None) -> int:
    """Run the server until it stops, with `server_args` (Jupyter's own options) plus our defaults: listen on
    127.0.0.1 unless told otherwise, open no browser, and as root pass --allow-root (which Jupyter requires
    then, as `make lab` does)."""
    from ..server.app import MLExtApp

    argv = list(server_args)
    if workspace:
        argv.append(f"--MLExtApp.workspace={workspace}")
    if not any(a.startswith(("--ip", "--ServerApp.ip")) for a in argv):
        argv.append("--ServerApp.ip=127.0.0.1")
    if os.geteuid() == 0 and not any(a.startswith(("--allow-root", "--ServerApp.allow_root")) for a in argv):
        print("mlext: note: running as root, so the server is started with --allow-root", file=sys.stderr)
        argv.append("--ServerApp.allow_root=True")
    argv.append("--ServerApp.open_browser=False")
    MLExtApp.launch_instance(argv)  # type: ignore[no-untyped-call]  # jupyter_server leaves it unannotated
    return 0
