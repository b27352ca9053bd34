"""Repair a submission's nbgrader structure before autograde, so tampering cannot earn points
and cannot crash nbgrader (it raises KeyError on a renamed grade_id, for example).

- a cell whose grade_id the release knows gets the release's nbgrader metadata back (so a
  test cell cannot be un-graded, unlocked or given other points);
- nbgrader metadata with an unknown or duplicate grade_id is removed (an ordinary cell);
- a locked, test or answer cell missing from the submission is put back from the release, after
  the nearest earlier cell that is present.

Edited sources of locked cells are restored by nbgrader itself (checksums, OverwriteCells),
which also restores the hidden tests.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode

from ..course.nbcheck import nbgrader_meta


def sanitize(sub: NotebookNode, release: NotebookNode) -> NotebookNode:
    known = {nbgrader_meta(c).get("grade_id"): c for c in release.cells if nbgrader_meta(c)}
    known.pop(None, None)
    seen: set[str] = set()
    for cell in sub.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in known and gid not in seen:
            cell.metadata["nbgrader"] = copy.deepcopy(known[gid].metadata["nbgrader"])
            seen.add(gid)
        elif "nbgrader" in cell.get("metadata", {}):
            del cell.metadata["nbgrader"]
    position = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(sub.cells)}
    for rel_index, cell in enumerate(release.cells):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid is None or gid in seen:
            continue
        meta = nbgrader_meta(cell)
        if not (meta.get("locked") or meta.get("grade") or meta.get("solution")):
            continue
        at = 0
        for prev in reversed(release.cells[:rel_index]):
            prev_id = nbgrader_meta(prev).get("grade_id")
            if prev_id in position:
                at = position[prev_id] + 1
                break
        sub.cells.insert(at, copy.deepcopy(cell))
        seen.add(gid)
        position = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(sub.cells)}
    return sub
