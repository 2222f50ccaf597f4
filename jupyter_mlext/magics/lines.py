"""The `%mlrun` line commands: each parses its words, makes one SDK call and returns a widget (which IPython shows
as the cell's result, and which `w = %mlrun show …` keeps), or prints one line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError

from ..entities import MLExtError
from ..sdk import run as sdk
from ..store.validation import check_name
from .options import parse_run_ids, parse_submit, split_words, strip_comment


class NotebookState:
    """What the line commands remember for this kernel: the experiment `%%mlrun` cells log into by default."""

    def __init__(self) -> None:
        self.experiment: str | None = None


USAGE = (
    "%mlrun experiment [NAME] | list [FILTER] | show RUN | compare RUN RUN… | submit SCRIPT [--compute T] "
    "[--experiment E] [--name N] [--param k=v]… [--source-dir DIR] [--timeout S] [-- ARGS…] | models [NAME] "
    "| export-pipeline [NOTEBOOK] [-o DIR]"
)


def run_line(state: NotebookState, line: str) -> Any:
    """Dispatch `%mlrun COMMAND …`; a trailing `# comment` (outside quotes) is not part of the command."""
    command, _, rest = strip_comment(line).strip().partition(" ")
    handler = _HANDLERS.get(command)
    if handler is None:
        what = f"unknown command {command!r}" if command else "a command is needed"
        raise UsageError(f"%mlrun: {what} (usage: {USAGE})")
    try:
        return handler(state, rest.strip())
    except MLExtError as error:
        raise UsageError(f"%mlrun {command}: {error.message}") from None


def _experiment(state: NotebookState, rest: str) -> None:
    words = split_words(rest, "%mlrun experiment")
    if len(words) > 1:
        raise UsageError("%mlrun experiment: give one name (quote a name with spaces)")
    if words:
        state.experiment = check_name(words[0], "experiment")
        print(f"%%mlrun cells now log into experiment {state.experiment!r}")
    else:
        print(f"%%mlrun cells log into experiment {state.experiment or sdk.DEFAULT_EXPERIMENT!r}")


def _list(state: NotebookState, rest: str) -> Any:
    """`%mlrun list [FILTER]`: the filter is the rest of the line, in the search language (quotes included)."""
    from ..widgets import RunsTable

    run_filter = rest or None
    experiment = state.experiment if state.experiment in {e.name for e in sdk.list_experiments()} else None
    sdk.search_runs(experiment, filter=run_filter, max_results=1)  # a malformed filter fails here, in one line
    return RunsTable(experiment=experiment, filter=run_filter)


def _show(state: NotebookState, rest: str) -> Any:
    from ..widgets import RunDetails

    words = parse_run_ids(split_words(rest, "%mlrun show"), "%mlrun show", at_least=1)
    if len(words) > 1:
        raise UsageError("%mlrun show: give one run id (usage: %mlrun show RUN)")
    return RunDetails(sdk.get_run(words[0]))


def _compare(state: NotebookState, rest: str) -> Any:
    from ..widgets import RunComparison

    run_ids = parse_run_ids(split_words(rest, "%mlrun compare"), "%mlrun compare", at_least=2)
    return RunComparison([sdk.get_run(run_id) for run_id in run_ids])


def _submit(state: NotebookState, rest: str) -> Any:
    from ..widgets import RunDetails

    options = parse_submit(split_words(rest, "%mlrun submit"))
    run = sdk.submit(
        options.script,
        options.args,
        compute=options.compute,
        experiment=options.experiment or state.experiment,
        name=options.name,
        params=options.params,
        source_dir=options.source_dir,
        timeout=options.timeout,
    )
    return RunDetails(run)


def _models(state: NotebookState, rest: str) -> Any:
    """`%mlrun models [NAME]`: the registry browser, on model NAME if given."""
    from ..widgets import ModelRegistry

    words = split_words(rest, "%mlrun models")
    if len(words) > 1:
        raise UsageError("%mlrun models: give at most one model name (quote a name with spaces)")
    return ModelRegistry(words[0] if words else None)


EXPORT_USAGE = "%mlrun export-pipeline [NOTEBOOK] [-o DIR]"


def _export_pipeline(state: NotebookState, rest: str) -> None:
    """`%mlrun export-pipeline [NOTEBOOK] [-o DIR]`: write the notebook's pipeline folder (as the notebook was last
    saved). Without NOTEBOOK, the kernel's own notebook, when its frontend told the kernel which one it is."""
    from ..pipelines.definition import Pipeline
    from ..pipelines.export import export_notebook

    notebook, out_dir = _export_words(split_words(rest, "%mlrun export-pipeline"))
    folder = export_notebook(notebook if notebook is not None else _current_notebook(), out_dir)
    steps = [step.name for step in Pipeline.load(folder).steps]
    shown = os.path.relpath(folder) if folder.resolve().is_relative_to(Path.cwd().resolve()) else str(folder)
    print(f"wrote {shown}/ ({len(steps)} steps: {', '.join(steps)}); run it with: mlext pipeline run {shown}")


def _export_words(words: list[str]) -> tuple[str | None, str | None]:
    notebook: str | None = None
    out_dir: str | None = None
    position = 0
    while position < len(words):
        word = words[position]
        if word in ("-o", "--out"):
            if position + 1 == len(words):
                raise UsageError(f"%mlrun export-pipeline: {word} needs a folder (usage: {EXPORT_USAGE})")
            out_dir = words[position + 1]
            position += 2
            continue
        if word.startswith("-"):
            raise UsageError(f"%mlrun export-pipeline: unknown option {word!r} (usage: {EXPORT_USAGE})")
        if notebook is not None:
            raise UsageError(f"%mlrun export-pipeline: give one notebook (usage: {EXPORT_USAGE})")
        notebook = word
        position += 1
    return notebook, out_dir


def _current_notebook() -> Path:
    """The kernel's notebook: VS Code puts its path in `__vsc_ipynb_file__`; jupyter_server in JPY_SESSION_NAME (a
    path, absolute or relative to the kernel's folder). A kernel is not otherwise told, so then it must be given."""
    from IPython import get_ipython

    shell = get_ipython()
    candidates = [
        shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None,
        os.environ.get("JPY_SESSION_NAME"),
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            for path in (Path(candidate), Path(Path(candidate).name)):
                if path.is_file():
                    return path
    raise UsageError(
        "%mlrun export-pipeline: this kernel does not know which notebook it runs; give its path "
        f"(usage: {EXPORT_USAGE})"
    )


_HANDLERS: dict[str, Callable[[NotebookState, str], Any]] = {
    "experiment": _experiment,
    "list": _list,
    "show": _show,
    "compare": _compare,
    "submit": _submit,
    "models": _models,
    "export-pipeline": _export_pipeline,
}
