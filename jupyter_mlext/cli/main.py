"""The `mlext` command line: a workspace from a terminal, a script or CI, without starting Jupyter.

Each group of commands is a module of this package: runs.py (experiments, runs, artifacts, logs), compute.py
(submit, targets, server, agent), models.py (the registry), serving.py (deploy, endpoints, batch scoring),
pipelines.py, sweeps.py and workspace.py (check, backup); this module builds the parser and runs a command.

    mlext experiments list
    mlext runs search "metrics.loss < 0.2 and params.lr = 0.01" --order-by "metrics.loss ASC"
    mlext --json runs show 3fa9c2
    mlext artifacts download 3fa9c2 model --dest out/

It is a thin layer over the store and the service functions the SDK and the REST API call too: each command
makes one call and prints the result as aligned columns for a person or, with --json, as the entities'
`to_dict()` for a program (the shapes the REST API returns). Every error jupyter-mlext raises on purpose
becomes one line on stderr and exit status 1 (2 for a usage error), so scripts can test `$?` and people never see
a traceback for a typo. A command that waits for a run or a pipeline run to end exits 3 if it failed and 4 if it
was canceled (format.py, `outcome`). Reading never creates a workspace: a mistyped --workspace is reported
instead of silently becoming a new, empty one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from ..about import __version__
from ..entities import MLExtError
from . import compute, mlflow, models, pipelines, runs, serving, sweeps, workspace
from .format import Output
from .session import Session

Command = Callable[[Session, argparse.Namespace], Output]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    script_args = argv[argv.index("--") + 1 :] if "--" in argv else []  # `mlext submit train.py -- --lr 0.1`
    parser = _parser()
    args, unknown = parser.parse_known_args(argv[: len(argv) - len(script_args) - (1 if "--" in argv else 0)])
    args.script_args = script_args
    if getattr(args, "launch", None) is not None:  # `mlext server`: the Jupyter server parses its own options
        status: int = args.launch(args, unknown)
        return status
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    # The workspace is opened on a command's first use of it; `pipeline export|validate` need none.
    session = Session(args.workspace, create=getattr(args, "creates_workspace", False))
    try:
        output: Output = args.command(session, args)
    except MLExtError as error:
        return _fail(error.message)
    except BrokenPipeError:  # `mlext runs logs ID --follow | head`
        return _reader_gone()
    except OSError as error:  # e.g. a download destination that cannot be written
        return _fail(str(error))
    finally:
        session.close()
    try:
        if args.json:
            print(json.dumps(output.data, indent=2))
        elif output.text:
            print(output.text)
        sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()
    return output.exit_code


def _reader_gone() -> int:
    """The reader of our output left (`mlext runs metrics ID loss | head`): stop quietly, as a program killed
    by SIGPIPE would (exit 141), with stdout pointed at /dev/null so that the interpreter's own flush at exit does
    not print a traceback."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + 13


def _fail(message: str) -> int:
    print(f"mlext: error: {' '.join(message.splitlines())}", file=sys.stderr)
    return 1


# -- arguments ---------------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors in the one-line form of every other error (`mlext: error: …`, exit 2), with where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"mlext: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlext", description="A jupyter-mlext workspace from the terminal.")
    parser.add_argument("--version", action="version", version=f"mlext (jupyter-mlext) {__version__}")
    _add_global_options(parser, on_command=False)
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    runs.register(groups, _group, _command)
    compute.register(groups, _group, _command)
    models.register(groups, _group, _command)
    serving.register(groups, _group, _command)
    pipelines.register(groups, _group, _command)
    sweeps.register(groups, _group, _command)
    workspace.register(groups, _group, _command)
    mlflow.register(groups, _group, _command)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, on_command: bool) -> None:
    """On the top parser with their defaults; repeated on each command without any, so they may also follow it."""
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if on_command else {}
    parser.add_argument(
        "--workspace",
        metavar="PATH",
        **default,
        help="workspace directory, or a server's URL for the run commands (default: "
        "$MLEXT_TRACKING_URI, then $MLEXT_WORKSPACE, then ./.mlext)",
    )
    parser.add_argument("--json", action="store_true", **default, help="print JSON instead of tables")


def _group(groups: Any, name: str, help: str) -> Any:
    """A command group (`mlext runs …`); its actions are added with `_command`."""
    return groups.add_parser(name, help=help, description=help).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )


def _command(actions: Any, name: str, command: Command, help: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=help, description=help)
    _add_global_options(parser, on_command=True)
    parser.set_defaults(command=command)
    return parser
