"""Answer fixture headers (contract A), without Kafka: every committed fixture names an answer
cell and graded test cells of its lesson, and a wrong header fails with a message saying how to
fix it. Packing and judging are checked on synthetic scores."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from kafkalab.course.paths import CoursePaths, find_root, lessons

sys.path.insert(0, str(Path(__file__).parent.parent / "grading"))
import answer_fixtures as af  # noqa: E402

ROOT = find_root(Path(__file__))
PATHS = CoursePaths(ROOT)


@pytest.mark.parametrize("lesson", lessons(PATHS))
def test_committed_fixtures_fit_their_lesson(lesson: str) -> None:
    fixtures = af.load(lesson, PATHS.solution(lesson))  # raises FixtureError with the fix
    assert len({f.name for f in fixtures}) == len(fixtures)


def _meta(gid: str, *, solution: bool = False, grade: bool = False, points: int = 0) -> dict:
    return {"nbgrader": {"grade": grade, "grade_id": gid, "locked": not solution,
                         "points": points, "schema_version": 3, "solution": solution,
                         "task": False}}


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    cells = [new_code_cell("N = 1", metadata=_meta("params")),
             new_code_cell("x = 1", metadata=_meta("ex1_answer", solution=True)),
             new_code_cell("assert x", metadata=_meta("ex1_test", grade=True, points=2)),
             new_code_cell("y = 1", metadata=_meta("ex2_answer", solution=True)),
             new_code_cell("assert y", metadata=_meta("ex2_test", grade=True, points=1)),
             new_code_cell("print(x)", metadata=_meta("check", grade=True, points=0))]
    path = tmp_path / "solutions" / "99_x" / "99_x.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells), path)
    (tmp_path / "answers").mkdir()
    return path


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / "answers" / f"{name}.py"
    path.write_text(text)
    return path


GOOD = "# cell: ex1_answer\n# verdict: wrong\n# misconception: m\n# loses: ex1_test\nx = 0\n"


def test_a_good_header_parses_and_the_source_keeps_only_code(lesson: Path) -> None:
    root = lesson.parent.parent.parent
    path = _write(root, "zero", "# ruff: noqa: F821\n" + GOOD)
    fx = af.load("99_x", lesson, root / "answers")[0]
    assert (fx.cell, fx.verdict, fx.loses, fx.misconception) == ("ex1_answer", "wrong",
                                                                  ("ex1_test",), "m")
    assert fx.source == "# ruff: noqa: F821\nx = 0\n" and fx.path == path



def test_an_indented_comment_line_continues_the_misconception(lesson: Path) -> None:
    root = lesson.parent.parent.parent
    _write(root, "long", GOOD.replace("# misconception: m\n",
                                      "# misconception: a long\n#   misconception\n"))
    fx = af.load("99_x", lesson, root / "answers")[0]
    assert fx.misconception == "a long misconception" and fx.source == "x = 0\n"

@pytest.mark.parametrize(("text", "said"), [
    (GOOD.replace("ex1_answer", "ex9_answer"), "names no answer cell"),
    (GOOD.replace("cell: ex1_answer", "cell: ex1_test"), "names no answer cell"),
    (GOOD.replace("loses: ex1_test", "loses: ex1_test, ex7_test"), "ex7_test, not graded test"),
    (GOOD.replace("loses: ex1_test", "loses: ex1_answer"), "not graded test cells"),
    (GOOD.replace("loses: ex1_test", "loses: check"), "worth 0 points"),
    (GOOD.replace("# loses: ex1_test\n", ""), "the cells it must lose"),
    (GOOD.replace("# misconception: m\n", ""), "needs a misconception"),
    (GOOD.replace("wrong", "wrongish"), "neither `wrong` nor `correct`"),
    (GOOD.replace("verdict: wrong", "verdict: correct"), "a correct answer loses nothing"),
    (GOOD.replace("verdict: wrong", "verdict: correct").replace("# loses: ex1_test\n",
                                                               "# may_lose: ex1_test\n"),
     "a correct answer loses nothing"),
    (GOOD.replace("x = 0", "# may_lose: ex1_test\nx = 0"), "in both `# loses:` and"),
    (GOOD.replace("x = 0", "# may_lose: ex8_test\nx = 0"), "ex8_test, not graded test"),
    (GOOD.replace("# cell: ex1_answer\n", ""), "no `# cell:` line"),
    ("# cell: ex1_answer\n" + GOOD, "appears twice"),
    ("# exercise: ex1\n" + GOOD, "unknown header key `# exercise:`"),
    (GOOD.replace("x = 0\n", ""), "no code after the header"),
])
def test_a_wrong_header_fails_with_a_clear_message(lesson: Path, text: str, said: str) -> None:
    root = lesson.parent.parent.parent
    _write(root, "bad", text)
    with pytest.raises(af.FixtureError, match="bad.py") as err:
        af.load("99_x", lesson, root / "answers")
    assert said in str(err.value), str(err.value)
    assert "Fix" in str(err.value) or said in ("worth 0 points", "no code after the header",
                                               "neither `wrong` nor `correct`")


def _fx(name: str, cell: str, verdict: str, loses: tuple[str, ...] = (),
        may_lose: tuple[str, ...] = ()) -> af.Fixture:
    return af.Fixture("99_x", name, Path(f"{name}.py"), cell, verdict, name, loses, "pass\n",
                      may_lose)


def test_packing_keeps_one_fixture_per_cell_and_disjoint_losses() -> None:
    fxs = [_fx("a", "ex1_answer", "wrong", ("ex1_test",)),
           _fx("b", "ex1_answer", "wrong", ("ex1_test",)),
           _fx("c", "ex2_answer", "wrong", ("ex2_test",)),
           _fx("d", "ex2_answer", "wrong", ("ex1_test", "ex2_test")),
           _fx("e", "ex1_answer", "correct"), _fx("f", "ex2_answer", "correct")]
    packs = af.pack(fxs)
    assert [[f.name for f in p] for p in packs] == [["a", "c"], ["b"], ["d"], ["e", "f"]]
    for p in packs:
        assert len({f.cell for f in p}) == len(p)


def test_a_correct_answer_shares_a_submission_only_with_losses_of_other_exercises() -> None:
    """A correct answer may ride along with a wrong answer to another exercise (one submission
    fewer), never with one that may lose a test cell of its own exercise: that loss would be
    excused as the pack-mate's."""
    w1 = _fx("w1", "ex1_answer", "wrong", ("ex1_test",))
    w2 = _fx("w2", "ex2_answer", "wrong", ("ex2_test",))
    spill = _fx("spill", "ex2_answer", "wrong", ("ex2_test",), may_lose=("ex1_test",))
    ok1 = _fx("ok1", "ex1_answer", "correct")
    packs = af.pack([w1, w2, spill, ok1])
    assert [[f.name for f in p] for p in packs] == [["w1", "w2"], ["spill"], ["ok1"]]
    packs = af.pack([w1, w2, _fx("w3", "ex2_answer", "wrong", ("ex2_test",)), ok1])
    assert [[f.name for f in p] for p in packs] == [["w1", "w2"], ["w3", "ok1"]]
    # judged: w3 is excused nothing on ex1_test, ok1 nothing at all
    full = {"ex1_test": (2.0, 2.0), "ex2_test": (1.0, 1.0)}
    scores = {af.student(1): {"ex1_test": (0.0, 2.0), "ex2_test": (0.0, 1.0)},
              af.student(2): {**full, "ex2_test": (0.0, 1.0)}}
    assert all(v.ok for v in af.judge(packs, scores))
    scores[af.student(2)]["ex1_test"] = (1.0, 2.0)  # the correct answer lost a point
    v3, v_ok = af.judge(packs, scores)[2:]
    assert not v3.ok and v3.elsewhere == ["ex1_test"]
    assert not v_ok.ok and "correct answer lost" in v_ok.explain()


def test_judging_catches_misses_losses_elsewhere_and_excuses_packmates() -> None:
    a = _fx("a", "ex1_answer", "wrong", ("ex1_test",))
    c = _fx("c", "ex2_answer", "wrong", ("ex2_test",))
    e = _fx("e", "ex1_answer", "correct")
    full = {"ex1_test": (2.0, 2.0), "ex2_test": (1.0, 1.0)}
    scores = {af.student(1): {"ex1_test": (0.0, 2.0), "ex2_test": (0.0, 1.0)},
              af.student(2): {**full, "ex2_test": (0.0, 1.0)}}
    va, vc, ve = af.judge([[a, c], [e]], scores)
    assert va.ok and vc.ok  # each excused on the other's cell
    assert not ve.ok and ve.elsewhere == ["ex2_test"] and "correct answer lost" in ve.explain()
    scores[af.student(1)]["ex1_test"] = (2.0, 2.0)
    va = af.judge([[a, c], [e]], scores)[0]
    assert not va.caught and "kept full marks on ex1_test" in va.explain()
    md = af.discrimination_md({"99_x": {"solution": (3, 3), "blank": (0, 3), "seconds": 1.0,
                                        "students": 4, "verdicts": [va, vc, ve]}})
    assert "**MISSED**" in md and "**LOST POINTS**" in md and "1/2 wrong answers caught" in md
    # c's row names ex1_test, which only its pack-mate a costs, apart from its own loss
    assert "| ex2_test 0/1 (and ex1_test: a pack-mate's) |" in md


def test_a_cell_it_may_lose_is_excused_lost_or_kept_and_not_shared_in_a_pack() -> None:
    """``# may_lose:``: a wrong answer whose loss of a second cell depends on the machine's
    timing (03's 1 s message timeout acknowledges nothing on a busy machine, some records on a
    quiet one) is judged on its ``loses`` cells alone; a pack-mate never targets that cell."""
    m = _fx("m", "ex1_answer", "wrong", ("ex1_test",), may_lose=("ex2_test",))
    full = {"ex1_test": (2.0, 2.0), "ex2_test": (1.0, 1.0)}
    for ex2 in ((0.0, 1.0), (1.0, 1.0)):
        v = af.judge([[m]], {af.student(1): {**full, "ex1_test": (0.0, 2.0), "ex2_test": ex2}})[0]
        assert v.ok, v.explain()
    v = af.judge([[m]], {af.student(1): {**full, "ex2_test": (0.0, 1.0)}})[0]
    assert not v.caught  # the cell it must lose is still required
    c = _fx("c", "ex2_answer", "wrong", ("ex2_test",))
    assert len(af.pack([m, c])) == 2
