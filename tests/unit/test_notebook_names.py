"""Every name a solution notebook takes from the course package exists there: ``from kafkalab...
import X`` and every ``alias.attr`` of a module imported ``as alias`` (``ps.group_config``), so
a renamed or unexported helper fails here in seconds instead of in a lesson run minutes in."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

from kafkalab.course.paths import CoursePaths, find_root, lessons

pytestmark = pytest.mark.unit

PATHS = CoursePaths(find_root(Path(__file__)))


def _tree(lesson: str) -> ast.Module:
    cells = json.loads(PATHS.solution(lesson).read_text())["cells"]
    code = []
    for c in cells:
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"])
        if src.startswith("%%") and not src.startswith("%%needs"):
            continue  # another language (%%writefile, %%bash): not this kernel's Python
        code.append("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                              for ln in src.splitlines()))
    return ast.parse("\n".join(code))


@pytest.mark.parametrize("lesson", lessons(PATHS))
def test_every_name_taken_from_the_package_exists(lesson: str) -> None:
    tree = _tree(lesson)
    aliases: dict[str, object] = {}
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kafkalab"):
            module = importlib.import_module(node.module)
            for name in node.names:
                try:
                    value = getattr(module, name.name)
                except AttributeError:
                    try:
                        value = importlib.import_module(f"{node.module}.{name.name}")
                    except ImportError:
                        missing.append(f"from {node.module} import {name.name}")
                        continue
                if isinstance(value, type(importlib)):
                    aliases[name.asname or name.name] = value
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.name.startswith("kafkalab") and name.asname:
                    aliases[name.asname] = importlib.import_module(name.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases and not hasattr(aliases[node.value.id], node.attr):
            missing.append(f"{node.value.id}.{node.attr}")
    assert not missing, f"{lesson} uses names the package does not have: {sorted(set(missing))}"
