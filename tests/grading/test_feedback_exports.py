"""Feedback, LMS exports, written answers and --regrade through the real `kafka-lab grade`, on a
tiny course that needs no Kafka (a course root with one lesson, 99_tiny), so it costs seconds:

- feedback lists every check with its sentence and points, a failed check's message only, never
  the hidden test's code; every check ran after one failed (partial credit per check);
- a written answer is not tampering: "written answer: to grade by hand", and the summary lists
  the answers waiting for the instructor;
- grades.csv has a column per exercise; canvas.csv, moodle.csv and classroom/ parse back into
  the same grades;
- --regrade keeps the previous grades and changes.csv lists exactly the changed scores.
"""

from __future__ import annotations

import base64
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

ASSIGNMENT = "99_tiny"
HIDDEN = "assert double(5) == 10, 'double(n) must be 2 * n for every n, not only for 2'"
RIGHT = "def double(n):\n    return 2 * n\n"
PLUS_TWO = "def double(n):\n    return n + 2\n"  # passes the visible check (2 + 2 == 4)


def _nbg(cell, **kw) -> None:  # noqa: ANN001
    cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "locked": False,
                                 "grade": False, "solution": False, **kw}


def source_notebook() -> nbformat.NotebookNode:
    setup = v4.new_code_cell("FACTOR = 2")
    _nbg(setup, locked=True, grade_id="setup")
    answer = v4.new_code_cell("def double(n):\n    ### BEGIN SOLUTION\n    return FACTOR * n\n"
                              "    ### END SOLUTION\n")
    _nbg(answer, solution=True, grade_id="ex1_answer")
    visible = v4.new_code_cell("# check: double(2) gives 4\n"
                               "assert double(2) == 4, 'double(2) should be 4'\n")
    _nbg(visible, grade=True, locked=True, grade_id="test_ex1_visible", points=1)
    hidden = v4.new_code_cell("# check: double works for another number\n"
                              f"### BEGIN HIDDEN TESTS\n{HIDDEN}\n### END HIDDEN TESTS\n")
    _nbg(hidden, grade=True, locked=True, grade_id="test_ex1_hidden", points=2)
    written = v4.new_markdown_cell("=== BEGIN MARK SCHEME ===\nreplication\n"
                                   "=== END MARK SCHEME ===\nBecause partitions are replicated.")
    _nbg(written, grade=True, solution=True, grade_id="ex2_answer", points=2)
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# Tiny"), setup, answer, visible,
                                hidden, written])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def submission(answer: str | None, written: str = "YOUR ANSWER HERE") -> nbformat.NotebookNode:
    nb = source_notebook()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "ex1_answer":
            cell.source = answer or "# YOUR CODE HERE\nraise NotImplementedError()"
        elif gid == "test_ex1_hidden":
            cell.source = "# check: double works for another number\n"
        elif gid == "ex2_answer":
            cell.source = written
    return nb


def grade(root: Path, subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "kafkalab", "grade", str(subs), "--out", str(out), "--quiet",
           "--root", str(root), "--jobs", "2", "--timeout", "20", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def rows(path: Path, key: str = "student") -> dict[str, dict]:
    with open(path, newline="") as fh:
        return {r[key]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("tiny")
    root = base / "course"
    (root / "grader").mkdir(parents=True)
    (root / "grader" / "nbgrader_config.py").write_text("c = get_config()\n")
    (root / "solutions" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    subs = base / "subs"
    subs.mkdir()
    class_ = {"right": submission(RIGHT, "Because each partition has replicas."),
              "plus_two": submission(PLUS_TWO), "blank": submission(None)}
    for name, nb in class_.items():
        nbformat.write(nb, subs / f"{name}_{ASSIGNMENT}.ipynb")
    out = base / "out"
    first = grade(root, subs, out)
    return {"root": root, "subs": subs, "out": out, "stdout": first.stdout}


def test_feedback_lists_every_check_never_the_hidden_code(tiny: dict) -> None:
    page = (tiny["out"] / "feedback" / "plus_two" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    text = page.read_text()
    for shown in ("double(2) gives 4", "double works for another number",
                  "double(n) must be 2 * n for every n, not only for 2"):
        assert shown in text, shown
    assert "assert double(5)" not in text and "BEGIN HIDDEN" not in text
    assert "most recent call last" not in text and "double(5) == 10" not in text
    right = (tiny["out"] / "feedback" / "right" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    assert "written answer: to grade by hand" in right.read_text()


def test_every_check_runs_after_one_fails(tiny: dict) -> None:
    table = rows(tiny["out"] / "grades.csv")
    # blank: both checks ran and failed; plus_two: the visible one passed, the hidden failed
    assert float(table["blank"]["score"]) == 0 and float(table["right"]["score"]) == 3
    assert float(table["plus_two"]["score"]) == 1
    result = json.loads((tiny["out"] / "results" / ASSIGNMENT / "blank.json").read_text())
    messages = {c["grade_id"]: c["message"] for c in result["checks"]}
    assert messages["test_ex1_visible"].startswith("NameError")
    assert messages["test_ex1_hidden"].startswith("NameError")


def test_written_answer_is_not_tampering_and_waits_for_the_instructor(tiny: dict) -> None:
    table = rows(tiny["out"] / "grades.csv")
    for student in ("right", "plus_two", "blank"):
        assert "edited" not in table[student]["reason"], table[student]["reason"]
    # an answer left as the stub scores 0 at once (nbgrader); a written one waits
    assert "ex2_answer: written answer: to grade by hand" in table["right"]["reason"]
    assert "ex2_answer" not in table["plus_two"]["reason"]
    assert ("waiting for the instructor: 99_tiny/ex2_answer (written answer) of 1 student(s): "
            "right" in tiny["stdout"]), tiny["stdout"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tiny['out'] / 'gradebook.db'}") as gb:
        sub = gb.find_submission(ASSIGNMENT, "right")
        assert sub.needs_manual_grade


def test_grades_csv_and_lms_exports_parse_back(tiny: dict) -> None:
    out = tiny["out"]
    table = rows(out / "grades.csv")
    assert {s: (r["99_tiny:ex1"], r["99_tiny:ex2"]) for s, r in table.items()} == {
        "right": ("3", "0"), "plus_two": ("1", "0"), "blank": ("0", "0")}
    with open(out / "canvas.csv", newline="") as fh:
        canvas = list(csv.DictReader(fh))
    assert canvas[0]["99_tiny"] == "5"  # points possible
    assert {r["SIS Login ID"]: r["99_tiny"] for r in canvas[1:]} == \
        {s: r["score"] for s, r in table.items()}
    moodle = rows(out / "moodle.csv", "Username")
    assert {s: r["99_tiny"] for s, r in moodle.items()} == \
        {s: r["score"] for s, r in table.items()}
    for student, row in table.items():
        env = (out / "classroom" / ASSIGNMENT / f"{student}.env").read_text().splitlines()
        total = 0.0
        for line in env:
            data = json.loads(base64.b64decode(line.split("=", 1)[1]))
            total += sum(t["status"] == "pass" for t in data["tests"]) / \
                len(data["tests"]) * data["max_score"]
        assert total == float(row["score"])


def test_regrade_keeps_previous_grades_and_lists_exactly_the_changes(tiny: dict) -> None:
    subs = tiny["subs"]
    nbformat.write(submission(RIGHT), subs / f"blank_{ASSIGNMENT}.ipynb")  # resubmitted
    before = (tiny["out"] / "grades.csv").read_text()
    proc = grade(tiny["root"], subs, tiny["out"], "--regrade")
    assert "regrade: 1 changed score(s)" in proc.stdout, proc.stdout
    changes = list(csv.DictReader(open(tiny["out"] / "changes.csv", newline="")))
    assert [(r["student"], r["assignment"], r["exercise"], r["old"], r["new"])
            for r in changes] == [("blank", ASSIGNMENT, "ex1", "0", "3")]
    assert changes[0]["why"].startswith("the submission changed")
    kept = list((tiny["out"] / "previous").glob("*/grades.csv"))
    assert len(kept) == 1 and kept[0].read_text() == before
