"""Notebook views of runs, made of stock ipywidgets and matplotlib PNGs only (no frontend code of ours), so
they render in JupyterLab, Notebook 7 and VS Code alike.

    mlx.LiveChart(run)                      # metrics, redrawn while the run runs
    mlx.RunDetails(run)                     # status, params, metrics, charts, log tail, outputs
    mlx.RunsTable(experiment="diabetes")    # filter, sort, pick runs, compare
    mlx.ModelRegistry("diabetes-ridge")     # models, versions, lineage, history; register from a run
    mlx.SweepView(sweep)                    # trials, best so far, parallel coordinates with brushing
"""

from .compare import RunComparison
from .live_chart import LiveChart
from .model_registry import ModelRegistry
from .run_details import RunDetails
from .runs_table import RunsTable
from .sweep_view import SweepView

__all__ = ["LiveChart", "ModelRegistry", "RunComparison", "RunDetails", "RunsTable", "SweepView"]
