"""The grading course folder (OUT): nbgrader config, gradebook, sources, submitted copies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..course import nbcheck
from ..course.paths import CoursePaths
from ..exceptions import KafkaLabError
from .collect import Submission


def stamp_gradebooks_in_process() -> None:
    """nbgrader stamps a new gradebook with its schema version, which it asks of the program
    ``alembic heads``: a process found on PATH that imports nbgrader again (about 5 s of CPU
    per grading run). The version is the head of nbgrader's own migration scripts: read it here,
    in this process, the way that program does (no PATH, no second interpreter)."""
    import nbgrader.api
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    def head() -> str:
        heads = ScriptDirectory(ALEMBIC_DIR).get_heads()
        if len(heads) != 1:
            raise KafkaLabError(f"nbgrader's migration scripts in {ALEMBIC_DIR} have "
                                f"{len(heads)} heads ({heads}), not one: reinstall nbgrader "
                                "(`python lab.py setup`)")
        return heads[0]

    nbgrader.api.get_alembic_version = head


def nbgrader_config(out: Path, cell_timeout: int, setup_timeout: int = 180,  # noqa: ANN201
                    all_cells: bool = False):
    """nbgrader's configuration for the grading folder ``out``, built in-process (a traitlets
    ``Config``; nothing is written as Python source). nbgrader is imported lazily (slow).
    Cells the instructor marked as demonstrations are not run unless ``all_cells``.
    Gradebooks this process creates are stamped in-process (:func:`stamp_gradebooks_in_process`)."""
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.preprocessors import Execute, GetGrades
    from traitlets.config import Config

    stamp_gradebooks_in_process()
    c = Config()
    c.CourseDirectory.root = str(out.resolve())
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.release_directory = "release"
    c.CourseDirectory.db_url = f"sqlite:///{(out / 'gradebook.db').resolve()}?timeout=120"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.log",
                                "ci_parameters.json"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    # per-cell time limit; an interrupted cell records a CellTimeoutError and grading goes on
    c.Execute.timeout = cell_timeout
    c.Execute.interrupt_on_timeout = True
    # locked setup cells (cluster start) get longer, and cells the instructor marked their own
    c.GuardedExecute.setup_timeout = max(setup_timeout, cell_timeout)
    c.GuardedExecute.marked_timeouts = marked_timeouts(out)
    # the instructor's demonstrations (nothing graded depends on them) are not run
    c.GuardedExecute.demos = [] if all_cells else sorted(demo_cells(out))
    # a deleted or renamed test cell is put back from the gradebook (so it cannot be skipped)
    c.OverwriteCells.add_missing_cells = True
    # the tampering report and the structure repair run first in nbgrader's sanitize step
    c.SanitizeCells.release_directory = str((out / "release").resolve())
    c.Autograde.sanitize_preprocessors = ["kafkalab.grading.sanitize.SanitizeCells"] + list(
        Autograde.class_traits()["sanitize_preprocessors"].default())
    # a dead kernel leaves the rest of the notebook scored zero instead of failing the run
    c.Autograde.autograde_preprocessors = [
        "kafkalab.grading.execute.GuardedExecute" if p is Execute else p
        for p in Autograde.class_traits()["autograde_preprocessors"].default()]
    # the feedback page lists every check with its sentence and message, never hidden code
    c.GenerateFeedback.preprocessors = [
        p for q in GenerateFeedback.class_traits()["preprocessors"].default()
        for p in ([q, "kafkalab.grading.feedback.TeachChecks"] if q is GetGrades else [q])]
    return c


def marked_timeouts(out: Path) -> dict[str, int]:
    """'assignment/grade_id' -> seconds for every cell marked ``kafkalab.timeout`` in the
    instructor's copies OUT/source/<assignment>/<assignment>.ipynb (prepared before any worker
    starts; a submission's own metadata is never read for this)."""
    found = {}
    for path in sorted((out / "source").glob("*/*.ipynb")):
        if path.stem != path.parent.name:
            continue
        for gid, seconds in nbcheck.marked_timeouts(nbcheck.read(path)).items():
            found[f"{path.stem}/{gid}"] = seconds
    return found


def demo_cells(out: Path) -> set[str]:
    """'assignment/grade_id' of every cell marked ``kafkalab.demo`` in the instructor's copies
    OUT/source/<assignment>/<assignment>.ipynb (never read from a submission)."""
    found = set()
    for path in sorted((out / "source").glob("*/*.ipynb")):
        if path.stem == path.parent.name:
            found |= {f"{path.stem}/{gid}" for gid in nbcheck.demo_cells(nbcheck.read(path))}
    return found


def max_points(paths: CoursePaths, assignment: str) -> float:
    return sum(g.max_points for g in nbcheck.grade_results(nbcheck.read(
        paths.solution(assignment))))


def prepare_assignment(paths: CoursePaths, out: Path, assignment: str) -> None:
    """Copy solutions/A to OUT/source/A and record it in the gradebook (generate_assignment),
    unless that was done already for the same source (a resumed run skips it)."""
    src_dir = paths.solutions / assignment
    digest = nbcheck.sha256(paths.solution(assignment))
    marker = out / "source" / f".{assignment}.sha256"
    if marker.is_file() and marker.read_text().strip() == digest and \
            (out / "gradebook.db").is_file():
        return
    dst = out / "source" / assignment
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src_dir, dst, ignore=shutil.ignore_patterns(".ipynb_checkpoints",
                                                                "__pycache__"))
    record_source(out, assignment)
    marker.write_text(digest + "\n")


def record_source(out: Path, assignment: str) -> None:
    """Record OUT/source/<assignment> in OUT's gradebook and make its release (nbgrader's
    generate_assignment, in a worker process: nbgrader is slow to import)."""
    proc = subprocess.run([sys.executable, "-m", "kafkalab.grading.worker", "generate",
                           str(out), assignment], capture_output=True, text=True, cwd=out)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise KafkaLabError(f"Could not record {assignment} in the gradebook:\n{tail}\nFix: "
                            f"check `kafka-lab course validate --only {assignment}`.")


def place(out: Path, sub: Submission) -> Path:
    """Copy a submission to OUT/submitted/<student>/<assignment>/ under the names nbgrader
    expects (a lone notebook is renamed to <assignment>.ipynb); return that folder."""
    dest = out / "submitted" / sub.student / sub.assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    chosen = sub.notebook
    for f in sub.files:
        if f.suffix == ".ipynb" and f != chosen:
            continue  # only the graded notebook goes to nbgrader
        shutil.copy2(f, dest / (f"{sub.assignment}.ipynb" if f == chosen else f.name))
    return dest
