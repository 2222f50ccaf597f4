"""The second step of the README's Python pipeline: fit a ridge regression on the `data` input (staged by the
pipeline as `inputs/data/diabetes.csv`), log its training `mse`, and write the model as the output `model`."""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge

import jupyter_mlext as mlx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=float, default=0.1)
    args = parser.parse_args()
    table = np.loadtxt("inputs/data/diabetes.csv", delimiter=",")
    features, target = table[:, :-1], table[:, -1]
    model = Ridge(alpha=args.alpha).fit(features, target)
    mse = float(((model.predict(features) - target) ** 2).mean())
    mlx.Run.get_context().log("mse", mse)
    Path("outputs/model").mkdir(parents=True, exist_ok=True)
    Path("outputs/model/model.pkl").write_bytes(pickle.dumps(model))
    print(f"trained on {len(target)} rows: mse {mse:.1f}")


if __name__ == "__main__":
    main()
