"""`kafka-lab check NOTEBOOK`: what would fail, and why, before a student submits.

Runs the student's own notebook headless, top to bottom, as the grader will: a fresh Kafka
cluster (``KAFKA_LAB_FRESH=1``), the grader's per-cell limit (30 s; locked setup cells 180 s),
every cell run even after one fails, the lesson's demonstrations (cells marked
``kafkalab.demo``) skipped. The student's copy holds only the visible self-checks (the
hidden tests exist only in the instructor's source), so it reports those, the answer cells
that raise, and any other cell that fails, each with its one-line message, never a traceback.
The notebook file is not changed (``--out`` keeps the executed copy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from . import nbcheck
from .kernels import IpcKernelManager

CELL_TIMEOUT = nbcheck.CELL_TIMEOUT  # the grader's default limit (kafka-lab grade --timeout)


@dataclass
class Problem:
    index: int  # the cell's position (0-based) in the notebook
    kind: str  # "answer", "self-check", "setup" or "cell"
    name: str  # grade_id, or "cell N"
    what: str  # the check's sentence ("" for cells that are not checks)
    message: str

    def line(self) -> str:
        what = f" ({self.what})" if self.what and self.what != self.name else ""
        return f"cell {self.index + 1}, {self.kind} {self.name}{what}: {self.message}"


def _kind(cell: NotebookNode) -> str:
    if nbcheck.is_solution(cell):
        return "answer"
    if nbcheck.is_grade(cell):
        return "self-check"
    return "setup" if nbcheck.nbgrader_meta(cell).get("locked") else "cell"


def problems(nb: NotebookNode, cell_timeout: int = CELL_TIMEOUT) -> list[Problem]:
    """Every code cell of an executed notebook that ended in an error."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not nbcheck.cell_error(cell):
            continue
        names = [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") ==
                 "error"]
        message = nbcheck.failure_message(cell)
        if "CellTimeoutError" in names or "DeadKernelError" in names:
            limit = nbcheck.time_limit(cell, cell_timeout)
            message = (f"did not finish within the grader's {limit} s "
                       "per-cell limit (a loop without an end, or a wait that is too long?)")
        gid = nbcheck.nbgrader_meta(cell).get("grade_id") or f"cell {i + 1}"
        what = nbcheck.check_sentence(cell) if nbcheck.is_grade(cell) else ""
        found.append(Problem(i, _kind(cell), gid, what, message))
    return found


def run(path: Path, cell_timeout: int = CELL_TIMEOUT, out: Path | None = None
        ) -> tuple[NotebookNode, list[Problem]]:
    """Execute ``path`` (errors allowed, the grader's limits) and return it with its problems."""
    from nbclient import NotebookClient

    nb = nbcheck.read(path)
    os.environ["KAFKA_LAB_FRESH"] = "1"  # a private cluster, as in the grader
    os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True,
                            interrupt_on_timeout=True, kernel_name="python3",
                            kernel_manager_class=IpcKernelManager,
                            timeout_func=lambda cell: nbcheck.time_limit(cell, cell_timeout),
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    demos = [c for c in nb.cells if c.cell_type == "code" and _demo(c)]
    for cell in demos:  # not executed, as by the grader (nbclient runs code cells only)
        cell.cell_type = "raw"
    try:
        client.execute()
    except Exception as exc:  # the kernel died: report what ran so far, and that
        nb.cells.append(_died(exc))
    finally:
        for cell in demos:
            cell.cell_type, cell.execution_count = "code", None
            cell.outputs = [_note(nbcheck.demo_note("`kafka-lab check`, as by the grader"))]
    if out is not None:
        import nbformat

        nbformat.write(nb, str(out))
    return nb, problems(nb, cell_timeout)


def _demo(cell: NotebookNode) -> bool:
    try:
        return nbcheck.is_demo(cell)
    except ValueError:  # a marking the grader would not honour either
        return False


def _note(text: str) -> NotebookNode:
    from nbformat import v4

    return v4.new_output("stream", name="stdout", text=text)


def _died(exc: Exception) -> NotebookNode:
    from nbformat import v4

    cell = v4.new_code_cell("# (the kernel stopped here)")
    cell.outputs = [v4.new_output("error", ename=type(exc).__name__,
                                  evalue=str(exc).splitlines()[0][:300] if str(exc) else "",
                                  traceback=[])]
    return cell


def report(nb: NotebookNode, found: list[Problem]) -> str:
    checks = [c for c in nb.cells if c.cell_type == "code" and nbcheck.is_grade(c)]
    failed_checks = [p for p in found if p.kind == "self-check"]
    lines = [f"{len(checks) - len(failed_checks)} of {len(checks)} self-check(s) pass; "
             f"{len(found)} cell(s) would fail:" if found else
             f"all {len(checks)} self-check(s) pass and no cell fails. (The grader also runs "
             "hidden tests, which this copy does not hold.)"]
    lines += [f"  - {p.line()}" for p in found]
    return "\n".join(lines)
