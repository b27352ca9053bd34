"""One grading job in its own process (the runner kills it, kernel and Kafka, on a time limit).

    python -m kafkalab.grading.worker generate OUT ASSIGNMENT
    python -m kafkalab.grading.worker serve OUT CELL_TIMEOUT [--all-cells]   # a JSON task a line

The worker is the grader: it runs outside every sandbox and alone writes the gradebook and the
results; each submission's kernel (and the Kafka it starts) runs in that submission's sandbox
(:mod:`kafkalab.grading.sandbox`), made before and destroyed after the submission.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
import time
import traceback
from pathlib import Path

from .. import procs
from ..course import nbcheck
from . import feedback, kernel, sanitize
from .course import nbgrader_config
from .result import GradeResult, Outcome
from .sandbox import SandboxKind, SandboxSpec


def _api(out: Path, cell_timeout: int = 30,  # noqa: ANN202 - nbgrader is imported lazily
         all_cells: bool = False):
    from nbgrader.apps import NbGraderAPI

    config = nbgrader_config(out, cell_timeout, all_cells=all_cells)
    return NbGraderAPI(config=config), config


def generate(out: Path, assignment: str) -> int:
    api, _ = _api(out)
    res = api.generate_assignment(assignment, force=True, create=True)
    if not res["success"]:
        print(res.get("log", ""), res.get("error", ""), file=sys.stderr)
        return 1
    return 0


def _cell_reason(cell, timeout: int) -> str:  # noqa: ANN001 - a notebook cell
    names = [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if "CellTimeoutError" in names or (names and names[0] == "KeyboardInterrupt"):
        return f"interrupted after the {timeout} s per-cell time limit"
    return nbcheck.cell_error(cell)


def failures(nb_path: Path, timeout: int) -> list[str]:
    """One line per test cell that scored less than its points, and where the kernel died or
    a non-test cell was interrupted."""
    if not nb_path.is_file():
        return []
    nb = nbcheck.read(nb_path)
    out = []
    for g in nbcheck.grade_results(nb):
        if g.points < g.max_points:
            out.append(f"{g.grade_id} (0/{g.max_points:g}): "
                       f"{_cell_reason(nb.cells[g.index], timeout)}")
    for cell in nb.cells:
        if cell.cell_type != "code" or nbcheck.is_grade(cell):
            continue
        reason = _cell_reason(cell, timeout)
        if reason.startswith(("KernelDied", "interrupted")):
            out.insert(0, f"{nbcheck.nbgrader_meta(cell).get('grade_id', 'a cell')}: {reason}")
            break
    return out


def _cause(text: str) -> str:
    """The exception line of the traceback nbgrader logged (not its generic summary)."""
    lines = [ln.strip() for ln in text.splitlines()]
    causes = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Interrupt)\b", ln)
              and "NbGraderException" not in ln]
    return (causes[-1] if causes else (lines[-1] if lines else "unknown error"))[:300]


def annotate_feedback(path: Path, reasons: list[str]) -> None:
    """Put the grader's reasons at the top of nbgrader's feedback page."""
    if not path.is_file() or not reasons:
        return
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    box = ("<div style='border:2px solid #c00;padding:8px;margin:8px'><b>Grader notes</b>"
           f"<ul>{items}</ul></div>")
    text = path.read_text()
    path.write_text(re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + box, text, count=1))


_APIS: dict[Path, tuple] = {}


def _sandbox(task: dict, student: str) -> SandboxSpec | None:
    box = task.get("sandbox") or {}
    kind = SandboxKind(box.get("kind", "none"))
    if kind is SandboxKind.NONE:
        return None
    if kind is SandboxKind.DOCKER:  # its containers go if this process dies, however it dies
        from ..backends.docker.engine import ensure_watchdog

        ensure_watchdog()
    return SandboxSpec.make(kind, f"{os.getpid()}-{student}", [Path(p) for p in box["hidden"]],
                            memory=int(box["memory"]), tasks=int(box["tasks"]))


def ensure_student(db_url: str, student: str) -> None:
    """Record ``student`` in the gradebook unless another worker just did. nbgrader's autograde
    creates a missing student with a find-then-insert that is not atomic: two workers grading
    one student's two assignments at once both find no row, and the second insert fails
    (UNIQUE constraint failed: student.id), losing that grade. After this, autograde finds
    the row."""
    from nbgrader.api import Gradebook, InvalidEntry

    with Gradebook(db_url) as gb:
        try:
            gb.update_or_create_student(student)
        except InvalidEntry:
            gb.db.rollback()
            gb.find_student(student)  # created by the other worker meanwhile (else: raise)


def grade(out: Path, task: dict) -> int:
    assignment, student = task["assignment"], task["student"]
    result_path = Path(task["result"])
    t0 = time.monotonic()
    os.environ["KAFKA_LAB_FRESH"] = "1"
    os.environ.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    api, config = _APIS[out]
    result = GradeResult(student, assignment, sandbox=(task.get("sandbox") or {}).get(
        "kind", "none"))
    spec = _sandbox(task, student)
    notes: list[str] = []
    try:
        if spec is not None:  # the submission's other files, beside its kernel
            for f in (out / "submitted" / student / assignment).iterdir():
                if f.is_file() and f.suffix != ".ipynb":
                    shutil.copy2(f, spec.scratch / f.name)
        kernel.use(spec)
        t1 = time.monotonic()
        ensure_student(config.CourseDirectory.db_url, student)
        res = api.autograde(assignment, student, force=True, create=True)
        t2 = time.monotonic()
    finally:
        kernel.use(None)
        if spec is not None:
            if note := spec.memory_note():
                notes.append(note)
            spec.close()  # every process of the submission ends here
    notes = sanitize.NOTES.pop((assignment, student), []) + notes
    log = res.get("log", "") or ""
    print(log, res.get("error") or "", sep="\n", flush=True)  # into the runner's log file
    if not res["success"]:
        result.status = Outcome.ERROR
        result.reason = "; ".join(notes + [
            "nbgrader could not grade it: " + _cause(log + "\n" + (res.get("error") or ""))])
    else:
        from nbgrader.api import Gradebook

        graded = out / "autograded" / student / assignment / f"{assignment}.ipynb"
        with Gradebook(config.CourseDirectory.db_url) as gb:
            sub = gb.find_submission(assignment, student)
            result.status = Outcome.GRADED
            result.score, result.max_score = float(sub.score), float(sub.max_score)
            scores = {g.name: (None if g.needs_manual_grade or g.score is None
                               else float(g.score), float(g.max_score))
                      for nb in sub.notebooks for g in nb.grades}
        if graded.is_file():
            result.checks = [c.as_dict() for c in feedback.checks(nbcheck.read(graded), scores)]
        notes += failures(graded, int(config.Execute.timeout))
        notes += [f"{gid}: {feedback.MANUAL}" for gid in result.manual]
        result.reason = "; ".join(notes)
        fb = api.generate_feedback(assignment, student, force=True)
        page = out / "feedback" / student / assignment / f"{assignment}.html"
        if fb["success"]:
            annotate_feedback(page, notes)
            result.feedback = str(page)
        else:
            result.reason += "; feedback page failed: " + str(fb.get("error", ""))[-200:]
    result.seconds = round(time.monotonic() - t0, 2)
    result.phases = {"start": round(t1 - t0, 2), "autograde": round(t2 - t1, 2),
                     "feedback": round(time.monotonic() - t2, 2)}
    result.write(result_path)
    return 0


def serve(out: Path, cell_timeout: int, all_cells: bool = False) -> int:
    """Grade one submission per line of stdin (JSON: assignment, student, result, log), each
    with its output (and its kernel's) in its own log file; answer ``DONE`` on the original
    stdout. Saves the start-up cost of Python and nbgrader for every submission. It dies with
    the runner (it is the runner's :class:`kafkalab.procs.Child`), its kernels with it."""
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    # the slow imports happen before the first submission's clock, and may overlap the
    # runner's preparation of OUT; the configuration reads OUT/source, so it waits for a task
    import nbgrader.apps  # noqa: F401
    proto.write("READY\n")
    for line in sys.stdin:
        task = json.loads(line)
        if out not in _APIS:
            _APIS[out] = _api(out, cell_timeout, all_cells)
        with open(task["log"], "ab") as log:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            try:
                grade(out, task)
            except Exception:
                traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
        proto.write(f"DONE {task['assignment']}/{task['student']}\n")
    return 0


def main(argv: list[str]) -> int:
    procs.use_scripts_dir()  # nbgrader runs `alembic` by name: a venv need not be activated
    if len(argv) == 3 and argv[0] == "generate":
        return generate(Path(argv[1]).resolve(), argv[2])
    if len(argv) in (3, 4) and argv[0] == "serve" and argv[3:] in ([], ["--all-cells"]):
        return serve(Path(argv[1]).resolve(), int(argv[2]), all_cells=len(argv) == 4)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
