"""Where submissions are graded: this machine's worker pool, or a Dask distributed cluster.

The runner asks for an executor (:func:`executor`) and calls ``submit(grade_one, out, sub,
digest, opts, top)`` on it, getting a ``Future[GradeResult]``:

- local (default): a thread pool; each thread drives one ``kafkalab.grading.worker`` process
  (``runner.grade_one``), as before;
- dask (``--dask-scheduler tcp://HOST:8786``): each submission goes to a Dask worker as bytes
  (the assignment's source folder and the submitted files). There :func:`grade_remote` grades
  it with the very same code (``runner.grade_one``: a grading worker process, the submission's
  kernel and Kafka in its own sandbox on that machine) in a private scratch course folder, and
  sends back the ``GradeResult``, the autograded notebook and the feedback page. The grading
  process alone writes them into OUT and records the scores in the one gradebook
  (:func:`record`); the Dask worker's scratch gradebook is thrown away.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..exceptions import DaskUnavailableError
from . import runner
from .collect import Submission
from .result import GradeResult, Outcome


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
            and ".ipynb_checkpoints" not in p.parts}


def _unpack(files: dict[str, bytes], folder: Path) -> list[Path]:
    written = []
    for rel, data in files.items():
        path = (folder / rel).resolve()
        if not path.is_relative_to(folder.resolve()):
            raise ValueError(f"refusing to write outside {folder}: {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


_scratch: dict[str, Path] = {}  # on a Dask worker: one course folder per process
_scratch_lock = threading.Lock()


def _course_folder(assignment: str, source: dict[str, bytes]) -> Path:
    """This Dask worker process's scratch course folder, holding ``assignment`` recorded from
    ``source`` (done once per assignment and source; removed when the process ends)."""
    digest = hashlib.sha256(b"".join(k.encode() + v for k, v in sorted(source.items())))
    with _scratch_lock:
        if "root" not in _scratch:
            _scratch["root"] = Path(tempfile.mkdtemp(prefix="kafka-lab-dask-"))
            atexit.register(shutil.rmtree, _scratch["root"], True)
        out = _scratch["root"] / "out"
        marker = out / "source" / f".{assignment}.remote"
        if not marker.is_file() or marker.read_text() != digest.hexdigest():
            from . import course

            shutil.rmtree(out / "source" / assignment, ignore_errors=True)
            _unpack(source, out / "source" / assignment)
            course.record_source(out, assignment)
            marker.write_text(digest.hexdigest())
        return out


def grade_remote(task: dict[str, Any]) -> dict[str, Any]:
    """Runs on a Dask worker: grade one submission there (in this process's scratch course
    folder, with a grading worker process kept per thread, as on one machine)."""
    assignment, student = task["assignment"], task["student"]
    out = _course_folder(assignment, task["source"])
    given = Path(tempfile.mkdtemp(prefix="given-", dir=out.parent))
    try:
        sub = Submission(student, assignment, tuple(_unpack(task["files"], given)))
        opts = replace(task["opts"], out=out, jobs=1, progress=False,
                       hidden=(*task["opts"].hidden, out.parent))
        result = runner.grade_one(out, sub, task["digest"], opts, task["top"])
        back = {}
        for rel in (f"autograded/{student}/{assignment}/{assignment}.ipynb",
                    f"feedback/{student}/{assignment}/{assignment}.html",
                    f"logs/{assignment}/{student}.log"):
            if (out / rel).is_file():
                back[rel] = (out / rel).read_bytes()
        return {"result": result.to_dict(), "files": back}
    finally:
        shutil.rmtree(given, ignore_errors=True)
        for folder in ("submitted", "autograded", "feedback"):
            shutil.rmtree(out / folder / student / assignment, ignore_errors=True)


def record(out: Path, result: GradeResult, files: dict[str, bytes]) -> GradeResult:
    """Put what a Dask worker sent back into OUT, and its scores into OUT's gradebook."""
    from nbgrader.api import Gradebook

    _unpack(files, out)
    fb = f"feedback/{result.student}/{result.assignment}/{result.assignment}.html"
    result.feedback = str(out / fb) if fb in files else runner.fallback_feedback(out, result)
    if result.status is not Outcome.GRADED:
        return result
    scores = {c["grade_id"]: c["points"] for c in result.checks}
    with Gradebook(f"sqlite:///{(out / 'gradebook.db').resolve()}?timeout=120") as gb, \
            warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn about its own session use
        warnings.simplefilter("ignore")
        gb.update_or_create_student(result.student)
        gb.update_or_create_submission(result.assignment, result.student)
        nb = gb.find_submission_notebook(result.assignment, result.assignment, result.student)
        for grade in nb.grades:
            if grade.name in scores:
                grade.auto_score = scores[grade.name]
                grade.needs_manual_grade = scores[grade.name] is None
        gb.db.commit()
    return result


class DaskPool(ThreadPoolExecutor):
    """Hands each submission to a Dask cluster; a local thread per submission in flight waits
    for its result and records it (so the runner's loop, bar and CSV work unchanged)."""

    def __init__(self, address: str, paths_solutions: Path) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise DaskUnavailableError(address, "not installed") from exc
        try:
            self.client = Client(address, timeout=30, set_as_default=False)
        except OSError as exc:
            raise DaskUnavailableError(address, str(exc)) from exc
        threads = sum(w.get("nthreads", 1) for w in
                      self.client.scheduler_info()["workers"].values()) or 1
        super().__init__(max_workers=max(2, 2 * threads))
        self.solutions = paths_solutions

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        """``fn`` is the runner's local grading function; here the same function runs on a
        Dask worker instead (:func:`grade_remote`)."""
        return super().submit(self._remote, *args)

    def _remote(self, out: Path, sub: Submission, digest: str, opts: runner.Options,
                top: float) -> GradeResult:
        if sub.problem:
            return runner.not_gradable(out, sub, digest, opts, top)
        task = {"assignment": sub.assignment, "student": sub.student, "digest": digest,
                "top": top, "opts": replace(opts, hidden=(), pool=None),
                "source": _files(self.solutions / sub.assignment),
                "files": {(f"{sub.assignment}.ipynb" if f == sub.notebook else f.name):
                          f.read_bytes() for f in sub.files
                          if f.suffix != ".ipynb" or f == sub.notebook}}
        future = self.client.submit(grade_remote, task, pure=False, retries=1)
        back = future.result()
        result = GradeResult.from_dict(back["result"])
        result.digest = digest
        return record(out.resolve(), result, back["files"])

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self.client.close()


def executor(opts: runner.Options, scheduler: str | None,
             solutions: Path) -> ThreadPoolExecutor:
    """The pool the runner submits to: local threads, or a Dask cluster."""
    if scheduler:
        return DaskPool(scheduler, solutions)
    return ThreadPoolExecutor(max_workers=max(1, opts.jobs))
