"""Runs one documentation section's blocks in order: `bash` blocks in one bash process, `python` blocks (plain
code and `%mlrun`/`%%mlrun` magics alike) in one real IPython kernel, files written where a block names one.

Holds no tests (`test_docs.py` does). A failure raises `BlockFailed` whose message starts with the file, the line
and the section of the block (for bash: of the command that failed), then what the block printed.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import nbformat
from docs_blocks import Block, Section
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets.config import PyFileConfigLoader

BLOCK_TIMEOUT = 150  # seconds; a block that waits on a run, a deployment or a pipeline
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_DONE = "__mlext_docs_done__"
_FAILED = "__mlext_docs_failed__"


class BlockFailed(AssertionError):
    pass


class SectionRunner:
    """The processes of one section, started on first need and stopped at the end (use as a context manager)."""

    def __init__(self, section: Section, cwd: Path, env: dict[str, str]) -> None:
        self.section = section
        self.cwd = cwd
        self.env = env
        self.stack = ExitStack()
        self.shell: Shell | None = None
        self.kernel: Kernel | None = None

    def __enter__(self) -> SectionRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def run(self) -> None:
        for block in self.section.runnable:
            if block.target is not None:
                write_file(block, self.cwd)
            elif block.language == "bash":
                if self.shell is None:
                    self.shell = self.stack.enter_context(Shell(self.cwd, self.env))
                self.shell.run(block)
            elif block.language == "python":
                if self.kernel is None:
                    self.kernel = self.stack.enter_context(Kernel(self.cwd, self.env))
                self.kernel.run(block)
            else:
                raise BlockFailed(
                    f"{block.where()}: a ```{block.language or '(no language)'} block is neither run (python, bash, "
                    "or a language and a file name) nor marked: use ```text for output, or put "
                    "<!-- illustrative: why --> on the line before it"
                )


def write_file(block: Block, cwd: Path) -> None:
    """A block that is the content of a file: written into the working folder; a Jupyter config file is also
    loaded as jupyter_server loads it and applied to our server extension's class, so a misspelt option or a
    value of the wrong type fails here."""
    assert block.target is not None
    path = cwd / block.target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.source, encoding="utf-8")
    if path.name.startswith("jupyter_") and path.name.endswith("_config.py"):
        check_jupyter_config(block, path)


def check_jupyter_config(block: Block, path: Path) -> None:
    from jupyter_mlext.server.app import MLExtApp

    try:
        config = PyFileConfigLoader(path.name, str(path.parent)).load_config()
        known = set(MLExtApp.class_trait_names(config=True))
        unknown = sorted(set(config.get("MLExtApp", {})) - known)
        if unknown:
            raise ValueError(f"MLExtApp has no option {', '.join(unknown)} (it has {', '.join(sorted(known))})")
        MLExtApp(config=config)
    except Exception as error:  # the config file's own error, shown as the block's failure
        raise BlockFailed(f"{block.where()}: {path.name} does not load: {error}") from None


class Shell:
    """One `bash` for the section, fed each block as a sourced file under `set -eo pipefail`: a failing command
    stops the section, and its line is reported. Variables and the working folder carry over between blocks."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._send(f"set -eo pipefail; trap 'echo \"{_FAILED} $LINENO $?\"' ERR")
        self.count = 0

    def __enter__(self) -> Shell:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # type: ignore[union-attr]
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, 9)
                self.process.wait()
        else:
            self.process.wait()
        # What a block started in the background (`mlext agent &`) is in the section's process group: stop it
        # with the section, as a reader closing the terminal would.
        try:
            os.killpg(self.process.pid, 15)
        except ProcessLookupError:
            pass

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def run(self, block: Block) -> str:
        self.count += 1
        script = self.cwd / f".docs-block-{self.count}.sh"
        script.write_text(block.source, encoding="utf-8")
        self._send(f"source {script.name} </dev/null; rm -f {script.name}; echo {_DONE}")
        output: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=BLOCK_TIMEOUT)
            except queue.Empty:
                os.killpg(self.process.pid, 9)
                raise BlockFailed(
                    f"{block.where()}: bash block still running after {BLOCK_TIMEOUT} s; output:\n{''.join(output)}"
                ) from None
            if line is None:
                raise BlockFailed(f"{block.where()}: bash exited; output:\n{''.join(output)}")
            if _DONE in line:  # a marker may follow output that did not end its line (`curl` without -w '\n')
                output.append(line.split(_DONE)[0])
                return "".join(output)
            if _FAILED in line:
                printed, marker = line.split(_FAILED)
                output.append(printed)
                number, status = marker.split()
                command = block.source.splitlines()[int(number) - 1].strip()
                raise BlockFailed(
                    f"{block.where(block.line + int(number) - 1)}: `{command}` exited with status {status}; "
                    f"output of the block:\n{''.join(output)}"
                )
            output.append(line)


class Kernel:
    """One python3 kernel for the section (nbclient, as the notebook tests use it); each block is a cell."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
        self.client = NotebookClient(
            self.nb, kernel_name="python3", timeout=BLOCK_TIMEOUT, resources={"metadata": {"path": str(cwd)}}
        )
        self.env = env
        self.context: Any = None

    def __enter__(self) -> Kernel:
        self.context = self.client.setup_kernel(env=self.env)
        self.context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.context.__exit__(None, None, None)

    def run(self, block: Block) -> None:
        cell = nbformat.v4.new_code_cell(block.source)
        self.nb.cells.append(cell)
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        except CellTimeoutError:
            raise BlockFailed(f"{block.where()}: python block still running after {BLOCK_TIMEOUT} s") from None
        except CellExecutionError as error:
            raise BlockFailed(f"{block.where()}: python block raised\n{_ANSI.sub('', str(error))}") from None
