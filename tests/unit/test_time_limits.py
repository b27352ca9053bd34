"""Per-cell time limits and notebook conventions, without Kafka: the marking
``{"kafkalab": {"timeout": S}}`` read by the grader (from the instructor's copy only) and by
validate, the seconds per cell from nbclient's timing, and nbcheck's convention rules."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kafkalab.course import nbcheck, selfcheck
from kafkalab.course.validate import timing
from kafkalab.grading.course import marked_timeouts, nbgrader_config
from kafkalab.grading.execute import GuardedExecute


def _cell(gid: str, *, locked: bool = True, solution: bool = False, grade: bool = False,
          timeout: object = None, seconds: float | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell("pass", metadata={"nbgrader": {
        "grade": grade, "grade_id": gid, "locked": locked, "points": 1 if grade else 0,
        "schema_version": 3, "solution": solution, "task": False}})
    if timeout is not None:
        cell.metadata["kafkalab"] = {"timeout": timeout}
    if seconds is not None:
        cell.metadata["execution"] = {"iopub.execute_input": "2026-12-02T00:00:00.000000Z",
                                      "shell.execute_reply": f"2026-12-02T00:00:{seconds:09.6f}Z"}
    return cell


def test_limits_follow_the_grader_rules_and_the_marking() -> None:
    assert nbcheck.time_limit(_cell("setup")) == nbcheck.SETUP_TIMEOUT
    assert nbcheck.time_limit(_cell("ans", locked=False, solution=True)) == nbcheck.CELL_TIMEOUT
    assert nbcheck.time_limit(_cell("t", grade=True)) == nbcheck.CELL_TIMEOUT
    assert nbcheck.time_limit(_cell("t", grade=True, timeout=90)) == 90
    with pytest.raises(ValueError, match="positive number of seconds"):
        nbcheck.time_limit(_cell("t", timeout="long"))


def test_seconds_per_cell_and_the_third_of_the_limit() -> None:
    source = new_notebook(cells=[_cell("slow", grade=True, timeout=60), _cell("quick"),
                                 _cell("t", grade=True)])
    ran = new_notebook(cells=[_cell("slow", grade=True, seconds=25.0),
                              _cell("quick", seconds=1.5),
                              _cell("t", grade=True, timeout=600, seconds=31.0)])
    times = nbcheck.cell_times(ran, limits_from=source)
    assert [(t.grade_id, t.seconds, t.limit, t.over_third) for t in times] == [
        ("slow", 25.0, 60, True), ("quick", 1.5, 180, False), ("t", 31.0, 30, True)]
    cells, problems, warnings = timing(ran, source)
    assert len(cells) == 3 and len(problems) == 1 and "t) took 31.0 s" in problems[0]
    assert len(warnings) == 1 and "slow" in warnings[0]


def test_the_grader_takes_marked_limits_from_the_source_only(tmp_path: Path) -> None:
    src = tmp_path / "source" / "01_x" / "01_x.ipynb"
    src.parent.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[_cell("slow", grade=True, timeout=75), _cell("setup")]),
                   src)
    assert marked_timeouts(tmp_path) == {"01_x/slow": 75}
    ex = GuardedExecute(config=nbgrader_config(tmp_path, 30))
    ex._assignment = "01_x"
    assert ex._get_timeout(_cell("slow", grade=True)) == 75
    assert ex._get_timeout(_cell("setup")) == 180
    # a submission that marks its own cell gets nothing for it
    assert ex._get_timeout(_cell("ans", locked=False, solution=True, timeout=900)) == 30


def test_conventions_name_the_cell_and_the_fix() -> None:
    bare = new_code_cell("N = 1", metadata={"tags": ["parameters"]})
    nb = new_notebook(cells=[new_markdown_cell("# x"), bare, _cell("p", locked=False),
                             _cell("a", locked=False, solution=True), _cell("s"),
                             _cell("bad", timeout=-1)])
    problems = nbcheck.convention_problems(nb)
    assert len(problems) == 3, problems
    assert problems[0].startswith("cell 1 (no grade_id: 'N = 1') carries no nbgrader")
    assert "cell 2 (p: 'pass') is a cell that is not an answer but not locked" in problems[1]
    assert "kafkalab.timeout must be a positive number" in problems[2]


def test_the_self_check_gives_a_cell_the_limit_the_grader_gives_it() -> None:
    # `kafka-lab check` (course/selfcheck.py) reads the same rules: a marked cell that ran out
    # of time is reported against its own limit, not the default one
    slow = _cell("slow", grade=True, timeout=90)
    slow.outputs = [new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
    plain = _cell("plain", grade=True)
    plain.outputs = [new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
    found = selfcheck.problems(new_notebook(cells=[slow, plain]))
    assert ["90 s" in p.message for p in found] == [True, False]
    assert f"{nbcheck.CELL_TIMEOUT} s" in found[1].message
