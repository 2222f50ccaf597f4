"""A training script for the sweep example: takes its hyperparameters as options, logs `loss` per epoch."""

import argparse
import math

import jupyter_mlext as mlx

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--depth", type=int, default=4)
parser.add_argument("--units", type=int, default=32)
parser.add_argument("--dropout", type=float, default=0.1)
args = parser.parse_args()

run = mlx.Run.get_context()
floor = abs(math.log10(args.lr) + 2) * 0.3 + abs(args.depth - 4) * 0.05 + args.dropout * 0.2 + 8 / args.units
for epoch in range(10):
    run.log("loss", floor + 1.0 / (epoch + 1), step=epoch)
