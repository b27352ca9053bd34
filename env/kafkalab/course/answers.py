"""Submissions made from the instructor's sources: a solution notebook's answers (its solution
cells without the BEGIN/END SOLUTION markers) and a student release with answer cells filled
in. The grading benchmark and the grading tests build their classes with these."""

from __future__ import annotations

import copy

import nbformat
from nbformat import NotebookNode

from ..exceptions import AnswerCellError
from .nbcheck import is_solution, nbgrader_meta
from .paths import CoursePaths

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_answers(solution: NotebookNode) -> dict[str, str]:
    """grade_id -> source of every solution cell of ``solution``, markers removed."""
    answers = {}
    for cell in solution.cells:
        if is_solution(cell):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in MARKERS]
            answers[nbgrader_meta(cell)["grade_id"]] = "\n".join(lines) + "\n"
    return answers


def fill_answers(release: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of ``release`` with the cells named in ``answers`` given those sources; a name
    the release has no cell for is an error (a stale release, or a typo in a fixture)."""
    nb = copy.deepcopy(release)
    todo = dict(answers)
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in todo:
            cell.source = todo.pop(gid)
    if todo:
        raise AnswerCellError(sorted(todo))
    return nb


def solved_copy(paths: CoursePaths, name: str) -> NotebookNode:
    """Lesson ``name``'s student release with every answer cell filled in from its solution."""
    release = nbformat.read(paths.release(name), 4)
    return fill_answers(release, solution_answers(nbformat.read(paths.solution(name), 4)))
