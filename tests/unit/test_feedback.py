"""Feedback that teaches, grades an LMS can import, what a regrade changed, written answers,
the student's `kafka-lab check`, quiet progress bars (issue #18, items 2, 3, 5, 6): no Kafka."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from kafkalab.course import nbcheck, selfcheck
from kafkalab.grading import exports, feedback, sanitize
from kafkalab.grading.result import GradeResult, Outcome
from kafkalab.progress import LogBar, bar

HIDDEN_LINE = "assert secret_expected == 42"


def _meta(cell, **nbg) -> None:  # noqa: ANN001
    cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "locked": False,
                                 "grade": False, "solution": False, **nbg}


def _error(ename: str, evalue: str, line: str) -> dict:
    return v4.new_output("error", ename=ename, evalue=evalue,
                         traceback=[f"----> 3 {line}", f"{ename}: {evalue}"])


def graded_notebook() -> nbformat.NotebookNode:
    """An autograded notebook: ex1 with two checks (one failed), ex2 whose check has no
    `# check:` line, and a written answer."""
    answer = v4.new_code_cell("def f():\n    return 1\n")
    _meta(answer, solution=True, grade_id="ex1_answer")
    ok = v4.new_code_cell("# check: f returns a number\nassert isinstance(f(), int)\n")
    _meta(ok, grade=True, locked=True, grade_id="test_ex1_type", points=1)
    bad = v4.new_code_cell("# check: f returns what the cluster holds\n"
                           f"### BEGIN HIDDEN TESTS\n{HIDDEN_LINE}, 'f() is not the count'\n"
                           "### END HIDDEN TESTS\n")
    _meta(bad, grade=True, locked=True, grade_id="test_ex1_cluster", points=2)
    bad.outputs = [v4.new_output("stream", name="stdout", text="expected 42\n"),
                   _error("AssertionError", "f() is not the count", HIDDEN_LINE)]
    plain = v4.new_code_cell("assert f() > 0\n")
    _meta(plain, grade=True, locked=True, grade_id="ex2-positive", points=1)
    plain.outputs = [_error("AssertionError", "", "assert f() > 0")]
    written = v4.new_markdown_cell("Because the log is replicated.")
    _meta(written, grade=True, solution=True, grade_id="ex3_answer", points=2)
    return v4.new_notebook(cells=[answer, ok, bad, plain, written])


def test_check_sentence_exercise_and_message() -> None:
    nb = graded_notebook()
    assert nbcheck.check_sentence(nb.cells[1]) == "f returns a number"
    assert nbcheck.check_sentence(nb.cells[3]) == "ex2-positive"  # no `# check:` line
    guarded = v4.new_code_cell("%%needs zookeeper\n# check: f reads ZooKeeper\nassert f()\n")
    assert nbcheck.check_sentence(guarded) == "f reads ZooKeeper"  # the magic must come first
    assert [nbcheck.exercise_of(g) for g in ("test_ex1_on_cluster", "ex1-at-least-once",
                                             "ex1_test", "test_ex_crashes", "test_layout")] \
        == ["ex1", "ex1", "ex1", "ex", "test_layout"]
    assert nbcheck.failure_message(nb.cells[2]) == "AssertionError: f() is not the count"
    assert "no message" in nbcheck.failure_message(nb.cells[3])
    assert nbcheck.failure_message(nb.cells[1]) == ""


def test_checks_give_points_per_check_and_wait_for_written_answers() -> None:
    found = feedback.checks(graded_notebook())
    assert [(c.grade_id, c.exercise, c.points, c.max_points) for c in found] == [
        ("test_ex1_type", "ex1", 1, 1), ("test_ex1_cluster", "ex1", 0, 2),
        ("ex2-positive", "ex2", 0, 1), ("ex3_answer", "ex3", None, 2)]
    assert found[1].message == "AssertionError: f() is not the count"
    assert found[3].message == feedback.MANUAL
    # the gradebook's scores win (a manual grade given by the instructor)
    graded = feedback.checks(graded_notebook(), {"ex3_answer": (1.5, 2.0)})
    assert graded[3].points == 1.5 and graded[3].message == ""


def test_feedback_page_lists_every_check_and_never_the_hidden_code() -> None:
    nb = graded_notebook()
    for cell in nb.cells:  # what nbgrader's GetGrades leaves in the metadata
        if nbcheck.is_grade(cell):
            meta = cell.metadata["nbgrader"]
            meta["score"] = None if cell.cell_type == "markdown" else (
                0 if nbcheck.cell_error(cell) else meta["points"])
    nb, _ = feedback.TeachChecks().preprocess(nb, {})
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter().from_notebook_node(nb)
    for shown in ("f returns a number", "f returns what the cluster holds", "ex2-positive",
                  "AssertionError: f() is not the count", feedback.MANUAL, "1 / 3"):
        assert shown.replace("'", "&#x27;") in page or shown in page, shown
    assert "secret_expected" not in page, "the hidden test's code reached the feedback"
    assert "expected 42" not in page, "a hidden test's printout reached the feedback"
    assert "BEGIN HIDDEN" not in page


def test_written_answer_is_not_tampering() -> None:
    release = graded_notebook()
    sub = graded_notebook()
    sub.cells[4].source = "My own words about replication."
    assert sanitize.tampering(sub, release) == []
    sub.cells[2].source = "pass"
    assert sanitize.tampering(sub, release) == [
        "test cell test_ex1_cluster was edited; the original was run"]


def result(student: str, points: dict[str, float | None], status: Outcome = Outcome.GRADED,
           digest: str = "d1") -> GradeResult:
    tops = {"test_ex1_type": 1.0, "test_ex1_cluster": 2.0, "ex2-positive": 1.0,
            "ex3_answer": 2.0}
    checks = [{"grade_id": g, "exercise": nbcheck.exercise_of(g), "sentence": f"about {g}",
               "points": p, "max_points": tops[g], "message": "" if p == tops[g] else "wrong"}
              for g, p in points.items()]
    return GradeResult(student, "00_welcome", sum(p or 0 for p in points.values()), 6.0,
                       status, "", 1.0, "bwrap", digest, checks=checks)


FULL = {"test_ex1_type": 1.0, "test_ex1_cluster": 2.0, "ex2-positive": 1.0, "ex3_answer": None}
HALF = {"test_ex1_type": 1.0, "test_ex1_cluster": 0.0, "ex2-positive": 1.0, "ex3_answer": 2.0}


def test_exports_parse_back_into_the_same_grades(tmp_path: Path) -> None:
    graded = {"00_welcome/ann": result("ann", FULL), "00_welcome/bo": result("bo", HALF)}
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,id,sis_login_id,section,email\n"
                      "ann,Ann Lee,101,alee,S1,ann@example.org\n")
    exports.write_all(tmp_path, graded, roster)
    with open(tmp_path / "canvas.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:5] == exports.CANVAS_FIXED
    assert rows[0]["Student"] == exports.POINTS_POSSIBLE and rows[0]["00_welcome"] == "6"
    canvas = {r["SIS Login ID"]: float(r["00_welcome"]) for r in rows[1:]}
    assert canvas == {"alee": 4.0, "bo": 4.0}
    assert rows[1]["Student"] == "Ann Lee" and rows[1]["ID"] == "101"
    with open(tmp_path / "moodle.csv", newline="") as fh:
        moodle = {r["Username"]: r for r in csv.DictReader(fh)}
    assert {u: float(r["00_welcome"]) for u, r in moodle.items()} == {"alee": 4.0, "bo": 4.0}
    assert "waiting for the instructor: ex3_answer" in moodle["alee"]["00_welcome feedback"]
    assert moodle["alee"]["Email address"] == "ann@example.org"
    for student, want in (("ann", FULL), ("bo", HALF)):
        env = (tmp_path / "classroom" / "00_welcome" / f"{student}.env").read_text()
        runners = (tmp_path / "classroom" / "00_welcome" / f"{student}.runners").read_text()
        got = {}
        for line in env.splitlines():
            name, value = line.split("=", 1)
            data = json.loads(base64.b64decode(value))
            assert data["version"] == 1 and len(data["tests"]) == 1
            # the reporter's rule: passed fraction of the runner's tests times its max_score
            passed = sum(t["status"] == "pass" for t in data["tests"]) / len(data["tests"])
            got[name.removesuffix("_RESULTS")] = passed * data["max_score"]
        assert {r.upper() for r in runners.strip().split(",")} == set(got)
        expect = {exports.runner_id(g).upper(): p for g, p in want.items() if p is not None}
        assert got == expect


def test_grades_csv_has_a_column_per_exercise(tmp_path: Path) -> None:
    from kafkalab.grading.runner import write_csv

    write_csv(tmp_path, {"00_welcome/ann": result("ann", FULL),
                         "00_welcome/bo": result("bo", HALF)})
    with open(tmp_path / "grades.csv", newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert (rows["ann"]["00_welcome:ex1"], rows["ann"]["00_welcome:ex2"],
            rows["ann"]["00_welcome:ex3"]) == ("3", "1", "0")
    assert rows["bo"]["00_welcome:ex1"] == "1" and rows["bo"]["00_welcome:ex3"] == "2"


def test_changes_list_exactly_the_changed_scores(tmp_path: Path) -> None:
    old = {"00_welcome/ann": result("ann", FULL), "00_welcome/bo": result("bo", HALF),
           "00_welcome/cy": result("cy", FULL)}
    new = {"00_welcome/ann": result("ann", FULL),  # unchanged
           "00_welcome/bo": result("bo", {**HALF, "test_ex1_cluster": 2.0}, digest="d2"),
           "00_welcome/cy": result("cy", {**FULL, "ex2-positive": 0.0})}
    rows = exports.changes(old, new)
    assert [(r["student"], r["exercise"], r["old"], r["new"]) for r in rows] == [
        ("bo", "ex1", "1", "3"), ("cy", "ex2", "1", "0")]
    assert rows[0]["why"].startswith("the submission changed")
    assert "test_ex1_cluster 0.0->2.0: passes now" in rows[0]["why"]
    assert rows[1]["why"].startswith("graded again") and "wrong" in rows[1]["why"]
    path = exports.write_changes(tmp_path, rows)
    with open(path, newline="") as fh:
        back = list(csv.DictReader(fh))
    assert back == rows and list(back[0]) == exports.CHANGE_FIELDS
    timeout = result("ann", {}, status=Outcome.TIMEOUT)
    timeout.score, timeout.reason = 0.0, "grading took longer than 600 s"
    lost = exports.changes({"a": result("ann", FULL)}, {"a": timeout})
    assert {(r["exercise"], r["new"]) for r in lost} == {("ex1", "0"), ("ex2", "0")}
    assert all("timeout: grading took longer" in r["why"] for r in lost)


def test_manual_cells_waiting_are_listed() -> None:
    graded = [result("ann", FULL), result("bo", HALF), result("cy", FULL)]
    assert exports.pending_manual(graded) == {"00_welcome/ex3_answer": ["ann", "cy"]}


def test_log_bar_writes_a_line_per_state_change_not_per_update() -> None:
    buf = io.StringIO()
    with bar(total=1000, desc="Downloading", unit="B", file=buf) as b:
        assert isinstance(b, LogBar)
        for _ in range(1000):
            b.update(1)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and "0/1000" in lines[0] and "1000/1000" in lines[1]
    buf = io.StringIO()
    b = bar(total=3, desc="grading", file=buf)
    for left in (2, 1, 0):
        b.update(1)
        b.set_postfix(remaining=left)
    b.close()
    assert len(buf.getvalue().splitlines()) == 4  # start + one per finished submission
    assert "\r" not in buf.getvalue()


def _student_copy(path: Path) -> Path:
    """A tiny student notebook: setup, an answer left blank, its self-check, a later cell."""
    setup = v4.new_code_cell("x = 1")
    _meta(setup, locked=True, grade_id="setup")
    answer = v4.new_code_cell("# YOUR CODE HERE\nraise NotImplementedError()")
    _meta(answer, solution=True, grade_id="ex1_answer")
    check = v4.new_code_cell("# check: double(2) is 4\nassert double(2) == 4, "
                             "'double(2) should be 4'")
    _meta(check, grade=True, locked=True, grade_id="test_ex1_double", points=1)
    later = v4.new_code_cell("y = x + 1\nprint('still runs', y)")
    nb = v4.new_notebook(cells=[setup, answer, check, later])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))
    return path


def test_selfcheck_problems_of_an_executed_notebook() -> None:
    nb = graded_notebook()
    found = selfcheck.problems(nb)
    assert [(p.kind, p.name, p.message) for p in found] == [
        ("self-check", "test_ex1_cluster", "AssertionError: f() is not the count"),
        ("self-check", "ex2-positive", nbcheck.failure_message(nb.cells[3]))]
    assert "f returns what the cluster holds" in found[0].line()


@pytest.mark.timeout(180)
def test_kafka_lab_check_runs_the_notebook_and_says_what_would_fail(tmp_path: Path) -> None:
    """The real command on a notebook that needs no Kafka: exit 1, the blank answer and its
    self-check reported with their messages, the later cell still ran, the file unchanged."""
    path = _student_copy(tmp_path / "student.ipynb")
    before = path.read_bytes()
    executed = tmp_path / "executed.ipynb"
    proc = subprocess.run([sys.executable, "-m", "kafkalab", "check", str(path), "--out",
                           str(executed)], capture_output=True, text=True, timeout=170,
                          cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    said = proc.stdout
    assert "0 of 1 self-check(s) pass; 2 cell(s) would fail" in said, said
    assert "answer ex1_answer: NotImplementedError" in said
    assert "self-check test_ex1_double (double(2) is 4): NameError" in said, said
    assert "Traceback" not in said and "without encryption" not in proc.stderr
    assert path.read_bytes() == before
    outputs = nbformat.read(str(executed), 4).cells[3].outputs
    assert "still runs 2" in outputs[0]["text"]


@pytest.mark.timeout(120)
def test_course_run_kernels_do_not_warn_about_tcp(tmp_path: Path) -> None:
    """The course run's engine (papermill with the IpcKernelManager) starts kernels on Unix
    sockets: the kernel's "running over TCP without encryption" warning is not printed."""
    code = f"""
import nbformat, papermill as pm
from nbformat import v4
from kafkalab.course.kernels import IpcKernelManager
nb = v4.new_notebook(cells=[v4.new_code_cell("print(6 * 7)")])
nb.metadata.kernelspec = {{"name": "python3", "display_name": "Python 3", "language": "python"}}
nbformat.write(nb, "{tmp_path}/in.ipynb")
pm.execute_notebook("{tmp_path}/in.ipynb", "{tmp_path}/out.ipynb", kernel_name="python3",
                    progress_bar=False, kernel_manager_class=IpcKernelManager)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=110)
    assert proc.returncode == 0, proc.stderr
    assert "without encryption" not in proc.stdout + proc.stderr
    out = nbformat.read(str(tmp_path / "out.ipynb"), 4)
    assert out.cells[0].outputs[0]["text"] == "42\n"


def test_the_course_run_uses_the_ipc_kernels(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    import papermill

    from kafkalab.course import run as course_run
    from kafkalab.course.kernels import IpcKernelManager
    from kafkalab.course.paths import CoursePaths, find_root

    seen: dict = {}
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **kw: seen.update(kw))
    course_run.run_one(CoursePaths(find_root(Path(__file__))), "00_welcome", tmp_path)
    assert seen["kernel_manager_class"] is IpcKernelManager
