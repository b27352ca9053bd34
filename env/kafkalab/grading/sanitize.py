"""Repair a submission's nbgrader structure before autograde, so tampering cannot earn points
and cannot crash nbgrader (it raises KeyError on a renamed grade_id, for example).

- a cell whose grade_id the release knows gets the release's nbgrader metadata back (so a
  test cell cannot be un-graded, unlocked or given other points);
- nbgrader metadata with an unknown or duplicate grade_id is removed (an ordinary cell);
- a locked, test or answer cell missing from the submission is put back from the release, after
  the nearest earlier cell that is present.

Edited sources of locked cells are restored by nbgrader itself (checksums, OverwriteCells),
which also restores the hidden tests. :class:`SanitizeCells` does both the repair and the
tampering report as the first step of nbgrader's own sanitize pipeline.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_locked, is_solution
from traitlets import Unicode

# (assignment, student) -> what the student changed; read by the worker after autograde
NOTES: dict[tuple[str, str], list[str]] = {}


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _structural(cell: NotebookNode) -> bool:
    return is_locked(cell) or is_grade(cell) or is_solution(cell)


def sanitize(sub: NotebookNode, release: NotebookNode) -> NotebookNode:
    known = {_meta(c).get("grade_id"): c for c in release.cells if _meta(c)}
    known.pop(None, None)
    seen: set[str] = set()
    for cell in sub.cells:
        gid = _meta(cell).get("grade_id")
        if gid in known and gid not in seen:
            cell.metadata["nbgrader"] = copy.deepcopy(known[gid].metadata["nbgrader"])
            seen.add(gid)
        elif "nbgrader" in cell.get("metadata", {}):
            del cell.metadata["nbgrader"]
    position = {_meta(c).get("grade_id"): i for i, c in enumerate(sub.cells)}
    for rel_index, cell in enumerate(release.cells):
        gid = _meta(cell).get("grade_id")
        if gid is None or gid in seen or not _structural(cell):
            continue
        at = 0
        for prev in reversed(release.cells[:rel_index]):
            prev_id = _meta(prev).get("grade_id")
            if prev_id in position:
                at = position[prev_id] + 1
                break
        sub.cells.insert(at, copy.deepcopy(cell))
        seen.add(gid)
        position = {_meta(c).get("grade_id"): i for i, c in enumerate(sub.cells)}
    return sub


def tampering(sub: NotebookNode, release: NotebookNode) -> list[str]:
    """What the student changed in locked or test cells (nbgrader grades the originals).

    Answer cells are the student's to edit, also those graded by hand (a written answer is
    both an answer and a grade cell): editing them is never tampering."""
    cells = {_meta(c).get("grade_id"): c for c in sub.cells}
    notes = []
    for cell in release.cells:
        gid = _meta(cell).get("grade_id")
        if not gid or not (is_locked(cell) or is_grade(cell)):
            continue
        if is_solution(cell):  # an answer (e.g. a written answer graded by hand): the
            continue           # student's to write; its points come from the release anyway
        kind = "test cell" if is_grade(cell) else "locked cell"
        mine = cells.get(gid)
        if mine is None:
            notes.append(f"{kind} {gid} was deleted or renamed; the original was put back")
            continue
        if mine.source != cell.source:
            notes.append(f"{kind} {gid} was edited; the original was run")
        if is_grade(cell) and _meta(mine).get("points") != _meta(cell).get("points"):
            notes.append(f"{kind} {gid} had its points changed; the original points count")
    return notes


class SanitizeCells(NbGraderPreprocessor):
    """nbgrader preprocessor: report tampering, then repair the structure from the release."""

    release_directory = Unicode("", help="the release folder (<root>/release)").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources.get("nbgrader", {})
        assignment, student = info.get("assignment"), info.get("student")
        name = info.get("notebook")
        release_path = Path(self.release_directory) / str(assignment) / f"{name}.ipynb"
        if not release_path.is_file():
            return nb, resources
        release = nbformat.read(str(release_path), as_version=4)
        NOTES[(str(assignment), str(student))] = tampering(nb, release)
        return sanitize(nb, release), resources
