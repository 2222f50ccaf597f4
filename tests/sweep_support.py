"""Shared by the sweep tests (this module holds no tests): a training script whose loss depends on its
`--quality`, and helpers to read what a sweep did."""

from __future__ import annotations

import time
from pathlib import Path

import psutil

TRAIN = """
import argparse, os, time
import jupyter_mlext as mlx

parser = argparse.ArgumentParser()
parser.add_argument("--quality", default="good")
parser.add_argument("--x", type=float, default=None)
parser.add_argument("--pids", default=None)
parser.add_argument("--silent", action="store_true")
args, _ = parser.parse_known_args()
if args.pids:
    with open(os.path.join(args.pids, str(os.getpid())), "w") as f:
        f.write(args.quality)
run = mlx.Run.get_context()
loss = {"good": 0.1, "fair": 0.2, "bad": 1.0}[args.quality] if args.x is None else (args.x - 0.3) ** 2
steps, pause = (400, 0.25) if args.quality == "bad" else (20, 0.01)
for step in range(steps):
    if not args.silent:
        run.log("loss", loss + 0.001 * (step % 3), step=step)
        run.flush()
    time.sleep(pause)
"""


def make_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(TRAIN)
    (folder / "pids").mkdir(exist_ok=True)
    return folder


def pids_of(project: Path, quality: str) -> list[int]:
    """The pids of the trial scripts that ran with `quality`."""
    return [int(p.name) for p in (project / "pids").iterdir() if p.read_text() == quality]


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(predicate, timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached in time"
        time.sleep(0.1)
