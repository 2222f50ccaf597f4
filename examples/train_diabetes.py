"""Fit a ridge regression on scikit-learn's diabetes data, track it, and save the model for the registry.

    mlext submit examples/train_diabetes.py --experiment diabetes-ridge -- --alpha 0.1

The run gets the param `alpha` and the metrics `mse` and `r2` on a held-out quarter of the data; the fitted model
is pickled to `outputs/model/model.pkl`, which a submitted run collects as an artifact. That folder is what the
README registers (`mlx.register_model(..., path="outputs/model")`) and `examples/score.py` loads when deployed.
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

import jupyter_mlext as mlx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=float, default=0.1, help="regularisation strength (default: 0.1)")
    args = parser.parse_args()
    run = mlx.Run.get_context()
    run.log_params(alpha=args.alpha)
    features, target = load_diabetes(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=0.25, random_state=0)
    model = Ridge(alpha=args.alpha).fit(x_train, y_train)
    predictions = model.predict(x_test)
    run.log("mse", float(mean_squared_error(y_test, predictions)))
    run.log("r2", float(r2_score(y_test, predictions)))
    folder = Path("outputs/model")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.pkl").write_bytes(pickle.dumps(model))
    print(f"alpha {args.alpha}: test mse {mean_squared_error(y_test, predictions):.1f}, saved {folder / 'model.pkl'}")


if __name__ == "__main__":
    main()
