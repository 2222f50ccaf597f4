"""Shared by the pipeline tests (this module holds no tests): a small project folder of three scripts whose
outputs feed each other, and helpers to read what a pipeline run did."""

from __future__ import annotations

from pathlib import Path

from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.store import Workspace
from jupyter_mlext.store.pipelines import PipelineRun

PREP = """
import os, sys
scale = float(sys.argv[sys.argv.index("--scale") + 1])
os.makedirs("outputs/data", exist_ok=True)
with open("outputs/data/numbers.txt", "w") as f:
    f.write(" ".join(str(i * scale) for i in range(10)))
"""

TRAIN = """
import os, sys
alpha = float(sys.argv[sys.argv.index("--alpha") + 1])
numbers = [float(x) for x in open("inputs/data/numbers.txt").read().split()]
os.makedirs("outputs/model", exist_ok=True)
with open("outputs/model/weights.txt", "w") as f:
    f.write(str(sum(numbers) * alpha))
"""

EVALUATE = """
import jupyter_mlext as mlx
weight = float(open("inputs/model/weights.txt").read())
mlx.Run.get_context().log("score", weight)
"""


def make_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("prep.py", PREP), ("train.py", TRAIN), ("evaluate.py", EVALUATE)):
        (folder / name).write_text(text)
    return folder


def three_steps(folder: Path, compute: str = "local") -> Pipeline:
    """prep → train → evaluate, with the pipeline params `scale` (prep) and `alpha` (train)."""
    return Pipeline(
        "numbers",
        params={"scale": 1.0, "alpha": 0.5},
        source_dir=folder,
        steps=[
            Step("prep", script="prep.py", outputs=["data"], params={"scale": "${scale}"}, compute=compute),
            Step(
                "train",
                script="train.py",
                inputs={"data": "prep.data"},
                outputs=["model"],
                params={"alpha": "${alpha}"},
                compute=compute,
            ),
            Step("evaluate", script="evaluate.py", inputs={"model": "train.model"}, compute=compute),
        ],
    )


def states(record: PipelineRun) -> dict[str, str]:
    return {step.step: step.state for step in record.steps}


def child(ws: Workspace, record: PipelineRun, step: str):
    return ws.tracking.get_run(record.step(step).child_run_id)
