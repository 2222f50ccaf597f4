"""Fill the demo workspace with a small learning-rate sweep and a registered model, once (running it again
changes nothing)."""
from __future__ import annotations

import json
import sys
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
    best = mlx.search_runs(EXPERIMENT, filter="metrics.final_mse < 1000", order_by="metrics.final_mse", max_results=1)
    print(f"seeded {EXPERIMENT!r}; best run {best[0].name} with final_mse {best[0].metrics['final_mse']:.4f}")


def register_models() -> None:
    """`demo-regressor` v1 and v2 from the second best and the best trial; `production` points at v2."""
    ranked = mlx.search_runs(EXPERIMENT, filter="metrics.final_mse < 1000", order_by="metrics.final_mse DESC")
    for run in ranked[-2:]:
        mlx.register_model(MODEL, run=run, path="outputs/model.json", framework="numpy",
                           tags={"task": "regression", "lr": run.params["lr"]})
    mlx.set_model_alias(MODEL, "production", 2)


if __name__ == "__main__":
    main()
