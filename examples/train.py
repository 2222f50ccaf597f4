"""Fit a linear model by gradient descent and track it with jupyter-mlext.

    python examples/train.py --lr 0.05 --epochs 200

Run as a plain script it logs into an offline run (`mlx.Run.get_context()`); submitted to a compute target it
logs into the submitted run. Either way the run gets the params, one `mse` point per epoch, a plot, and the
fitted model in `outputs/model.json` (a submitted run collects `./outputs` as artifacts while it runs).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import jupyter_mlext as mlx  # noqa: E402


def make_data(seed: int = 0, n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 3))
    target = features @ np.array([2.0, -1.0, 0.5]) + 3.0 + rng.normal(scale=0.3, size=n)
    return features, target


def fit(run: mlx.Run, lr: float, epochs: int, seed: int = 0) -> dict[str, object]:
    """Train and log; returns the fitted model and its final mean squared error."""
    features, target = make_data(seed)
    weights, bias = np.zeros(features.shape[1]), 0.0
    for epoch in range(epochs):
        error = features @ weights + bias - target
        weights -= lr * 2 * features.T @ error / len(target)
        bias -= lr * 2 * error.mean()
        run.log("mse", float((error**2).mean()), step=epoch)
        if epoch % 50 == 0:
            print(f"epoch {epoch}: mse {float((error**2).mean()):.4f}", flush=True)
    mse = float(((features @ weights + bias - target) ** 2).mean())
    run.log("final_mse", mse)
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.scatter(target, features @ weights + bias, s=4)
    axes.set(xlabel="target", ylabel="prediction", title=f"lr={lr}")
    run.log_figure(figure, "predictions.png", dpi=80)
    plt.close(figure)
    return {"weights": weights.tolist(), "bias": bias, "mse": mse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    run = mlx.Run.get_context()
    run.log_params(lr=args.lr, epochs=args.epochs)
    model = fit(run, args.lr, args.epochs)
    Path("outputs").mkdir(exist_ok=True)
    Path("outputs/model.json").write_text(json.dumps(model, indent=1))
    print(f"final mse {model['mse']:.4f}")


if __name__ == "__main__":
    main()
