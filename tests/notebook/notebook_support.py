"""Shared by the notebook tests (this module holds no tests): execute a notebook on a real `python3` kernel with
nbclient, in a given folder and workspace, and read back its outputs and the widget state it saved."""

from __future__ import annotations

import base64
import io
import os
import struct
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

from jupyter_mlext.store import Workspace

REPO = Path(__file__).resolve().parents[2]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def notebook(*cells: str) -> NotebookNode:
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )


def execute(
    nb: NotebookNode,
    workspace: Path,
    cwd: Path,
    *,
    allow_errors: bool = False,
    timeout: int = 120,
    kernel_args: list[str] | None = None,
) -> NotebookNode:
    """Run every cell on a fresh kernel whose MLEXT_WORKSPACE is `workspace`; returns the executed notebook."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLEXT_")}
    env.update(MLEXT_WORKSPACE=str(workspace), PYTHONPATH=str(REPO))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        allow_errors=allow_errors,
        extra_arguments=kernel_args or [],
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute(env=env)
    return nb


def streams(cell: NotebookNode, name: str) -> str:
    return "".join(out.text for out in cell.outputs if out.output_type == "stream" and out.name == name)


def errors(cell: NotebookNode) -> list[NotebookNode]:
    return [out for out in cell.outputs if out.output_type == "error"]


def widget_states(nb: NotebookNode) -> dict[str, dict[str, Any]]:
    return nb.metadata["widgets"][WIDGET_STATE]["state"]


def displayed_widgets(cell: NotebookNode) -> list[str]:
    """Model ids of the widgets a cell displayed (as display data or as its result)."""
    return [
        out.data[WIDGET_VIEW]["model_id"]
        for out in cell.outputs
        if out.output_type in ("display_data", "execute_result") and WIDGET_VIEW in out.get("data", {})
    ]


def widget_tree(nb: NotebookNode, model_id: str) -> Iterator[dict[str, Any]]:
    """The model and every model under it (children and layouts), depth first."""
    states = widget_states(nb)
    model = states[model_id]
    yield model
    for value in model["state"].values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                yield from widget_tree(nb, item.removeprefix("IPY_MODEL_"))


def html_values(nb: NotebookNode, model_id: str) -> str:
    """All text of the HTML widgets under a model, joined: what a person reads in it."""
    return "\n".join(
        model["state"]["value"] for model in widget_tree(nb, model_id) if model["model_name"] == "HTMLModel"
    )


def png_sizes(nb: NotebookNode, model_id: str) -> list[int]:
    """Sizes (base64 characters) of the PNG images under a model that hold a picture."""
    return [
        len(buffer["data"])
        for model in widget_tree(nb, model_id)
        if model["model_name"] == "ImageModel"
        for buffer in model.get("buffers", [])
        if buffer["path"] == ["value"]
    ]


def chart_sizes(nb: NotebookNode, model_id: str) -> list[tuple[int, str, str]]:
    """For each PNG image under a model that holds a picture: its width in pixels (from the PNG header), and the
    CSS width and max-width of its layout, i.e. how many pixels it has and at most how wide it is shown."""
    states = widget_states(nb)
    sizes = []
    for model in widget_tree(nb, model_id):
        if model["model_name"] != "ImageModel":
            continue
        for buffer in model.get("buffers", []):
            if buffer["path"] == ["value"]:
                png = base64.b64decode(buffer["data"])
                layout = states[model["state"]["layout"].removeprefix("IPY_MODEL_")]["state"]
                sizes.append((struct.unpack(">I", png[16:20])[0], layout.get("width"), layout.get("max_width")))
    return sizes


def snapshot_files(ws: Workspace, snapshot_id: str) -> dict[str, str]:
    with tarfile.open(fileobj=io.BytesIO(ws.snapshots.read(snapshot_id)), mode="r:gz") as archive:
        return {
            member.name: archive.extractfile(member).read().decode()
            for member in archive.getmembers()
            if member.isfile()
        }
