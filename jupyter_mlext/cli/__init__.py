"""The `mlext` command line (main.py builds it; one module per command group)."""

from .main import main

__all__ = ["main"]
