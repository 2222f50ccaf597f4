"""Every code block of README.md and docs/*.md runs as written, the way a reader following the document runs it.

The rules (README's Development section says the same):

- **What runs.** ```` ```python ```` blocks — plain code and `%mlrun`/`%%mlrun` magics alike — run as cells of a
  real python3 kernel (nbclient); ```` ```bash ```` blocks run in bash under `set -eo pipefail`, so every command
  must succeed unless the block handles its failure itself (`cmd || echo "refused: $?"`). A fence whose info
  string names a file after the language (```` ```python jupyter_server_config.py ````) is that file: it is
  written into the working folder, and a Jupyter config file is loaded and applied to the server extension.
- **What does not.** ```` ```text ```` (an output sample) and a block right after `<!-- illustrative: why -->`
  (it would start a long-lived server, install packages, …). These are listed in `ILLUSTRATIVE` below, so adding
  one is a visible decision; keep them rare. Any other fence fails.
- **Order and state.** A `##` section is one test: its blocks run in document order in one kernel and one shell,
  so a later block of a section may use the variables, functions and shell variables of earlier ones; nothing
  crosses sections. The sections of a file run in order against one workspace and one server, like a reader
  going down the page: a section may use runs, models and files that an earlier one made (run the whole file to
  debug one of them).
- **Where.** The working folder is a fresh copy of this repository's files (a "clone") whose workspace is the
  default `./.mlext`; `mlext server` serves it (dispatcher included) with that folder as its root. On PATH first:
  the bin folder of the Python running the tests (`mlext`, `python3`, `jupyter`). The environment gives what a
  reader is told to set: `$SERVER` (the server's URL) and `$TOKEN` (its token); no `MLEXT_*` variable.

A failing block's message starts with `FILE:LINE (section "…")` — the command's own line for bash — then what it
printed, so whoever merges a new section can fix it from the test report alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from docs_blocks import Section, documents, read_sections
from docs_runner import SectionRunner
from mlext_server import REPO, TOKEN, Server

from jupyter_mlext.serving import service
from jupyter_mlext.store import Workspace

SECTIONS: list[Section] = [section for path in documents(REPO) for section in read_sections(path, REPO)]

# Every block that is not run, by file and first line, with why. A new one fails `test_illustrative_blocks_are_few`
# until it is added here: make it runnable if at all possible.
ILLUSTRATIVE: dict[tuple[str, str], str] = {
    (
        "README.md",
        "make lab     # sets up .venv (editable install + frontend build), seeds demo/workspace, starts JupyterLab",
    ): "make lab serves JupyterLab until stopped; make test is the whole suite, this test included",
    (
        "docs/architecture.md",
        "server/      the Jupyter server extension: app.py (composition root), routes.py, "
        "handlers/<area>.py, events.py,",
    ): "a diagram of the Python package's layers",
    ("docs/architecture.md", "index.ts, tokens.ts            plugins and the IMLExt token"): "a diagram of src/",
}


def _clone(destination: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked and new, not ignored): what the README's
    `examples/…` paths are relative to."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """The clone, its server, and the environment of a reader's terminal and kernel."""
    clone = _clone(tmp_path_factory.mktemp("docs") / "clone")
    server = Server(clone / ".mlext", clone)
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLEXT_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO),
        SERVER=server.url,
        TOKEN=TOKEN,
    )
    yield clone, env
    server.stop()
    _stop_endpoints(clone / ".mlext")


def _stop_endpoints(folder: Path) -> None:
    """Endpoints outlive the server by design: stop those a failed section left behind."""
    if not folder.exists():
        return
    with closing(Workspace(folder)) as workspace:
        for endpoint in service.list_endpoints(workspace):
            service.delete_endpoint(workspace, endpoint.name)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    "section",
    [section for section in SECTIONS if section.runnable],
    ids=lambda section: f"{section.file}::{section.title}",
)
def test_section_runs_as_written(section: Section, reader):
    clone, env = reader
    with SectionRunner(section, clone, env) as runner:
        runner.run()


def test_illustrative_blocks_are_few_and_listed():
    found = {
        (block.file, block.first_line): block for section in SECTIONS for block in section.blocks if block.illustrative
    }
    unlisted = [block for key, block in found.items() if key not in ILLUSTRATIVE]
    stale = [key for key in ILLUSTRATIVE if key not in found]
    assert not unlisted, "blocks not run and not in ILLUSTRATIVE (make them runnable, or list them):\n" + "\n".join(
        f"  {block.where()}: {block.first_line} ({block.illustrative})" for block in unlisted
    )
    assert not stale, f"ILLUSTRATIVE lists blocks the documents no longer have: {stale}"
    assert len(found) <= 5, f"{len(found)} illustrative blocks; keep them rare"


def test_the_documents_have_runnable_blocks_in_each_language():
    """The runner finds what it should: a parse that lost the fences would pass every other test here."""
    languages = {(block.language, block.target is not None) for s in SECTIONS for block in s.runnable}
    assert {("python", False), ("bash", False), ("python", True)} <= languages
    magics = [block for s in SECTIONS for block in s.runnable if block.source.lstrip().startswith("%")]
    assert magics, "no %mlrun / %%mlrun block found"
