"""The `%mlrun` / `%%mlrun` magics: one IPython `Magics` class that parses and delegates."""

from __future__ import annotations

from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from .cellrun import CellRunner
from .lines import NotebookState, run_line
from .options import parse_cell_options
from .record import KernelRecorder


@magics_class
class MLRunMagics(Magics):
    """Track notebook cells as runs and look at runs from the notebook."""

    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self.state = NotebookState()
        self.recorder = KernelRecorder()
        self.runner = CellRunner(shell, self.recorder)

    @line_magic("mlrun")  # type: ignore[arg-type]  # IPython types a named magic decorator as expecting Never
    def mlrun_line(self, line: str) -> Any:
        """%mlrun experiment [NAME] | list [FILTER] | show RUN | compare RUN RUN… | submit SCRIPT [options] [-- ARGS]
        | models [NAME] | export-pipeline [NOTEBOOK] [-o DIR]

        experiment  set (or print) the experiment that %%mlrun cells of this notebook log into
        list        a RunsTable of the runs, optionally filtered ("metrics.mse < 3 and params.alpha = 0.1")
        show        RunDetails of one run (id or a unique prefix), following it live until it ends
        compare     charts of the runs' common metrics and a table of the params that differ
        submit      run a script on a compute target (--compute local by default) and follow it
        models      a ModelRegistry browser: names, versions, aliases, lineage, register from a run
        export-pipeline  write the notebook (as saved) to a pipeline folder: cells tagged step:<name> become
                    steps, the cell tagged parameters gives its params (default folder <notebook>_pipeline/);
                    without NOTEBOOK, this kernel's notebook when the frontend tells the kernel which it is
        """
        return run_line(self.state, line)

    @cell_magic("mlrun")  # type: ignore[arg-type]  # IPython types a named magic decorator as expecting Never
    def mlrun_cell(self, line: str, cell: str) -> Any:
        """%%mlrun [--experiment E] [--name N] [--param k=v]… [--tag k=v]… [--chart KEY,KEY…]

        Run the cell as a tracked run. `--param` values become variables of the cell (numbers and True/False
        typed, strings otherwise) and params of the run. Inside the cell `mlx.active_run()` is the run and
        `mlx.log(key, value)` logs into it; a live chart of its metrics (and its child runs' metrics) appears
        under the cell with the first one. stdout/stderr go to the run log too. The run's snapshot records the
        cells executed so far, the local modules imported (sha256, git status and diff) and `pip freeze`.
        An exception fails the run (traceback in its log) and is raised again; KeyboardInterrupt cancels it.
        """
        __tracebackhide__ = True  # the user's traceback starts in their cell, not here
        return self.runner.run(parse_cell_options(line), cell, self.state.experiment)
