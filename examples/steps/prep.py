"""The first step of the README's Python pipeline: the first `--rows` rows of scikit-learn's diabetes data, as
`outputs/data/diabetes.csv` (the step's declared output `data`; the last column is the target)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=442)
    args = parser.parse_args()
    features, target = load_diabetes(return_X_y=True)
    table = np.column_stack([features, target])[: args.rows]
    Path("outputs/data").mkdir(parents=True, exist_ok=True)
    np.savetxt("outputs/data/diabetes.csv", table, delimiter=",")
    print(f"wrote {len(table)} rows")


if __name__ == "__main__":
    main()
