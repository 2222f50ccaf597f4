"""IPython magics: `%%mlrun` runs a notebook cell as a tracked run, `%mlrun …` lists, shows, compares and submits.

Loaded with `%load_ext jupyter_mlext` (or for every kernel through the IPython profile's
`c.InteractiveShellApp.extensions = ["jupyter_mlext"]`).
"""

from __future__ import annotations

import threading

from IPython.core.interactiveshell import InteractiveShell

from .core import MLRunMagics

__all__ = ["MLRunMagics", "load", "unload"]


def load(shell: InteractiveShell) -> None:
    """Register the magics, and start in the background what the first `%%mlrun` cell would otherwise wait for
    (`pip freeze`) or spend inside the user's loop (loading matplotlib for the live chart)."""
    magics = MLRunMagics(shell)
    shell.register_magics(magics)
    magics.recorder.start_background_work()
    threading.Thread(target=_warm_up_charts, name="mlext-chart-warm-up", daemon=True).start()


def _warm_up_charts() -> None:
    from ..widgets._draw import warm_up

    warm_up()


def unload(shell: InteractiveShell) -> None:
    magics = shell.magics_manager.registry.pop(MLRunMagics.__name__, None)
    if magics is not None:
        for table in shell.magics_manager.magics.values():
            table.pop("mlrun", None)
