"""Lesson 09's exercise graded with the instructor's command on answer fixtures: each wrong
answer in answers/09_exactly_once/ loses points, the differently written correct one keeps full
marks. Each submission is the release notebook with its answer cell filled from a fixture."""

from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kafkalab.course.paths import CoursePaths, find_root

pytestmark = pytest.mark.grading

ROOT = find_root(Path(__file__))
ASSIGNMENT = "09_exactly_once"
ANSWERS = Path(__file__).parent / "answers" / ASSIGNMENT
CORRECT = {"correct_assign_poll"}
MAX = 5.0
# LESSON09_ANSWERS=a,b grades only those fixtures (a quicker run while working on one)
ONLY = {a for a in os.environ.get("LESSON09_ANSWERS", "").split(",") if a}
FIXTURES = sorted(p.stem for p in ANSWERS.glob("*.py") if not ONLY or p.stem in ONLY)


def submission(answer: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(CoursePaths(ROOT).release(ASSIGNMENT), 4)
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "ex_answer")
    cell.source = answer.read_text()
    return nb


@pytest.fixture(scope="module")
def grades(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    base = tmp_path_factory.mktemp("grading09")
    subs = base / "submitted"
    for answer in (ANSWERS / f"{stem}.py" for stem in FIXTURES):
        folder = subs / answer.stem / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(answer), folder / f"{ASSIGNMENT}.ipynb")
    out = base / "out"
    proc = subprocess.run([sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out),
                           "--assignment", ASSIGNMENT, "--jobs", "2", "--timeout", "60",
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(out / "grades.csv", newline="") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}


@pytest.mark.parametrize("answer", FIXTURES)
def test_fixture_score(grades: dict[str, dict], answer: str) -> None:
    row = grades[answer]
    assert row["status"] == "graded", row
    assert float(row["max_score"]) == MAX
    if answer in CORRECT:
        assert float(row["score"]) == MAX, f"{answer}: {row['score']}: {row['reason']}"
    else:
        assert float(row["score"]) < MAX, f"{answer} kept full marks: it should lose points"
