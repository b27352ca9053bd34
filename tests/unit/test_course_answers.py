"""Submissions built from the instructor's sources (kafkalab.course.answers), which the grading
benchmark and every grading test use: a solution's answers lose their markers, a filled release
carries them, and a cell the release does not have is an error that names it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from kafkalab.course.answers import fill_answers, solution_answers, solved_copy
from kafkalab.course.paths import CoursePaths, find_root
from kafkalab.exceptions import AnswerCellError

pytestmark = pytest.mark.unit

PATHS = CoursePaths(find_root(Path(__file__)))


def _cell(source: str, grade_id: str, solution: bool) -> nbformat.NotebookNode:
    cell = v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": False}
    return cell


def test_solution_answers_drop_the_markers_and_keep_only_solution_cells():
    nb = v4.new_notebook(cells=[
        _cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "ex1", True),
        _cell("assert f() == 1", "ex1_test", False),
    ])
    assert solution_answers(nb) == {"ex1": "def f():\n    return 1\n"}


def test_fill_answers_replaces_only_the_named_cells_and_leaves_the_release_alone():
    release = v4.new_notebook(cells=[_cell("raise NotImplementedError()", "ex1", True),
                                     _cell("assert f() == 1", "ex1_test", False)])
    filled = fill_answers(release, {"ex1": "def f():\n    return 1\n"})
    assert [c.source for c in filled.cells] == ["def f():\n    return 1\n", "assert f() == 1"]
    assert release.cells[0].source == "raise NotImplementedError()"


def test_a_cell_the_release_lacks_is_named_with_the_fix():
    release = v4.new_notebook(cells=[_cell("pass", "ex1", True)])
    with pytest.raises(AnswerCellError, match="ex9, exx") as err:
        fill_answers(release, {"ex1": "x = 1\n", "exx": "", "ex9": ""})
    assert err.value.grade_ids == ["ex9", "exx"]
    assert "kafka-lab course release" in err.value.fix


def test_solved_copy_of_a_lesson_carries_every_answer_of_its_solution():
    name = "00_welcome"
    answers = solution_answers(nbformat.read(PATHS.solution(name), 4))
    assert answers, "00_welcome has answer cells"
    solved = solved_copy(PATHS, name)
    got = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solved.cells
           if c.metadata.get("nbgrader", {}).get("solution")}
    assert got == answers
    release = nbformat.read(PATHS.release(name), 4)
    assert [c.cell_type for c in solved.cells] == [c.cell_type for c in release.cells]
