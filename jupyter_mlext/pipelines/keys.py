"""The reuse key of a step: what must be unchanged for an earlier result to stand in for running it again.

key = sha256 of (the step's code, its params, the content of each input, the environment). The code is the
files of the pipeline's folder that the step would run with, except the other steps' entry files and the
pipeline definition, so editing one step's script changes that step's key only (and, through the content of its
outputs, the keys of the steps downstream, if its outputs change). The environment is the interpreter (version
and path) and the installed distributions with their versions — `pip freeze` without starting pip.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compute.snapshot import snapshot_files
from ..store import Workspace
from ..store.artifacts import read_chunks
from .definition import DEFINITION_FILES, Pipeline, Step

RUN_FOLDERS = ("inputs", "outputs")


def code_files(workspace: Workspace, pipeline: Pipeline, step: Step) -> list[str]:
    """The files of the pipeline's folder that make up this step's code (relative POSIX paths). Top-level
    `inputs/` and `outputs/` are what a step gets and makes (left there by running a script by hand), not code."""
    others = {s.entry for s in pipeline.steps if s.name != step.name and s.entry is not None}
    skipped = others.union(DEFINITION_FILES) - {step.entry}
    return [
        f
        for f in snapshot_files(pipeline.source_dir, exclude=workspace.paths.root)
        if f not in skipped and f.split("/", 1)[0] not in RUN_FOLDERS
    ]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in read_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def files_digest(entries: list[tuple[str, str]]) -> str:
    """One digest of (relative path, content sha256) pairs."""
    digest = hashlib.sha256()
    for relative, sha in sorted(entries):
        digest.update(f"{relative}\0{sha}\n".encode())
    return digest.hexdigest()


def code_digest(pipeline: Pipeline, step: Step, files: list[str]) -> str:
    """`files`: the step's `code_files`, listed once for both the key and the step's folder."""
    digests = [(f, file_digest(pipeline.source_dir / f)) for f in files]
    spec = json.dumps(
        {"kind": step.kind, "entry": step.entry, "cells": step.cells, "outputs": step.outputs}, sort_keys=True
    )
    return files_digest([*digests, ("<step>", hashlib.sha256(spec.encode()).hexdigest())])


def path_digest(path: Path) -> str:
    """The content of a file or folder given as an input."""
    if path.is_file():
        return files_digest([(path.name, file_digest(path))])
    return files_digest([(p.relative_to(path).as_posix(), file_digest(p)) for p in path.rglob("*") if p.is_file()])


@functools.cache
def environment_digest() -> str:
    """The interpreter and its installed distributions (computed once per process)."""
    installed = sorted(f"{(d.metadata['Name'] or '').lower()}=={d.version}" for d in importlib.metadata.distributions())
    text = "\n".join([sys.version, sys.executable, *installed])
    return hashlib.sha256(text.encode()).hexdigest()


def reuse_key(code: str, params: Mapping[str, Any], inputs: Mapping[str, str], environment: str) -> str:
    text = json.dumps(
        {"code": code, "params": params, "inputs": inputs, "environment": environment}, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()
