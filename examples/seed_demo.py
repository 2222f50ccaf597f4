"""Fill the demo workspace with a small learning-rate sweep, once (running it again changes nothing)."""
from __future__ import annotations

import sys
from pathlib import Path

import jupyter_mlext as mlx

sys.path.insert(0, str(Path(__file__).parent))
from train import fit  # noqa: E402

EXPERIMENT = "demo-sweep"


def main() -> None:
    if any(e.name == EXPERIMENT and e.run_count for e in mlx.list_experiments()):
        print(f"demo workspace already has the {EXPERIMENT!r} experiment")
        return
    with mlx.start_run(EXPERIMENT, name="lr-sweep", tags={"kind": "sweep"}) as sweep:
        for lr in (0.005, 0.02, 0.05, 0.2):
            with sweep.child(f"lr={lr}", params={"lr": lr, "epochs": 150}) as trial:
                fit(trial, lr, epochs=150)
    best = mlx.search_runs(EXPERIMENT, filter="metrics.final_mse < 1000", order_by="metrics.final_mse", max_results=1)
    print(f"seeded {EXPERIMENT!r}; best run {best[0].name} with final_mse {best[0].metrics['final_mse']:.4f}")


if __name__ == "__main__":
    main()
