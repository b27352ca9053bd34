"""Demonstrations the grader skips, without Kafka: the marking ``{"kafkalab": {"demo": true}}``
(valid only on locked cells that are neither answers nor tests), read from the instructor's
copy only, skipped by GuardedExecute unless --all-cells, and never something a cell the grader
runs depends on (checked for every lesson here, and by `kafka-lab course validate`)."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from kafkalab.course import demos, nbcheck
from kafkalab.course.paths import CoursePaths, find_root, lessons
from kafkalab.grading.course import demo_cells, nbgrader_config
from kafkalab.grading.execute import GuardedExecute

PATHS = CoursePaths(find_root(Path(__file__)))


def _cell(gid: str, source: str = "pass", *, locked: bool = True, solution: bool = False,
          grade: bool = False, demo: object = None) -> nbformat.NotebookNode:
    cell = new_code_cell(source, metadata={"nbgrader": {
        "grade": grade, "grade_id": gid, "locked": locked, "points": 1 if grade else 0,
        "schema_version": 3, "solution": solution, "task": False}})
    if demo is not None:
        cell.metadata["kafkalab"] = {"demo": demo}
    return cell


def test_only_a_locked_cell_that_is_neither_answer_nor_test_can_be_a_demo() -> None:
    assert nbcheck.is_demo(_cell("plot", demo=True))
    assert not nbcheck.is_demo(_cell("plot")) and not nbcheck.is_demo(_cell("p", demo=False))
    for wrong in (_cell("t", grade=True, demo=True), _cell("a", locked=False, solution=True,
                                                           demo=True),
                  _cell("free", locked=False, demo=True)):
        with pytest.raises(ValueError, match="the grader must run it"):
            nbcheck.is_demo(wrong)
    with pytest.raises(ValueError, match="must be true or false"):
        nbcheck.is_demo(_cell("plot", demo="yes"))
    problems = nbcheck.convention_problems(new_notebook(cells=[_cell("t", grade=True,
                                                                     demo=True)]))
    assert len(problems) == 1 and "Fix: remove the marking" in problems[0]


def test_the_grader_skips_the_sources_demos_unless_all_cells(tmp_path: Path) -> None:
    src = tmp_path / "source" / "01_x" / "01_x.ipynb"
    src.parent.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[_cell("setup"), _cell("plot", demo=True),
                                       _cell("t", grade=True)]), src)
    assert demo_cells(tmp_path) == {"01_x/plot"}
    assert list(nbgrader_config(tmp_path, 30, all_cells=True).GuardedExecute.demos) == []
    ex = GuardedExecute(config=nbgrader_config(tmp_path, 30))
    ex._assignment = "01_x"
    # skipped before any kernel is asked: no kernel exists here, so running it would raise
    cell, _ = ex.preprocess_cell(_cell("plot", "raise SystemExit"), {}, 1)
    assert [o.get("text") for o in cell.outputs] == [nbcheck.demo_note("the grader")]
    assert cell.execution_count is None
    # the submission's metadata decides nothing: its own marking is not read, and a test or
    # an answer cell that carries a demonstration's grade_id is still run
    assert not ex._is_demo(_cell("setup", demo=True))
    assert ex._is_demo(_cell("plot"))
    assert not ex._is_demo(_cell("plot", grade=True))
    assert not ex._is_demo(_cell("plot", locked=False, solution=True))
    other = GuardedExecute(config=nbgrader_config(tmp_path, 30))
    other._assignment = "02_y"
    assert not other._is_demo(_cell("plot"))


def test_a_cell_that_reads_what_only_a_demo_defines_is_reported() -> None:
    nb = new_notebook(cells=[
        _cell("setup", "import math\nRATE = 3"),
        _cell("measure", "PER = [r * 2 for r in range(RATE)]\ndef peak():\n    return max(PER)",
              demo=True),
        _cell("plot", "print(peak(), PER)", demo=True),
        _cell("answer", "def f(x):\n    y = x + RATE\n    return math.ceil(y)", locked=False,
              solution=True),
        _cell("check", "print(f(PER[0]))"),
        _cell("again", "PER = 1\nprint(PER)")])
    problems = demos.dependency_problems(nb)
    assert len(problems) == 1 and problems[0].startswith("cell 4 (check) reads PER,"), problems
    # the same name defined by a cell the grader runs is fine
    fixed = copy.deepcopy(nb)
    fixed.cells[1].metadata["kafkalab"]["demo"] = False
    assert demos.dependency_problems(fixed) == []
    assert demos.free_names("x = y\nfor i in range(3):\n    z = i + w\n") == {"y", "w"}
    assert demos.bound_names("%%needs x\nimport os.path as p\nfrom a import b\nq, r = 1, 2"
                             "\ndef g(s):\n    t = s\n") == {"p", "b", "q", "r", "g"}


@pytest.mark.parametrize("lesson", lessons(PATHS))
def test_no_lesson_needs_a_demo_it_marked(lesson: str) -> None:
    nb = nbcheck.read(PATHS.solution(lesson))
    assert demos.dependency_problems(nb) == []
    release = nbcheck.read(PATHS.release(lesson))
    assert nbcheck.demo_cells(release) == nbcheck.demo_cells(nb), (
        "the release's demonstrations differ from the solution's: run `kafka-lab course "
        "release`")


def test_marking_a_needed_cell_is_caught_on_a_real_lesson() -> None:
    """08's graded checks read with read_one, defined by acl_before: marking that cell a
    demonstration must be reported."""
    nb = nbcheck.read(PATHS.solution("08_managed_kafka"))
    for cell in nb.cells:
        if nbcheck.nbgrader_meta(cell).get("grade_id") == "acl_before":
            cell.metadata.setdefault("kafkalab", {})["demo"] = True
    problems = demos.dependency_problems(nb)
    assert any("test_ex1_works" in p and "read_one" in p for p in problems), problems


@pytest.mark.timeout(120)
def test_kafka_lab_check_skips_demonstrations_as_the_grader_does(tmp_path: Path) -> None:
    from kafkalab.course import selfcheck

    path = tmp_path / "student.ipynb"
    nbformat.write(new_notebook(cells=[
        _cell("setup", "x = 1"), _cell("plot", "raise RuntimeError('the demo ran')", demo=True),
        _cell("check", "assert x == 1\nprint('still runs')", grade=True)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}}), path)
    nb, found = selfcheck.run(path)
    assert found == [], [p.line() for p in found]
    assert nb.cells[1].cell_type == "code" and nb.cells[1].outputs[0]["text"] == \
        nbcheck.demo_note("`kafka-lab check`, as by the grader")
    assert "still runs" in nb.cells[2].outputs[0]["text"]
