"""The sizes the workspace takes, in one place: the store's checks (and so the SDK and the CLI), the server's
request guard and api/openapi.yaml (`maxLength` of the named strings; tests/test_wire_shapes.py checks that the
document and these numbers agree) all use them."""

from __future__ import annotations

MAX_NAME_LENGTH = 250
"""Experiment, run, metric, param, tag, model, alias, endpoint and target names, in characters."""

MAX_VALUE_BYTES = 8 * 1024
"""A param, tag or property value, in bytes of UTF-8."""

MAX_TEXT_LENGTH = 1000
"""Short free text a run records about itself: user, source type and name, git commit."""

MAX_PATH_LENGTH = 1024
"""A path inside a run's folder, a workspace or the Jupyter root, in characters."""

MAX_ERROR_LENGTH = 64 * 1024
"""A run's error text (a traceback), in characters."""

MAX_STRING_LENGTH = 1024 * 1024
"""Any other string of a request (a cell's source), in characters."""

MAX_LIST_ITEMS = 100_000
"""Items of any list or members of any object in a request (metric points of one batch)."""

MAX_JSON_DEPTH = 32
"""Nesting of objects and lists in a request body."""

MAX_BODY_BYTES = 16 * 1024 * 1024
"""A JSON request body (file uploads stream and are not limited by this)."""

MAX_QUERY_LENGTH = 16 * 1024
"""A query parameter's value (a filter included), in characters."""

MAX_FILTER_CONDITIONS = 200
"""Comparisons in one search filter."""

MAX_FILTER_NESTING = 20
"""Parentheses and `not`s nested in one search filter."""

MAX_IN_VALUES = 1000
"""Values of one `in (…)` list of a search filter."""

INT64_MAX = 2**63 - 1
"""The largest integer SQLite stores (steps, cursors, versions)."""
