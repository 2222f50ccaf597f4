"""What a notebook run actually ran: the kernel's executed cells, its local modules and its installed packages.

A folder snapshot of a notebook's directory says little about a kernel's state (cells run out of order, edited
and re-run, helpers imported from elsewhere), and copying folders with a venv in them is what users of other
trackers complain about. So a `%%mlrun` run records instead:

- `cells.py`: the source of every cell executed so far in this kernel, in execution order (`# In[n]` headers);
- `cell.py`: the body of the `%%mlrun` cell itself;
- `modules.json`: each imported module that is local (outside site-packages and the standard library) with its
  file's sha256 and, when it lies in a git repository, the commit and the file's git status; the repository's
  diff of those files against that commit goes to `diffs/<repo>.diff`;
- `pip-freeze.txt`: the kernel environment's `pip freeze`, computed once per kernel (it takes a second or
  more) and again only when a site-packages folder changes (e.g. after `%pip install`);
- `manifest.json`: the notebook's name when the frontend tells it, and the Python version.

Nothing here is time-dependent, so the same kernel state gives the same files, hence the same snapshot id.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import site
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE = "jupyter_mlext"
GIT_TIMEOUT_S = 10
PIP_TIMEOUT_S = 120
SESSION_VARIABLES = ("__session__", "__vsc_ipynb_file__")  # set by JupyterLab/Notebook 7 and by VS Code


class KernelRecorder:
    """Captures the record of one kernel; one instance lives as long as the extension is loaded."""

    def __init__(self) -> None:
        self._excluded_roots = _environment_roots()
        self._local: dict[str, bool] = {}
        self._hashes: dict[tuple[str, int, int], str] = {}
        self._repo_roots: dict[str, str | None] = {}
        self._freeze = _FreezeCache(self._site_dirs())

    def start_background_work(self) -> None:
        """Begin `pip freeze` now, so the first `%%mlrun` cell does not wait for it."""
        self._freeze.start()

    def capture(self, executed_cells: Iterable[tuple[int, str]], body: str, notebook: str | None) -> dict[str, str]:
        """The record as {relative path: text}, ready to be archived."""
        modules, diffs = self._modules()
        files = {
            "cells.py": "".join(f"# In[{number}]\n{source.rstrip()}\n\n" for number, source in executed_cells),
            "cell.py": body,
            "modules.json": json.dumps(modules, indent=1, sort_keys=True) + "\n",
            "pip-freeze.txt": self._freeze.get(),
            "manifest.json": json.dumps(
                {"kind": "notebook-cell", "notebook": notebook, "python": sys.version.split()[0]},
                indent=1,
                sort_keys=True,
            )
            + "\n",
        }
        files.update({f"diffs/{name}.diff": diff for name, diff in diffs.items()})
        return files

    # -- local modules ---------------------------------------------------------------------------------------

    def _modules(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        local = []
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            if (
                name.startswith("__")
                or name == PACKAGE
                or name.startswith(PACKAGE + ".")
                or not isinstance(filename, str)
                or not self._is_local(filename)
            ):
                continue
            local.append((name, os.path.realpath(filename)))
        entries: list[dict[str, Any]] = []
        by_repo: dict[str, list[dict[str, Any]]] = {}
        for name, path in sorted(local):
            entry = {"name": name, "path": path, "sha256": self._sha256(path)}
            root = self._repo_root(os.path.dirname(path))
            if root is not None:
                by_repo.setdefault(root, []).append(entry)
            entries.append(entry)
        diffs: dict[str, str] = {}
        for root, repo_entries in sorted(by_repo.items()):
            diff = _describe_repo(root, repo_entries)
            if diff:
                diffs[_unique(Path(root).name or "repo", diffs)] = diff
        return entries, diffs

    def _is_local(self, filename: str) -> bool:
        known = self._local.get(filename)
        if known is None:
            path = os.path.realpath(filename)
            parts = set(Path(path).parts)
            known = (
                os.path.isfile(path)
                and "site-packages" not in parts
                and "dist-packages" not in parts
                and not any(path.startswith(root) for root in self._excluded_roots)
            )
            self._local[filename] = known
        return known

    def _sha256(self, path: str) -> str:
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns, stat.st_size)
        digest = self._hashes.get(key)
        if digest is None:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            self._hashes[key] = digest
        return digest

    def _repo_root(self, folder: str) -> str | None:
        if folder not in self._repo_roots:
            result = _git(folder, "rev-parse", "--show-toplevel")
            self._repo_roots[folder] = result.strip() if result is not None else None
        return self._repo_roots[folder]

    def _site_dirs(self) -> list[str]:
        paths = sysconfig.get_paths()
        folders = {paths["purelib"], paths["platlib"], *site.getsitepackages(), site.getusersitepackages()}
        return sorted(folders)


def _environment_roots() -> tuple[str, ...]:
    """Folders whose modules belong to the environment, not to the user: the interpreter's prefixes (standard
    library, venv) and the site-packages folders."""
    paths = sysconfig.get_paths()
    roots = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        paths["stdlib"],
        paths["platstdlib"],
        paths["purelib"],
        paths["platlib"],
        *site.getsitepackages(),
        site.getusersitepackages(),
    }
    return tuple(os.path.join(os.path.realpath(root), "") for root in roots if root)


def _describe_repo(root: str, entries: list[dict[str, Any]]) -> str:
    """Add the commit and each file's git status to `entries`; return the diff of those files against HEAD."""
    relative = [os.path.relpath(entry["path"], root) for entry in entries]
    commit = _git(root, "rev-parse", "HEAD")
    status_lines = _git(root, "status", "--porcelain", "--", *relative) or ""
    status = {line[3:]: line[:2].strip() for line in status_lines.splitlines()}
    for entry, path in zip(entries, relative):
        entry["git"] = {
            "repo": root,
            "commit": commit.strip() if commit else None,
            "file": path,
            "status": status.get(path, ""),
        }
    if commit is None:
        return ""
    return _git(root, "diff", "HEAD", "--", *relative) or ""


def _git(folder: str, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", folder, *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _unique(name: str, taken: dict[str, str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


class _FreezeCache:
    """`pip freeze` of this interpreter, recomputed only when a site-packages folder's mtime changes (installing
    or removing a package adds or removes entries there)."""

    def __init__(self, site_dirs: list[str]) -> None:
        self._site_dirs = site_dirs
        self._guard = threading.Lock()
        self._value: tuple[tuple[int, ...], str] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.get, name="mlext-pip-freeze", daemon=True)
        self._thread.start()

    def get(self) -> str:
        key = tuple(os.stat(folder).st_mtime_ns if os.path.isdir(folder) else 0 for folder in self._site_dirs)
        with self._guard:
            if self._value is None or self._value[0] != key:
                self._value = (key, _freeze())
            return self._value[1]


def _freeze() -> str:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, timeout=PIP_TIMEOUT_S
        )
        if result.returncode == 0:
            return result.stdout
    except (OSError, subprocess.SubprocessError):
        pass
    listed = sorted(
        {
            f"{dist.metadata['Name']}=={dist.version}"
            for dist in importlib.metadata.distributions()
            if dist.metadata["Name"]
        },
        key=str.lower,
    )
    return "# pip is not available in this environment; installed distributions:\n" + "\n".join(listed) + "\n"
