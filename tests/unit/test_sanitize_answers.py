"""A manually graded answer (nbgrader `solution` and `grade`, e.g. a markdown answer) is the
student's to write: answering it is not reported as tampering with a test cell."""

from __future__ import annotations

import copy

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from kafkalab.grading.sanitize import tampering


def _meta(gid: str, *, solution: bool, grade: bool, locked: bool) -> dict:
    return {"nbgrader": {"grade": grade, "grade_id": gid, "locked": locked, "points": 2,
                         "schema_version": 3, "solution": solution, "task": False}}


def test_answering_a_manually_graded_cell_is_not_tampering() -> None:
    release = new_notebook(cells=[
        new_markdown_cell("YOUR ANSWER HERE", metadata=_meta("essay", solution=True, grade=True,
                                                              locked=False)),
        new_code_cell("assert True", metadata=_meta("test", solution=False, grade=True,
                                                    locked=True))])
    sub = copy.deepcopy(release)
    sub.cells[0].source = "Because the charge happens before the ack."
    assert tampering(sub, release) == []
    sub.cells[1].source = "pass"
    assert tampering(sub, release) == ["test cell test was edited; the original was run"]
