"""The installed version, in a module of its own so that the server can report it without importing the package's
public face (which would make `jupyter_mlext` and `jupyter_mlext.server` import each other)."""

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built
    __version__ = "0.0.0.dev0"

__all__ = ["__version__"]
