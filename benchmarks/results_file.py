"""What every benchmark records beside its figures: the machine they were measured on, written to one JSON file.

Figures from these machines are noisy, so a result is only meaningful with the machine and the moment it was
taken; each benchmark reports ratios measured within one run and leaves the file for the README and issue notes.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

import jupyter_mlext


def machine(**versions: str) -> dict[str, Any]:
    """The machine, Python and library versions (`versions`: the other tools measured, by name)."""
    return {
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "jupyter_mlext": jupyter_mlext.__version__,
        **versions,
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def write_results(out: Path | None, result: dict[str, Any]) -> None:
    if out is None:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {out}")
