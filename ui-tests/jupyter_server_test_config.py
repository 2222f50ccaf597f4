"""Jupyter server configuration for the browser tests (never use it elsewhere).

Galata's helper turns off the token and XSRF checks, exposes the app as
``window.jupyterapp`` and roots the server in a fresh temporary directory.
The port is given on the command line by ``playwright.config.js``.
"""

import os
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by traitlets

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821

os.environ["MLEXT_WORKSPACE"] = mkdtemp(prefix="mlext-ui-tests-workspace-")
