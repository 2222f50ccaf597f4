"""Jupyter server configuration for the browser tests (never use it elsewhere).

Galata's helper turns off the token and XSRF checks, exposes the app as
``window.jupyterapp`` and roots the server in a fresh temporary directory.
The port is given on the command line by ``playwright.config.js``, which
also chooses the workspace folder (``MLEXT_WORKSPACE``) so that the tests can
seed it further; the demo sweep of ``examples/seed_demo.py`` is seeded here,
before the server starts. Kernels inherit ``MLEXT_WORKSPACE``, so notebook
runs land in the same workspace.
"""

import os
import subprocess
import sys
from pathlib import Path
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by traitlets

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821

workspace = os.environ.get("MLEXT_WORKSPACE") or mkdtemp(prefix="mlext-ui-tests-workspace-")
os.environ["MLEXT_WORKSPACE"] = workspace
seed = Path(__file__).resolve().parent.parent / "examples" / "seed_demo.py"
subprocess.run([sys.executable, str(seed)], check=True, stdout=subprocess.DEVNULL)
