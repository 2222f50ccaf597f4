"""Which variables cross from one notebook step to the next, found by static analysis of the cells' code.

A step needs a name when it reads it before binding it (in the step's top-level order); such a name is provided
by the latest earlier step that bound it or took it in, or is a pipeline param. How it reaches the step depends
on how it was bound: an import is executed again, a function or class definition is executed again (with what it
needs in turn), anything else is passed as a pickled value. A step that took a variable in and is followed by a
step that needs it passes it on, so in-place changes (`df["x"] = ...`, `model.fit(...)`) are seen downstream.
Cell comments `# mlext: inputs = a, b` and `# mlext: outputs = c` declare what analysis cannot see.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..entities import InvalidInput

_DECLARATION = re.compile(r"^\s*#\s*mlext:\s*(inputs|outputs)\s*=\s*(.*)$", re.MULTILINE)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Stand-ins the loader offers for names IPython provides in a notebook.
LOADER_NAMES = frozenset({"display"})


@dataclasses.dataclass
class StepCode:
    name: str
    source: str

    def declared(self, kind: str) -> list[str]:
        names = []
        for found_kind, text in _DECLARATION.findall(self.source):
            if found_kind == kind:
                names += [n.strip() for n in text.split(",") if n.strip()]
        return names


@dataclasses.dataclass
class StepPlan:
    name: str
    source: str
    params: list[str]
    prelude: list[str]  # imports and definitions executed again, in their original order
    loads: dict[str, list[str]]  # earlier step → the variables taken from it
    outputs: list[str] = dataclasses.field(default_factory=list)  # variables later steps take from this one
    loader_names: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class _Origin:
    kind: str  # param, import, def, var, star
    step: str | None = None
    source: str | None = None
    order: int = 0


def _source(origin: _Origin) -> str:
    """The code an import, def or star origin runs again (those are always bound with it)."""
    assert origin.source is not None, origin
    return origin.source


def plan_steps(steps: list[StepCode], params: Mapping[str, Any]) -> list[StepPlan]:
    available: dict[str, _Origin] = {name: _Origin("param") for name in params}
    stars: list[_Origin] = []
    counter = itertools.count()  # binding order across the whole notebook
    plans: list[StepPlan] = []
    for code in steps:
        tree = _parse(code)
        declared_inputs = code.declared("inputs")
        for name in declared_inputs:
            if name not in available or available[name].kind not in ("var", "param"):
                raise InvalidInput(
                    f"step {code.name!r} declares input {name!r}, which no earlier step defines",
                    field=f"steps.{code.name}",
                )
        prelude: dict[str, _Origin] = {}
        loads: dict[str, set[str]] = {}
        used_params: set[str] = set()
        loader_names: set[str] = set()
        queue = sorted(_free_in_order(tree.body) | set(declared_inputs), reverse=True)
        seen: set[str] = set()
        while queue:
            name = queue.pop()
            if name in seen:
                continue
            seen.add(name)
            origin = available.get(name)
            if origin is None:
                if name in LOADER_NAMES:
                    loader_names.add(name)
            elif origin.kind == "param":
                used_params.add(name)
            elif origin.kind in ("import", "def"):
                prelude[name] = origin
                if origin.kind == "def":
                    queue += sorted(free_names(ast.parse(_source(origin)).body[0]))
            else:
                assert origin.step is not None, origin  # only params have no step, and they are handled above
                loads.setdefault(origin.step, set()).add(name)
        ordered_prelude = sorted({*prelude.values(), *stars}, key=lambda o: o.order)
        plans.append(
            StepPlan(
                code.name,
                code.source,
                sorted(used_params),
                [_source(o) for o in ordered_prelude],
                {step: sorted(names) for step, names in loads.items()},
                loader_names=sorted(loader_names),
            )
        )
        for names in loads.values():
            for name in names:
                available[name] = _Origin("var", code.name)
        for name, origin in _bindings(tree.body, code.name, counter):
            if origin.kind == "star":
                stars.append(origin)
            else:
                available[name] = origin
        for name in code.declared("outputs"):
            available[name] = _Origin("var", code.name)
    _fill_outputs(plans, steps)
    return plans


def _fill_outputs(plans: list[StepPlan], steps: list[StepCode]) -> None:
    by_name = {plan.name: plan for plan in plans}
    outputs: dict[str, set[str]] = {plan.name: set() for plan in plans}
    for plan in plans:
        for step, names in plan.loads.items():
            outputs[step].update(names)
    for code in steps:
        outputs[code.name].update(code.declared("outputs"))
    for name, taken in outputs.items():
        by_name[name].outputs = sorted(taken)


def _parse(code: StepCode) -> ast.Module:
    try:
        return ast.parse(code.source)
    except SyntaxError as error:
        raise InvalidInput(
            f"step {code.name!r} is not valid Python (line {error.lineno} of the step): {error.msg}",
            field=f"steps.{code.name}",
        ) from None


def _bindings(body: list[ast.stmt], step: str, counter: Iterator[int]) -> list[tuple[str, _Origin]]:
    """(name, how it was bound) for each top-level binding, in order (a later one wins)."""
    found: list[tuple[str, _Origin]] = []
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                single = _one_alias(statement, alias)
                if alias.name == "*":
                    found.append(("*", _Origin("star", step, single, next(counter))))
                else:
                    found.append(
                        (alias.asname or alias.name.split(".")[0], _Origin("import", step, single, next(counter)))
                    )
        elif isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
            found.append((statement.name, _Origin("def", step, ast.unparse(statement), next(counter))))
        else:
            found += [(name, _Origin("var", step)) for name in sorted(bound_names(statement))]
    return found


def _one_alias(statement: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    if isinstance(statement, ast.Import):
        return ast.unparse(ast.Import(names=[alias]))
    return ast.unparse(ast.ImportFrom(module=statement.module, names=[alias], level=statement.level))


def _free_in_order(body: list[ast.stmt]) -> set[str]:
    """Names the statements read before they bind them."""
    bound: set[str] = set()
    free: set[str] = set()
    for statement in body:
        free |= free_names(statement) - bound
        bound |= bound_names(statement)
    return free


def bound_names(node: ast.AST) -> set[str]:
    """Names a statement binds in the scope it runs in (not those bound inside functions, classes, lambdas or
    comprehensions it contains)."""
    names: set[str] = set()

    def visit(item: ast.AST) -> None:
        if isinstance(item, ast.Name) and isinstance(item.ctx, (ast.Store, ast.Del)):
            names.add(item.id)
        elif isinstance(item, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in item.names if a.name != "*")
        elif isinstance(item, (*_FUNCTIONS, ast.ClassDef)):
            names.add(item.name)
            return
        elif isinstance(item, ast.ExceptHandler) and item.name:
            names.add(item.name)
        elif isinstance(item, (ast.Lambda, *_COMPREHENSIONS)):
            return
        for child in ast.iter_child_nodes(item):
            visit(child)

    visit(node)
    return names


def free_names(node: ast.AST) -> set[str]:
    """Names a node reads from the scope around it."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        return {node.target.id} | free_names(node.value)
    if isinstance(node, _FUNCTIONS):
        args = node.args
        outer = _union(
            free_names(n)
            for n in [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
        )
        local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        local |= _union(bound_names(s) for s in node.body)
        return outer | (_union(free_names(s) for s in node.body) - local)
    if isinstance(node, ast.Lambda):
        args = node.args
        local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        return _union(free_names(d) for d in args.defaults) | (free_names(node.body) - local)
    if isinstance(node, ast.ClassDef):
        outer = _union(free_names(n) for n in [*node.decorator_list, *node.bases, *node.keywords])
        return outer | (_union(free_names(s) for s in node.body) - _union(bound_names(s) for s in node.body))
    if isinstance(node, _COMPREHENSIONS):
        generators = node.generators
        local = _union(bound_names(g.target) for g in generators)
        results = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        parts = [*results, *(condition for g in generators for condition in g.ifs), *(g.iter for g in generators[1:])]
        return free_names(generators[0].iter) | (_union(free_names(p) for p in parts) - local)
    return _union(free_names(child) for child in ast.iter_child_nodes(node))


def _union(sets: Iterable[set[str]]) -> set[str]:
    result: set[str] = set()
    for item in sets:
        result |= item
    return result
