"""`mlext workspace check|backup`: is the workspace consistent, and a copy of it taken while it is in use.

mlext workspace check                    # one line per problem; exit status 1 if there is any
mlext workspace backup /backups/ws-1     # the database through SQLite's backup API, then the files
"""

from __future__ import annotations

import argparse
from typing import Any

from ..store import maintenance
from .format import Output
from .session import Session


def register(groups: Any, group: Any, command: Any) -> None:
    """Add the `workspace` group to the parser built in main.py."""
    workspace = group(groups, "workspace", "check or back up the workspace folder")
    command(workspace, "check", _check, "SQLite's integrity check, then missing files and orphan rows")
    backup = command(workspace, "backup", _backup, "a consistent copy of the workspace while it is in use")
    backup.add_argument("destination", metavar="DEST", help="a new or empty folder outside the workspace")


def _check(session: Session, args: argparse.Namespace) -> Output:
    problems = maintenance.check(session.workspace)
    if problems:
        return Output({"problems": problems}, "\n".join(problems), exit_code=1)
    return Output({"problems": []}, f"no problems found in {session.workspace.root}")


def _backup(session: Session, args: argparse.Namespace) -> Output:
    target = maintenance.backup(session.workspace, args.destination)
    return Output({"backup": str(target)}, f"backed up {session.workspace.root} to {target}")
