"""What a newcomer meets first: `--version`, a help text for every positional argument, usage errors in the
same one-line form as every other error, a cancel of a finished run refused with a non-zero status, and an
endpoint's deletion that says what it did."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlext.about import __version__
from jupyter_mlext.cli import main
from jupyter_mlext.cli.main import _parser
from jupyter_mlext.store import Workspace

MLEXT = str(Path(sys.executable).with_name("mlext"))


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("mlext",)):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))
    yield path, parser


def test_version():
    done = subprocess.run([MLEXT, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"mlext (jupyter-mlext) {__version__}"


def test_every_positional_argument_says_what_it_is():
    undescribed = [
        f"{' '.join(path)} {action.metavar or action.dest}"
        for path, parser in commands(_parser())
        for action in parser._actions
        if not action.option_strings and not isinstance(action, argparse._SubParsersAction) and not action.help
    ]
    assert undescribed == []
    assert len(list(commands(_parser()))) > 40  # the walk reached the commands


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["runs", "shwo"], "invalid choice: 'shwo'"),
        (["runs", "show"], "the following arguments are required: RUN"),
        (["runs", "list", "--max", "many"], "invalid int value: 'many'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_are_one_line_exit_2_and_say_where_to_look(args, words):
    done = subprocess.run([MLEXT, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("mlext: error: ") and words in done.stderr
    assert "--help`)" in done.stderr


def test_canceling_a_finished_run_says_so_and_fails(capsys, workspace):
    with Workspace(workspace) as ws:
        run = ws.tracking.create_run("e")
        ws.tracking.set_status(run.id, "Completed")
    assert main(["--workspace", str(workspace), "runs", "cancel", run.id]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has already ended (Completed)" in err


def test_server_help_is_honest_about_what_it_starts(capsys):
    with pytest.raises(SystemExit):
        main(["server", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "other server extensions enabled in this environment" in text and "--allow-root" in text
