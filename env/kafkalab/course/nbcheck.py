"""Read executed notebooks the way nbgrader scores them: grade cells, errors, answer cells."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.utils import is_grade, is_solution  # nbgrader's own cell tests

__all__ = ["BLANK_ERRORS", "CellResult", "blank_with_hidden_tests", "cell_error",
           "check_sentence", "exercise_of", "failure_message", "first_error", "grade_results",
           "is_grade", "is_manual", "is_solution", "nbgrader_meta", "read", "sha256",
           "unexpected_errors"]

# Errors a blank (unanswered) notebook may raise outside its answer and test cells: the stub's
# NotImplementedError and a NameError for a variable the unanswered cell never set.
BLANK_ERRORS = ("NotImplementedError", "NameError")


@dataclass
class CellResult:
    index: int
    grade_id: str
    points: float
    max_points: float
    error: str  # "" when the cell raised nothing

    def as_dict(self) -> dict:
        return asdict(self)


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def cell_error(cell: NotebookNode) -> str:
    """``Ename: evalue`` of the first error output of a code cell, or ""."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {str(out.get('evalue', ''))[:300]}".rstrip(": ")
    return ""


_CHECK = re.compile(r"^\s*#\s*check:\s*(.+?)\s*$", re.IGNORECASE)
_EXERCISE = re.compile(r"(?:^|[_-])(ex\d*)(?=[_-]|$)", re.IGNORECASE)


def check_sentence(cell: NotebookNode) -> str:
    """What a graded test cell checks, for the student's feedback: its first line when that is
    ``# check: <sentence>`` (contract D), else its grade_id."""
    lines = str(cell.get("source", "")).lstrip().splitlines()
    if lines and (m := _CHECK.match(lines[0])):
        return m.group(1)
    return str(nbgrader_meta(cell).get("grade_id", "")) or "(unnamed check)"


def exercise_of(grade_id: str) -> str:
    """The exercise a check or answer belongs to: ``ex1`` in ``test_ex1_on_cluster``,
    ``ex1-at-least-once`` or ``ex1_test``; a grade_id that names no exercise is its own."""
    m = _EXERCISE.search(grade_id)
    return m.group(1).lower() if m else grade_id


def is_manual(cell: NotebookNode) -> bool:
    """A written answer graded by hand (nbgrader: a markdown cell that is both answer and grade,
    or any grade cell nbgrader cannot score automatically)."""
    return cell.cell_type == "markdown" and is_grade(cell)


def failure_message(cell: NotebookNode) -> str:
    """What a failed check says to the student: the exception's type and message only (never
    the traceback, whose lines would show the hidden test's code); "" when it did not fail."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ename, evalue = out.get("ename", "Error"), str(out.get("evalue", "")).strip()
            if ename == "AssertionError" and not evalue:
                return "the check's condition was false (it gives no message)"
            return f"{ename}: {evalue[:500]}" if evalue else ename
    return ""


def grade_results(nb: NotebookNode) -> list[CellResult]:
    """nbgrader's rule for autograded code cells: full points unless the cell has an error."""
    results = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not is_grade(cell):
            continue
        meta = nbgrader_meta(cell)
        err = cell_error(cell)
        max_points = float(meta.get("points", 0))
        results.append(CellResult(i, meta.get("grade_id", f"cell-{i}"),
                                  0.0 if err else max_points, max_points, err))
    return results


def unexpected_errors(nb: NotebookNode, allowed: tuple[str, ...] = ()) -> list[str]:
    """Errors in cells that are neither answer nor test cells, except the ``allowed`` names."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_grade(cell) or is_solution(cell):
            continue
        err = cell_error(cell)
        if err and err.split(":")[0] not in allowed:
            found.append(f"cell {i} ({nbgrader_meta(cell).get('grade_id', 'no grade_id')}): {err}")
    return found


def first_error(nb: NotebookNode) -> tuple[int, str, str] | None:
    """(index, grade_id, error) of the first cell with an error output."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (err := cell_error(cell)):
            return i, nbgrader_meta(cell).get("grade_id", ""), err
    return None


def blank_with_hidden_tests(source: NotebookNode, release: NotebookNode) -> NotebookNode:
    """What autograde runs for an untouched student copy: the source notebook (locked cells and
    hidden tests intact) with every answer cell replaced by the release's stub."""
    stubs = {nbgrader_meta(c).get("grade_id"): c.source for c in release.cells if is_solution(c)}
    blank = copy.deepcopy(source)
    for cell in blank.cells:
        if is_solution(cell):
            gid = nbgrader_meta(cell).get("grade_id")
            if gid not in stubs:
                raise ValueError(f"answer cell {gid!r} is missing from the release notebook; "
                                 "regenerate it with `kafka-lab course release`")
            cell.source = stubs[gid]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return blank


def read(path: Path) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
