"""The same limits reach the SDK and the CLI (entities/limits.py through the store's checks): a Python exception
naming the field, a one-line error with exit 1; and what a run holds is printed so that it cannot act on the
terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

import jupyter_mlext as mlx
from jupyter_mlext.cli import main
from jupyter_mlext.entities import InvalidInput
from jupyter_mlext.entities.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_VALUE_BYTES
from jupyter_mlext.store import Workspace


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ws: mlx.start_run("e", tags={"k": "a\x00b"}, workspace=ws), "tags.k"),
        (lambda ws: mlx.start_run("e", params={"k": "v" * (MAX_VALUE_BYTES + 1)}, workspace=ws), "params.k"),
        (lambda ws: mlx.start_run("e", tags={"a\x1b]0;owned\x07": 1}, workspace=ws), "tags key"),
        (lambda ws: mlx.start_run("e", name="n" * (MAX_NAME_LENGTH + 1), workspace=ws), "name"),
        (lambda ws: mlx.start_run("e\ud800", workspace=ws), "experiment"),
    ],
)
def test_the_sdk_refuses_what_the_api_refuses(workspace, call, field):
    with pytest.raises(InvalidInput) as caught:
        call(str(workspace))
    assert caught.value.field == field
    with Workspace(workspace) as ws:
        assert ws.tracking.search_runs().runs == []


def test_free_text_is_limited_in_the_store(ws):
    with pytest.raises(InvalidInput) as caught:
        ws.tracking.create_run("e", source_name="s" * (MAX_TEXT_LENGTH + 1))
    assert caught.value.field == "source_name" and str(MAX_TEXT_LENGTH) in caught.value.message
    run = ws.tracking.create_run("e")
    ended = ws.tracking.set_status(run.id, "Failed", error="line\n" * 100_000 + "the end")
    assert ended.error is not None and ended.error.endswith("the end") and len(ended.error) <= 64 * 1024


def test_the_cli_escapes_what_would_act_on_the_terminal(capsys, workspace: Path):
    with Workspace(workspace) as ws:
        run = ws.tracking.create_run("e", name="plain", tags={"note": "\x1b[2J\x1b]0;title\x07red\u202etxt.exe"})
        ws.tracking.set_status(run.id, "Failed", error="Traceback\n  \x1b[31mboom\x1b[0m")
    assert main(["--workspace", str(workspace), "runs", "show", run.id]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b[2J\\x1b]0;title\\x07red\\u202etxt.exe" in out
    assert "Traceback\n" in out and "\\x1b[31mboom" in out  # a traceback keeps its lines


def test_the_cli_reports_a_limit_in_one_line(capsys, workspace: Path):
    with Workspace(workspace) as ws:
        run = ws.tracking.create_run("e")
    code = main(["--workspace", str(workspace), "runs", "search", " or ".join(["metrics.a > 1"] * 300)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "more than 200 comparisons" in err
    assert run.id
