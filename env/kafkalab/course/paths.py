"""Where the course lives: the repository root, its lessons, their CI parameters."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import KafkaLabError

LESSON_RE = re.compile(r"^\d\d_[a-z0-9_]+$")
CONFIG = Path("grader") / "nbgrader_config.py"


def find_root(start: Path | None = None) -> Path:
    """The repository root: KAFKA_LAB_ROOT, else the first parent of ``start`` (default: the
    working directory, then this package) that holds grader/nbgrader_config.py."""
    if env := os.environ.get("KAFKA_LAB_ROOT"):
        return Path(env).resolve()
    candidates = [Path(start or Path.cwd()).resolve(), Path(__file__).resolve()]
    for base in candidates:
        for folder in (base, *base.parents):
            if (folder / CONFIG).is_file():
                return folder
    raise KafkaLabError("Cannot find the course folder (one with grader/nbgrader_config.py). "
                        "Fix: run from the repository, or set KAFKA_LAB_ROOT to it.")


@dataclass(frozen=True)
class CoursePaths:
    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def config(self) -> Path:
        return self.root / CONFIG

    def solution(self, name: str) -> Path:
        return self.solutions / name / f"{name}.ipynb"

    def release(self, name: str) -> Path:
        return self.notebooks / name / f"{name}.ipynb"

    def ci_parameters(self, name: str) -> dict:
        """The lesson's small CI parameters (solutions/NN_name/ci_parameters.json), or {}."""
        path = self.solutions / name / "ci_parameters.json"
        if not path.is_file():
            return {}
        try:
            params = json.loads(path.read_text())
        except ValueError as exc:
            raise KafkaLabError(f"{path} is not valid JSON ({exc}). Fix: write a JSON object "
                                "of parameter names and values.") from None
        if not isinstance(params, dict):
            raise KafkaLabError(f"{path} must hold a JSON object (name: value).")
        return params


def lessons(paths: CoursePaths, only: list[str] | None = None) -> list[str]:
    """Lesson folder names (NN_name holding NN_name.ipynb) under solutions/, sorted.

    ``only`` filters by exact name or by prefix (``00`` or ``00_welcome``)."""
    found = sorted(p.name for p in paths.solutions.iterdir()
                   if p.is_dir() and LESSON_RE.match(p.name)
                   and (p / f"{p.name}.ipynb").is_file()) if paths.solutions.is_dir() else []
    if not only:
        return found
    chosen = [n for n in found if any(n == o or n.startswith(o) for o in only)]
    missing = [o for o in only if not any(n == o or n.startswith(o) for n in found)]
    if missing:
        raise KafkaLabError(f"No lesson matches {missing}; lessons here: {found}. Fix: use a "
                            "folder name from solutions/ (or its number).")
    return chosen
