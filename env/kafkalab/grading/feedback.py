"""Feedback that teaches: every check of every exercise, its points, what it checks, and for a
failed check the assertion's message, never the hidden test's code.

:class:`TeachChecks` runs in nbgrader's ``generate_feedback`` after ``GetGrades`` (which puts each
grade cell's score from the gradebook into its metadata). It puts a table of the checks at the
top of the page and, in the notebook below it, replaces each graded test cell's source by its
one sentence (contract D: the cell's first line ``# check: ...``, else its grade_id) and each
error's traceback by its one-line message. :func:`checks` gives the same rows to the grader
(``grades.csv``'s per-exercise columns, the LMS exports, ``changes.csv``).
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass

from nbformat import NotebookNode, v4
from nbgrader.preprocessors import NbGraderPreprocessor

from ..course import nbcheck

MANUAL = "written answer: to grade by hand"
HIDDEN = "### BEGIN HIDDEN TESTS"


@dataclass
class Check:
    grade_id: str
    exercise: str
    sentence: str
    points: float | None  # None: a written answer not graded yet
    max_points: float
    message: str  # why it failed ("" when it passed), or MANUAL

    @property
    def passed(self) -> bool:
        return self.points is not None and self.points >= self.max_points

    def as_dict(self) -> dict:
        return asdict(self)


def checks(nb: NotebookNode, scores: dict[str, tuple[float | None, float]] | None = None
           ) -> list[Check]:
    """Every graded cell of an autograded notebook, in notebook order. ``scores`` (grade_id ->
    (score, max) from the gradebook) wins over the notebook's own outputs when given; without
    it a code check scores full points unless it raised (nbgrader's rule)."""
    found = []
    for cell in nb.cells:
        if not nbcheck.is_grade(cell):
            continue
        meta = nbcheck.nbgrader_meta(cell)
        gid = str(meta.get("grade_id", ""))
        top = float(meta.get("points", 0) or 0)
        manual = nbcheck.is_manual(cell)
        if scores is not None and gid in scores:
            score, top = scores[gid]
        elif manual:
            score = None
        else:
            score = 0.0 if nbcheck.cell_error(cell) else top
        if manual:
            sentence = "your written answer, read and graded by the instructor"
            message = MANUAL if score is None else ""
        else:
            sentence = nbcheck.check_sentence(cell)
            message = nbcheck.failure_message(cell) if score is None or score < top else ""
            if score is not None and score < top and not message:
                message = "the check did not run to its end (an earlier cell stopped the kernel?)"
        found.append(Check(gid, nbcheck.exercise_of(gid), sentence, score, top, message))
    return found


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:g}"


def table_html(found: list[Check]) -> str:
    """The checks as an HTML table, grouped by exercise, with a subtotal per exercise."""
    rows = []
    exercises: dict[str, list[Check]] = {}
    for c in found:
        exercises.setdefault(c.exercise, []).append(c)
    for ex, group in exercises.items():
        got = sum(c.points or 0 for c in group)
        top = sum(c.max_points for c in group)
        rows.append(f"<tr style='background:#eee'><th colspan='3' style='text-align:left'>"
                    f"{html.escape(ex)}</th><th>{got:g} / {top:g}</th></tr>")
        for c in group:
            mark = "✔" if c.passed else ("✎" if c.points is None else "✘")
            why = (f"<br><span class='check-message' style='color:#a00'>"
                   f"{html.escape(c.message)}</span>" if c.message else "")
            rows.append(f"<tr class='check' data-grade-id='{html.escape(c.grade_id)}'>"
                        f"<td>{mark}</td><td><code>{html.escape(c.grade_id)}</code></td>"
                        f"<td>{html.escape(c.sentence)}{why}</td>"
                        f"<td>{_fmt(c.points)} / {c.max_points:g}</td></tr>")
    return ("<div class='kafka-lab-checks'><h2>Checks</h2><p>Every check ran, also after "
            "one failed; each gives its own points.</p><table>"
            "<tr><th></th><th>check</th><th>what it checks</th><th>points</th></tr>"
            + "".join(rows) + "</table></div>")


class TeachChecks(NbGraderPreprocessor):
    """nbgrader preprocessor (generate_feedback, after GetGrades): the checks table on top;
    test cells show their sentence, not their code; errors their message, not a traceback."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        scores = {}
        waiting = self._waiting(nb, resources)
        for cell in nb.cells:
            meta = nbcheck.nbgrader_meta(cell)
            if nbcheck.is_grade(cell) and "score" in meta:
                gid, score = str(meta.get("grade_id")), meta.get("score")
                scores[gid] = (None if score is None or gid in waiting else float(score),
                               float(meta.get("points", 0) or 0))
        found = checks(nb, scores)
        for cell in nb.cells:
            if cell.cell_type != "code" or not nbcheck.is_grade(cell):
                continue
            hidden = HIDDEN in cell.source
            cell.source = f"# check: {nbcheck.check_sentence(cell)}"
            kept = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [nbcheck.failure_message(cell) or out.get("ename", "")]
                    kept.append(out)
                elif not hidden:  # what a visible self-check prints, the student saw it too
                    kept.append(out)
            cell.outputs = kept
        nb.cells.insert(0, v4.new_markdown_cell(table_html(found)))
        return nb, resources

    @staticmethod
    def _waiting(nb: NotebookNode, resources: dict) -> set[str]:
        """Written answers the instructor has not graded yet (nbgrader gives them score 0)."""
        info = resources.get("nbgrader", {})
        manual = [str(nbcheck.nbgrader_meta(c).get("grade_id")) for c in nb.cells
                  if nbcheck.is_manual(c)]
        if not manual or "db_url" not in info:
            return set()
        from nbgrader.api import Gradebook

        with Gradebook(info["db_url"]) as gb:
            return {gid for gid in manual if gb.find_grade(
                gid, info["notebook"], info["assignment"], info["student"]).needs_manual_grade}
