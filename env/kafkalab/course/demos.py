"""That nothing the grader runs depends on a demonstration it skips.

The grader does not run the cells an instructor marked ``{"kafkalab": {"demo": true}}``
(:data:`kafkalab.course.nbcheck.DEMO_KEY`). A cell it does run must then not read a name that
only a skipped demonstration defines: it would fail with a NameError in every submission.
:func:`dependency_problems` finds such reads statically (top-level names bound by each cell,
names each cell reads before binding them); what a demonstration does to the cluster is checked
by grading the solution itself (tests/grading/test_answer_fixtures.py).
"""

from __future__ import annotations

import ast
import builtins

from nbformat import NotebookNode

from .nbcheck import is_demo, nbgrader_meta

__all__ = ["bound_names", "dependency_problems", "free_names"]

_BUILTINS = frozenset(dir(builtins))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _parse(source: str) -> ast.Module | None:
    """The cell's Python, without IPython's magic and shell lines; None if it does not parse."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _walk_outside_scopes(node: ast.AST):  # noqa: ANN202 - a generator of nodes
    """The nodes of ``node`` that run in the cell's own (global) scope."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _SCOPES):
            if not isinstance(child, ast.Lambda):
                yield child  # its name is bound here; its body is not walked
            continue
        if isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            yield from (n for g in child.generators for n in ast.walk(g.iter))
            continue
        yield child
        yield from _walk_outside_scopes(child)


def bound_names(source: str) -> set[str]:
    """Names a cell binds in the notebook's global scope (assignments, loops, imports, defs)."""
    tree = _parse(source)
    found: set[str] = set()
    for node in _walk_outside_scopes(tree) if tree is not None else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return found


def free_names(source: str) -> set[str]:
    """Global names a cell reads that it has not bound itself before (builtins excluded);
    function bodies count, minus their parameters and locals."""
    tree = _parse(source)
    if tree is None:
        return set()
    local: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            local |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            local |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                      and isinstance(n.ctx, ast.Store)}
        elif isinstance(node, ast.comprehension):
            local |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    first_bound: dict[str, tuple[int, int]] = {}
    for node in _walk_outside_scopes(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            at = (node.lineno, node.col_offset)
            first_bound[node.id] = min(first_bound.get(node.id, at), at)
    reads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Load)
             and (n.id not in first_bound or (n.lineno, n.col_offset) < first_bound[n.id])}
    return reads - local - _BUILTINS


def dependency_problems(nb: NotebookNode) -> list[str]:
    """One sentence per name that a cell the grader runs reads and only skipped
    demonstrations define before it (the cell would fail with a NameError when graded)."""
    problems = []
    defined: dict[str, bool] = {}  # name -> whether a cell the grader runs defines it
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        demo = is_demo(cell)
        if not demo:
            missing = sorted(n for n in free_names(cell.source) if defined.get(n) is False)
            if missing:
                gid = nbgrader_meta(cell).get("grade_id", f"cell-{i}")
                problems.append(
                    f"cell {i} ({gid}) reads {', '.join(missing)}, which only cells marked "
                    "kafkalab.demo define: the grader skips those, so it would fail. Fix: "
                    "unmark the cell that defines it, or mark this one a demonstration too.")
        for name in bound_names(cell.source):
            defined[name] = defined.get(name, False) or not demo
    return problems
