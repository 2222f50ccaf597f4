"""Fill the demo workspace with a small learning-rate sweep and a registered model, once (running it again
changes nothing)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import jupyter_mlext as mlx

sys.path.insert(0, str(Path(__file__).parent))
from train import fit  # noqa: E402

EXPERIMENT = "demo-sweep"
MODEL = "demo-regressor"


def main() -> None:
    if any(e.name == EXPERIMENT and e.run_count for e in mlx.list_experiments()):
        print(f"demo workspace already has the {EXPERIMENT!r} experiment")
        return
    with mlx.start_run(EXPERIMENT, name="lr-sweep", tags={"kind": "sweep"}) as sweep:
        for lr in (0.005, 0.02, 0.05, 0.2):
            with sweep.child(f"lr={lr}", params={"lr": lr, "epochs": 150}) as trial:
                model = fit(trial, lr, epochs=150)
                trial.log_text(json.dumps(model), "outputs/model.json")
    register_models()
    seed_pipeline()
    best = mlx.search_runs(EXPERIMENT, filter="metrics.final_mse < 1000", order_by="metrics.final_mse", max_results=1)
    print(f"seeded {EXPERIMENT!r}; best run {best[0].name} with final_mse {best[0].metrics['final_mse']:.4f}")


def register_models() -> None:
    """`demo-regressor` v1 and v2 from the second best and the best trial; `production` points at v2."""
    ranked = mlx.search_runs(EXPERIMENT, filter="metrics.final_mse < 1000", order_by="metrics.final_mse DESC")
    for run in ranked[-2:]:
        mlx.register_model(
            MODEL,
            run=run,
            path="outputs/model.json",
            framework="numpy",
            tags={"task": "regression", "lr": run.params["lr"]},
        )
    mlx.set_model_alias(MODEL, "production", 2)


PIPELINE = "demo-pipeline"
PIPELINE_SCRIPTS = {
    "prepare.py": """import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int)
args = parser.parse_args()
os.makedirs("outputs/data", exist_ok=True)
with open("outputs/data/numbers.txt", "w") as f:
    f.write(" ".join(str(i) for i in range(args.rows)))
""",
    "train.py": """import argparse, os, time
import jupyter_mlext as mlx
parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float)
args = parser.parse_args()
time.sleep(args.seconds)
numbers = [float(x) for x in open("inputs/data/numbers.txt").read().split()]
mlx.Run.get_context().log("mean", sum(numbers) / len(numbers))
os.makedirs("outputs/model", exist_ok=True)
with open("outputs/model/weight.txt", "w") as f:
    f.write(str(sum(numbers) / len(numbers)))
with open("outputs/model/trained_seconds.txt", "w") as f:
    f.write(str(args.seconds))
""",
    "baseline.py": """import os
os.makedirs("outputs/model", exist_ok=True)
with open("outputs/model/weight.txt", "w") as f:
    f.write("0")
""",
    "evaluate.py": """import jupyter_mlext as mlx
trained = float(open("inputs/model/weight.txt").read())
baseline = float(open("inputs/baseline/weight.txt").read())
mlx.Run.get_context().log("gain", trained - baseline)
""",
}


def seed_pipeline() -> None:
    """`demo-pipeline` (prepare → train and baseline → evaluate) published and run once, for the Pipelines panel.
    Its `seconds` param slows `train` down, so that a run started from the panel can be watched."""
    with tempfile.TemporaryDirectory() as folder:
        for name, text in PIPELINE_SCRIPTS.items():
            Path(folder, name).write_text(text)
        pipeline = mlx.Pipeline(
            PIPELINE,
            params={"rows": 100, "seconds": 0.1},
            source_dir=folder,
            steps=[
                mlx.Step("prepare", script="prepare.py", outputs=["data"], params={"rows": "${rows}"}),
                mlx.Step(
                    "train",
                    script="train.py",
                    inputs={"data": "prepare.data"},
                    outputs=["model"],
                    params={"seconds": "${seconds}"},
                ),
                mlx.Step("baseline", script="baseline.py", inputs={"data": "prepare.data"}, outputs=["model"]),
                mlx.Step(
                    "evaluate", script="evaluate.py", inputs={"model": "train.model", "baseline": "baseline.model"}
                ),
            ],
        )
        mlx.publish_pipeline(pipeline)
    record = mlx.run_pipeline(PIPELINE, timeout=120)
    print(f"seeded pipeline {PIPELINE!r}: run {record.run_id} {record.state}")


if __name__ == "__main__":
    main()
