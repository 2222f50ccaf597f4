"""The shape of the package holds (docs/architecture.md): no import cycle between modules or between packages,
no file outside store/ mentions SQLite, the store's connection, its locks or its writer (`sqlite3`, `db.conn`,
`_lock`, `_write`), and no code reads another object's private attributes. The allowed direction of imports
between packages is checked by import-linter (its contracts are in pyproject.toml; `make test` runs
`lint-imports`)."""

from __future__ import annotations

import re
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_mlext"
STORE_ONLY = re.compile(r"sqlite3|db\.conn|_lock|_write|\bDatabase\b")
# `x._name` where x is not the object itself (self, cls, or `other` in a comparison of two of the same class);
# `os._exit` is the standard library's public spelling.
FOREIGN_PRIVATE = re.compile(r"\b(?!self\b|cls\b|other\b|os\b)[A-Za-z_]\w*\._[a-z]\w*")


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of nodes that reach each other (a cycle is a group of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("jupyter_mlext")
    return {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}


def test_no_module_imports_itself_through_others():
    cycles = [sorted(group) for group in strongly_connected(imports()) if len(group) > 1]
    assert cycles == []


def test_no_package_imports_itself_through_others():
    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for module, targets in imports().items():
        graph.setdefault(package(module), set()).update(package(t) for t in targets if package(t) != package(module))
    graph.pop("jupyter_mlext", None)  # the package's own __init__ only re-exports
    for targets in graph.values():
        targets.discard("jupyter_mlext")
    cycles = [sorted(group) for group in strongly_connected(graph) if len(group) > 1]
    assert cycles == []


def test_the_cycle_finder_finds_cycles():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}, {"d"}]


def test_only_the_store_touches_sqlite_its_connection_or_its_locks():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "store" not in path.relative_to(PACKAGE).parts[:1]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if STORE_ONLY.search(line)
    ]
    assert offenders == []


def test_no_code_reads_another_objects_privates():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FOREIGN_PRIVATE.search(line.split("#")[0]) and not line.lstrip().startswith(("from ", "import "))
    ]
    assert offenders == []
