"""The authoring commands end to end: `kafka-lab course run` executes a solution notebook
against real Kafka (CI parameters) and `kafka-lab course validate` reuses that run, executes the
blank release and finds it scoring zero.

Every lesson being gradable is proven elsewhere, at the notebook's DEFAULT parameters with the
real grading command: tests/grading/test_answer_fixtures.py grades each lesson's solution (full
marks, no error in any cell) and blank release (zero, no error outside its answers) besides its
answer fixtures. So this tier proves the two commands on one lesson only (CI time budget: it
ran every lesson, 24.7 min of the 41.8 min CI run). KAFKA_LAB_NOTEBOOKS=all (or a list of
names or numbers) runs more:

    pytest tests/notebooks                                   # 00_welcome
    KAFKA_LAB_NOTEBOOKS=all pytest tests/notebooks           # every lesson
    KAFKA_LAB_NOTEBOOKS=03,07 pytest tests/notebooks         # those
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from kafkalab.course.paths import CoursePaths, find_root, lessons

ROOT = find_root(Path(__file__))
PATHS = CoursePaths(ROOT)
RUN_DIR = ROOT / "build" / "test-run"
DEFAULT_LESSONS = ["00_welcome"]


def chosen() -> list[str]:
    wanted = os.environ.get("KAFKA_LAB_NOTEBOOKS", "").strip()
    if wanted == "all":
        return lessons(PATHS)
    only = [x.strip() for x in wanted.split(",") if x.strip()]
    return lessons(PATHS, only or DEFAULT_LESSONS)


def course(*args: str, root: Path = ROOT, timeout: float = 3600) -> subprocess.CompletedProcess:
    env = {**os.environ, "KAFKA_LAB_ROOT": str(root)}
    return subprocess.run([sys.executable, "-m", "kafkalab", "course", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("name", chosen())
def test_notebook_runs_and_validates(name: str) -> None:
    run = course("run", "--only", name, "--out", str(RUN_DIR))
    result = json.loads((RUN_DIR / f"{name}.result.json").read_text())
    assert run.returncode == 0 and result["status"] == "ok", (
        f"{name} failed at cell {result.get('failing_cell')} "
        f"({result.get('failing_grade_id', '')}): {result.get('error')}; see "
        f"{result['output']}\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    assert (RUN_DIR / "summary.md").is_file() and (RUN_DIR / "summary.json").is_file()
    val = course("validate", "--only", name, "--run-dir", str(RUN_DIR))
    checks = json.loads((RUN_DIR / "validate.json").read_text())
    assert val.returncode == 0, "\n".join(p for c in checks for p in c["problems"]) + val.stderr
    solution = next(c for c in checks if c["check"] == "solution")
    assert solution["how"].startswith("reused"), "the clean papermill run should be reused"
    blank = next(c for c in checks if c["check"] == "release")
    assert blank["points"] == 0


def _lesson(root: Path, name: str, sources: list[str]) -> None:
    cells = [new_code_cell(s) for s in sources]
    cells[0].metadata["tags"] = ["parameters"]
    cells[-1].metadata["nbgrader"] = {"grade": True, "grade_id": f"test_{name}", "locked": True,
                                      "points": 1, "schema_version": 3, "solution": False,
                                      "task": False}
    folder = root / "solutions" / name
    folder.mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}),
        folder / f"{name}.ipynb")


def test_failure_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    """A failing notebook keeps papermill's banner, is named in the summary with its cell, the
    later notebooks still run, and the exit code is non-zero (no Kafka needed here)."""
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "nbgrader_config.py").write_text(PATHS.config.read_text())
    _lesson(tmp_path, "00_fine", ["N = 1", "assert N == 1"])
    _lesson(tmp_path, "01_broken", ["N = 1", "raise ValueError('boom')", "assert N == 1"])
    _lesson(tmp_path, "02_after", ["N = 1", "assert N == 2"])
    (tmp_path / "solutions" / "02_after" / "ci_parameters.json").write_text('{"N": 2}')
    run = course("run", "--out", "build/run", root=tmp_path, timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    summary = json.loads((tmp_path / "build" / "run" / "summary.json").read_text())
    by_name = {r["name"]: r for r in summary["notebooks"]}
    assert summary["failed"] == ["01_broken"]
    assert by_name["01_broken"]["error"].startswith("ValueError: boom")
    assert by_name["02_after"]["status"] == "ok"  # ran after the failure, with CI parameters
    executed = (tmp_path / "build" / "run" / "01_broken.ipynb").read_text()
    assert "An Exception was encountered" in executed  # papermill's banner
    assert "01_broken" in (tmp_path / "build" / "run" / "summary.md").read_text()
    val = course("validate", "--only", "01", "--solutions-only", "--run-dir", "build/run",
                 root=tmp_path, timeout=600)
    assert val.returncode == 1
