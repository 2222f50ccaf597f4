"""The entry of a batch-scoring job: `init()` once, then `run(data)` on each input file, results to ./outputs.

    python mlext_batch_score.py --script code/score.py --model model --inputs inputs

`batch.py` copies this file into the job's snapshot next to the scoring code, the model's files and the input
files, so the job needs nothing from the workspace and runs on any compute target. `run` receives each file's
text, as an online deployment receives a request body; its answer for `inputs/a/b.csv` is written as JSON to
`outputs/predictions/a/b.json` (the submitted run collects ./outputs as its artifacts).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from jupyter_mlext.serving.scoring import load, to_json


def output_names(files: list[Path], inputs: Path) -> list[Path]:
    """`a/b.csv` → `a/b.json`; if two inputs share a stem (b.csv, b.txt), every name keeps its suffix instead."""
    relative = [path.relative_to(inputs) for path in files]
    short = [path.with_suffix(".json") for path in relative]
    if len(set(short)) == len(short):
        return short
    return [path.with_name(path.name + ".json") for path in relative]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", required=True, type=Path)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--inputs", required=True, type=Path)
    parser.add_argument("--outputs", default=Path("outputs") / "predictions", type=Path)
    args = parser.parse_args(argv)
    init, run = load(args.script.resolve(), args.model.resolve())
    init()
    files = sorted(path for path in args.inputs.rglob("*") if path.is_file())
    started = time.perf_counter()
    for path, name in zip(files, output_names(files, args.inputs)):
        target = args.outputs / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(to_json(run(path.read_text(encoding="utf-8"))))
        print(f"scored {path.relative_to(args.inputs)} -> {target}", flush=True)
    print(f"scored {len(files)} files in {time.perf_counter() - started:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
