"""The package's architecture, checked: no import cycle, imports follow the layers, nobody
reaches into another module's private names, and no lesson imports another lesson."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2] / "env"
PACKAGE = "kafkalab"

# Lowest first. A module may import its own layer and the layers below it, never above.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("exceptions", "ports", "procs", "scratch", "jars", "java", "lockgen", "describe",
              "progress")),
    ("plan", ("backends.plan", "backends.properties", "backends.cache", "backends.base")),
    ("backends", ("backends",)),
    ("cluster", ("cluster", "tools", "api", "needs", "")),
    ("clients", ("clients", "warmup", "image")),
    ("lessons", ("lessons",)),
    ("tooling", ("course", "grading", "bench", "stock")),
    ("cli", ("cli", "__main__")),
]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every kafkalab module that ``module`` imports (at any depth of its code), with lines."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    yield _longest(alias.name, known), node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                yield (full if full in known else _longest(target, known)), node.lineno


def _longest(name: str, known: dict[str, Path]) -> str:
    parts = name.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: {t for t, _ in imports(m, p, known) if t and t != m} for m, p in known.items()}


def layer_of(module: str) -> int:
    rel = module[len(PACKAGE) + 1:] if module != PACKAGE else ""
    best, best_len = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            hit = rel == prefix or (prefix and rel.startswith(prefix + "."))
            if hit and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    return best


def test_every_module_has_a_layer() -> None:
    assert [m for m in modules() if layer_of(m) < 0] == []


def test_no_import_cycle() -> None:
    g = graph()
    # Package __init__ files re-export their own children: an edge parent -> child and the
    # child's implicit dependency on its package are not a design cycle.
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in g.items()}
    cycles, state = [], {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for t in sorted(edges.get(m, ())):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t] if t in stack else [m, t])
            elif t not in state:
                visit(t, [*stack, t])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_imports_follow_the_layers() -> None:
    known = modules()
    wrong = []
    for m, path in known.items():
        for target, line in imports(m, path, known):
            if target and target != m and not target.startswith(m + "."):
                if layer_of(target) > layer_of(m):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} {m} "
                                 f"({LAYERS[layer_of(m)][0]}) imports {target} "
                                 f"({LAYERS[layer_of(target)][0]})")
    assert wrong == []


def _private_definitions(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_no_module_reaches_into_another_modules_private_names() -> None:
    known = modules()
    trees = {m: ast.parse(p.read_text()) for m, p in known.items()}
    defined = {m: _private_definitions(t) for m, t in trees.items()}
    everywhere = set().union(*defined.values())
    wrong = []
    for m, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.level or node.module.startswith(PACKAGE)):
                wrong += [f"{m}:{node.lineno} imports {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
            if not (isinstance(node, ast.Attribute) and node.attr in everywhere):
                continue
            if node.attr in defined[m]:
                continue  # this module's own private name (on self, cls or a peer object)
            wrong.append(f"{m}:{node.lineno} uses .{node.attr} of another module")
    assert wrong == []


def test_no_lesson_imports_another_lesson() -> None:
    known = modules()
    prefix = f"{PACKAGE}.lessons."
    wrong = []
    for m, path in known.items():
        if not m.startswith(prefix):
            continue
        own = m[len(prefix):].split(".")[0]
        for target, line in imports(m, path, known):
            if target.startswith(prefix) and target[len(prefix):].split(".")[0] != own:
                wrong.append(f"{m}:{line} imports {target}")
    assert wrong == []
