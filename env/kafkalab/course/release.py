"""Generate the student release (notebooks/) from the nbgrader sources (solutions/)."""

from __future__ import annotations

import json
from pathlib import Path

from ..exceptions import KafkaLabError
from .paths import CoursePaths


def generate_many(paths: CoursePaths, names: list[str], release_dir: Path | None = None) -> dict:
    """Generate several lessons in this process (one nbgrader start-up instead of one per
    lesson). Returns {name: folder}; raises with nbgrader's log when one fails."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(paths.config.name, path=str(paths.config.parent)).load_config()
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    base = Path(release_dir).resolve() if release_dir else paths.notebooks
    config.CourseDirectory.release_directory = str(base)
    api = NbGraderAPI(config=config)
    done = {}
    for name in names:
        res = api.generate_assignment(name, force=True, create=False)
        nb = base / name / f"{name}.ipynb"
        if not res["success"] or not nb.is_file():
            tail = "\n".join(str(res.get("log", "") + res.get("error", "")).splitlines()[-15:])
            raise KafkaLabError(f"nbgrader generate_assignment {name} failed:\n{tail}\nFix: "
                                f"check the nbgrader metadata of {paths.solution(name)}.")
        strip_outputs(nb)
        done[name] = base / name
    return done


def strip_outputs(path: Path) -> None:
    """Make sure a release notebook carries no outputs or execution counts (idempotent)."""
    nb = json.loads(path.read_text())
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
            cell["outputs"], cell["execution_count"] = [], None
            changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def notebooks_with_outputs(folder: Path) -> list[Path]:
    """Every .ipynb under ``folder`` with a stored output or execution count."""
    bad = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        cells = json.loads(path.read_text()).get("cells", [])
        if any(c.get("outputs") or c.get("execution_count") for c in cells):
            bad.append(path)
    return bad


def tree(folder: Path) -> dict[str, object]:
    """A comparable view of a lesson folder: notebooks parsed as JSON, other files as bytes."""
    view: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in path.parts or "__pycache__" in path.parts:
            continue
        rel = str(path.relative_to(folder))
        view[rel] = json.loads(path.read_text()) if path.suffix == ".ipynb" else path.read_bytes()
    return view
