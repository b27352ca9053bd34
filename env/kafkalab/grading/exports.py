"""Grades an LMS can import, and what a regrade changed.

Written by the grader (never a kernel) next to ``grades.csv`` in OUT (the columns each format
reads are documented in grader/README.md):

- ``canvas.csv``: Canvas's gradebook import (``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one column per assignment; the second row ``Points Possible``);
- ``moodle.csv``: Moodle's CSV grade import (a user identifier column, then one grade column
  and one feedback column per assignment, mapped in the import form);
- ``classroom/<assignment>/<student>.env``: GitHub Classroom's autograding reporter input
  (``<RUNNER>_RESULTS`` = base64 JSON, one runner per check so each keeps its own points) and
  ``...<student>.runners`` (the comma-separated runner ids for the reporter's ``runners``);
- ``changes.csv`` (``--regrade``): student, assignment, exercise, old, new, why.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

from .result import GradeResult, Outcome

CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"
ROSTER_FIELDS = ("name", "id", "sis_user_id", "sis_login_id", "section", "username", "email")
CHANGE_FIELDS = ["student", "assignment", "exercise", "old", "new", "why"]


def exercise_columns(results: Iterable[GradeResult]) -> list[str]:
    """``assignment:exercise`` columns, by assignment, exercises in notebook order."""
    cols: dict[str, None] = {}
    for r in sorted(results, key=lambda r: r.assignment):
        for ex in r.exercises():
            cols.setdefault(f"{r.assignment}:{ex}", None)
    return list(cols)


def exercise_cells(result: GradeResult) -> dict[str, str]:
    return {f"{result.assignment}:{ex}": f"{got:g}" for ex, (got, _) in
            result.exercises().items()}


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(text)
    tmp.replace(path)
    return path


def read_roster(path: Path | None) -> dict[str, dict[str, str]]:
    """An optional roster CSV: a ``student`` column (nbgrader's id) and any of name, id,
    sis_user_id, sis_login_id, section, username, email. Without one the student id stands
    in for the LMS login (Canvas's SIS Login ID, Moodle's username)."""
    if path is None:
        return {}
    with open(path, newline="") as fh:
        return {row["student"]: {k: (row.get(k) or "") for k in ROSTER_FIELDS}
                for row in csv.DictReader(fh) if row.get("student")}


def _who(student: str, roster: dict[str, dict[str, str]]) -> dict[str, str]:
    known = roster.get(student, {})
    return {"name": known.get("name") or student, "id": known.get("id", ""),
            "sis_user_id": known.get("sis_user_id", ""),
            "sis_login_id": known.get("sis_login_id") or known.get("username") or student,
            "section": known.get("section", ""),
            "username": known.get("username") or known.get("sis_login_id") or student,
            "email": known.get("email", "")}


def _tables(results: Iterable[GradeResult]) -> tuple[list[str], dict[str, float],
                                                     dict[str, dict[str, GradeResult]]]:
    by_student: dict[str, dict[str, GradeResult]] = {}
    tops: dict[str, float] = {}
    for r in results:
        by_student.setdefault(r.student, {})[r.assignment] = r
        tops[r.assignment] = max(tops.get(r.assignment, 0.0), r.max_score)
    return sorted(tops), tops, by_student


def canvas_csv(results: Iterable[GradeResult], roster: dict | None = None) -> str:
    assignments, tops, by_student = _tables(results)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CANVAS_FIXED + assignments)
    w.writerow([POINTS_POSSIBLE, "", "", "", ""] + [f"{tops[a]:g}" for a in assignments])
    for student in sorted(by_student):
        who = _who(student, roster or {})
        grades = by_student[student]
        w.writerow([who["name"], who["id"], who["sis_user_id"], who["sis_login_id"],
                    who["section"]] + [f"{grades[a].score:g}" if a in grades else ""
                                       for a in assignments])
    return buf.getvalue()


def _feedback_line(r: GradeResult) -> str:
    if r.status is not Outcome.GRADED:
        return f"not graded ({r.status.value}): {r.reason}"
    per = "; ".join(f"{ex} {got:g}/{top:g}" for ex, (got, top) in r.exercises().items())
    waiting = f"; waiting for the instructor: {', '.join(r.manual)}" if r.manual else ""
    return per + waiting


def moodle_csv(results: Iterable[GradeResult], roster: dict | None = None) -> str:
    assignments, _, by_student = _tables(results)
    buf = io.StringIO()
    w = csv.writer(buf)
    head = ["Username", "Email address"]
    for a in assignments:
        head += [a, f"{a} feedback"]
    w.writerow(head)
    for student in sorted(by_student):
        who = _who(student, roster or {})
        row = [who["username"], who["email"]]
        for a in assignments:
            r = by_student[student].get(a)
            row += [f"{r.score:g}", _feedback_line(r)] if r else ["", ""]
        w.writerow(row)
    return buf.getvalue()


def runner_id(grade_id: str) -> str:
    """A check's runner id for the reporter (it reads the variable ``<ID upper>_RESULTS``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", grade_id).lower()


def classroom_runners(result: GradeResult) -> dict[str, dict]:
    """One reporter runner per check (the reporter scores a runner as the passed fraction of
    its tests times its max_score, so one test per runner keeps each check's own points)."""
    runners = {}
    for c in result.checks:
        if c["points"] is None:
            continue  # a written answer: the instructor grades it, not the reporter
        ok = c["points"] >= c["max_points"]
        runners[runner_id(c["grade_id"])] = {
            "version": 1, "status": "pass" if ok else "fail", "max_score": c["max_points"],
            "tests": [{"name": c["sentence"], "status": "pass" if ok else "fail",
                       "message": c["message"], "score": c["points"]}]}
    if not runners:  # not graded at all: one failing runner that says why
        runners["grading"] = {"version": 1, "status": "error", "max_score": result.max_score,
                              "tests": [{"name": "grading", "status": "error",
                                         "message": result.reason, "score": 0}]}
    return runners


def classroom_env(result: GradeResult) -> str:
    return "".join(f"{rid.upper()}_RESULTS="
                   f"{base64.b64encode(json.dumps(res).encode()).decode()}\n"
                   for rid, res in classroom_runners(result).items())


def write_all(out: Path, results: dict[str, GradeResult], roster: Path | None = None
              ) -> list[Path]:
    """Every export of ``results`` (all assignments graded into OUT so far)."""
    people = read_roster(roster)
    rs = list(results.values())
    written = [_write(out / "canvas.csv", canvas_csv(rs, people)),
               _write(out / "moodle.csv", moodle_csv(rs, people))]
    for r in rs:
        base = out / "classroom" / r.assignment / r.student
        written.append(_write(base.with_suffix(".env"), classroom_env(r)))
        _write(base.with_suffix(".runners"), ",".join(classroom_runners(r)) + "\n")
    return written


def changes(old: dict[str, GradeResult], new: dict[str, GradeResult]) -> list[dict[str, str]]:
    """Every exercise whose score differs between two gradings of the same submissions."""
    rows = []
    for key in sorted(set(old) & set(new)):
        a, b = old[key], new[key]
        why_base = ("the submission changed" if a.digest and b.digest and a.digest != b.digest
                    else "graded again")
        ea, eb = a.exercises(), b.exercises()
        found = False
        for ex in list(dict.fromkeys([*eb, *ea])):
            was, now = ea.get(ex, (0.0, 0.0))[0], eb.get(ex, (0.0, 0.0))[0]
            if was == now:
                continue
            found = True
            before = {c["grade_id"]: c for c in a.checks if c["exercise"] == ex}
            details = []
            for c in (c for c in b.checks if c["exercise"] == ex):
                prev = before.get(c["grade_id"], {}).get("points")
                if prev != c["points"]:
                    details.append(f"{c['grade_id']} {prev if prev is not None else '-'}"
                                   f"->{c['points'] if c['points'] is not None else '-'}: "
                                   + (c["message"] or "passes now"))
            if not b.checks and b.status is not Outcome.GRADED:
                details.append(f"{b.status.value}: {b.reason}")
            rows.append({"student": b.student, "assignment": b.assignment, "exercise": ex,
                         "old": f"{was:g}", "new": f"{now:g}",
                         "why": "; ".join([why_base, *details])})
        if not found and a.score != b.score:
            rows.append({"student": b.student, "assignment": b.assignment, "exercise": "total",
                         "old": f"{a.score:g}", "new": f"{b.score:g}",
                         "why": f"{why_base}; {b.status.value}: {b.reason}".rstrip(": ")})
    return rows


def write_changes(out: Path, rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CHANGE_FIELDS)
    w.writeheader()
    w.writerows(rows)
    return _write(out / "changes.csv", buf.getvalue())


def pending_manual(results: Iterable[GradeResult]) -> dict[str, list[str]]:
    """``assignment/grade_id`` -> the students whose written answer waits for the instructor."""
    waiting: dict[str, list[str]] = {}
    for r in results:
        for gid in r.manual:
            waiting.setdefault(f"{r.assignment}/{gid}", []).append(r.student)
    return {k: sorted(v) for k, v in sorted(waiting.items())}
