"""Read executed notebooks the way nbgrader scores them: grade cells, errors, answer cells."""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.utils import is_grade, is_solution  # nbgrader's own cell tests

__all__ = ["BLANK_ERRORS", "CELL_TIMEOUT", "DEMO_KEY", "SETUP_TIMEOUT", "TIMEOUT_KEY",
           "blank_with_hidden_tests", "cell_error", "cell_seconds", "cell_times", "CellResult",
           "CellTime", "check_sentence", "convention_problems", "demo_cells", "demo_note",
           "exercise_of",
           "failure_message", "first_error", "grade_results", "is_demo", "is_grade",
           "is_manual", "is_solution", "marked_timeout", "marked_timeouts", "nbgrader_meta",
           "read", "sha256", "time_limit", "unexpected_errors"]

# Errors a blank (unanswered) notebook may raise outside its answer and test cells: the stub's
# NotImplementedError and a NameError for a variable the unanswered cell never set.
BLANK_ERRORS = ("NotImplementedError", "NameError")

# The grader's per-cell time limits (`kafka-lab grade --timeout`, GuardedExecute.setup_timeout):
# every cell gets CELL_TIMEOUT seconds, a locked cell that is neither an answer nor a test (the
# instructor's setup) SETUP_TIMEOUT, and a cell whose metadata carries
# {"kafkalab": {"timeout": S}} (one that legitimately takes longer) S seconds. Every cell
# should finish within a third of its limit at the notebook's default parameters.
CELL_TIMEOUT = 30
SETUP_TIMEOUT = 180
TIMEOUT_KEY = "timeout"
# A cell whose metadata carries {"kafkalab": {"demo": true}} is a demonstration (an experiment
# the lesson shows) that no answer, test or later non-demo cell depends on: the grader does not
# run it (`kafka-lab grade --all-cells` does). Only a locked cell that is neither an answer nor
# a test can be one; that nothing graded needs it is checked by grading the solution.
DEMO_KEY = "demo"


def demo_note(runner: str) -> str:
    """The output a skipped demonstration gets in place of its own, ``runner`` being what did
    not run it ("the grader", "`kafka-lab check`")."""
    return (f"(not run by {runner}: a demonstration that nothing graded depends on; "
            "`kafka-lab grade --all-cells` runs it)\n")


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
    ``# check: <sentence>`` (contract D; after a cell magic such as ``%%needs zookeeper``, which
    must come first), else its grade_id."""
    lines = str(cell.get("source", "")).lstrip().splitlines()
    if lines and lines[0].startswith("%%"):
        lines = lines[1:]
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


def marked_timeout(cell: NotebookNode) -> int | None:
    """The cell's own limit in seconds (metadata ``kafkalab.timeout``), or None."""
    value = (cell.get("metadata", {}).get("kafkalab", {}) or {}).get(TIMEOUT_KEY)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"cell {nbgrader_meta(cell).get('grade_id', '?')}: metadata "
                         f"kafkalab.timeout must be a positive number of seconds, not {value!r}")
    return int(value)


def marked_timeouts(nb: NotebookNode) -> dict[str, int]:
    """grade_id -> marked limit, for the cells of ``nb`` that carry one (and a grade_id)."""
    found = {}
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        limit = marked_timeout(cell) if cell.cell_type == "code" else None
        if gid and limit:
            found[gid] = limit
    return found


def is_demo(cell: NotebookNode) -> bool:
    """Whether the instructor marked ``cell`` a demonstration (see DEMO_KEY); a marking on a
    cell that cannot be one (an answer, a test, an unlocked cell) is an error."""
    value = (cell.get("metadata", {}).get("kafkalab", {}) or {}).get(DEMO_KEY, False)
    if value is False:
        return False
    meta = nbgrader_meta(cell)
    if value is not True:
        raise ValueError(f"cell {meta.get('grade_id', '?')}: metadata kafkalab.demo must be "
                         f"true or false, not {value!r}")
    if cell.get("cell_type") != "code" or not meta.get("locked") or meta.get("grade") \
            or meta.get("solution"):
        raise ValueError(f"cell {meta.get('grade_id', '?')} is marked kafkalab.demo but is "
                         "not a locked code cell that is neither an answer nor a test: the "
                         "grader must run it. Fix: remove the marking.")
    return True


def demo_cells(nb: NotebookNode) -> set[str]:
    """grade_ids of the cells of ``nb`` marked as demonstrations (see DEMO_KEY)."""
    return {nbgrader_meta(c).get("grade_id") for c in nb.cells
            if is_demo(c) and nbgrader_meta(c).get("grade_id")}


def time_limit(cell: NotebookNode, cell_timeout: int = CELL_TIMEOUT,
               setup_timeout: int = SETUP_TIMEOUT) -> int:
    """The per-cell limit the grader gives ``cell`` (see CELL_TIMEOUT above)."""
    marked = marked_timeout(cell)
    if marked:
        return marked
    meta = nbgrader_meta(cell)
    if meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
        return max(cell_timeout, setup_timeout)
    return cell_timeout


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def cell_seconds(cell: NotebookNode) -> float | None:
    """How long an executed code cell ran, from the timing nbclient (and papermill) record."""
    meta = cell.get("metadata", {})
    timing = meta.get("execution", {}) or {}
    start = timing.get("iopub.execute_input") or timing.get("iopub.status.busy")
    end = timing.get("shell.execute_reply") or timing.get("iopub.status.idle")
    if start and end:
        try:
            return max(0.0, (_stamp(end) - _stamp(start)).total_seconds())
        except ValueError:
            pass
    duration = (meta.get("papermill", {}) or {}).get("duration")
    return float(duration) if isinstance(duration, (int, float)) else None


@dataclass
class CellTime:
    index: int
    grade_id: str
    seconds: float
    limit: int

    @property
    def over_third(self) -> bool:
        return self.seconds > self.limit / 3

    def as_dict(self) -> dict:
        return {**asdict(self), "over_third": self.over_third}


def cell_times(nb: NotebookNode, cell_timeout: int = CELL_TIMEOUT,
               setup_timeout: int = SETUP_TIMEOUT,
               limits_from: NotebookNode | None = None) -> list[CellTime]:
    """Seconds and grader limit of every executed code cell of ``nb``. ``limits_from``: the
    instructor's notebook whose metadata decides the limits (a submission's cannot)."""
    marked = marked_timeouts(limits_from) if limits_from is not None else None
    times = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        seconds = cell_seconds(cell)
        if seconds is None:
            continue
        gid = nbgrader_meta(cell).get("grade_id", "")
        unmarked = {**cell, "metadata": {k: v for k, v in cell.get("metadata", {}).items()
                                         if k != "kafkalab"}}
        limit = time_limit(unmarked, cell_timeout, setup_timeout)  # type: ignore[arg-type]
        own = marked.get(gid) if marked is not None else marked_timeout(cell)
        limit = own or limit
        times.append(CellTime(i, gid or f"cell-{i}", round(seconds, 2), limit))
    return times


def convention_problems(nb: NotebookNode) -> list[str]:
    """What breaks the notebook conventions the grader relies on: every code cell carries
    nbgrader metadata with a grade_id (so its limit and its place are known), every code cell
    that is not an answer cell is locked (setup, parameters, measurements, tests: a student's
    edit there would be graded), and every time-limit and demonstration marking is valid."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        first = (cell.source.strip().splitlines() or [""])[0][:60]
        where = f"cell {i} ({meta.get('grade_id') or 'no grade_id'}: {first!r})"
        tags = cell.get("metadata", {}).get("tags", [])
        if not meta:
            problems.append(f"{where} carries no nbgrader metadata. Fix: give it "
                            "{\"nbgrader\": {\"grade\": false, \"grade_id\": \"<name>\", "
                            "\"locked\": true, \"schema_version\": 3, \"solution\": false, "
                            "\"task\": false}}.")
            continue
        if not meta.get("grade_id"):
            problems.append(f"{where} has nbgrader metadata without a grade_id. Fix: add one.")
        if not meta.get("solution") and not meta.get("locked"):
            what = "the parameters cell" if "parameters" in tags else "a cell that is not an answer"
            problems.append(f"{where} is {what} but not locked: a student's edit of it would "
                            "be graded. Fix: set nbgrader \"locked\": true.")
        try:
            marked_timeout(cell)
            is_demo(cell)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    return problems
