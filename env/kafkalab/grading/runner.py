"""Grade many submissions in parallel, each in its own worker process with a wall-clock limit.

Every finished submission is recorded at once (OUT/results/<assignment>/<student>.json and a
rewritten grades.csv, both replaced atomically), so an interrupted run loses nothing and a
second run skips what is finished (unless the submitted files changed, or ``regrade``)."""

from __future__ import annotations

import csv
import html
import io
import json
import queue
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import psutil

from .. import procs, progress
from ..course.paths import CoursePaths
from . import exports, sandbox
from .collect import Submission
from .course import max_points, place, prepare_assignment
from .result import GradeResult, Outcome
from .sandbox import DEFAULT_MEMORY, DEFAULT_TASKS, SandboxKind

STARTUP_LIMIT = 600  # seconds for a worker process to import nbgrader on a very busy machine
FIELDS = ["student", "assignment", "score", "max_score", "status", "reason", "seconds",
          "sandbox"]


@dataclass
class Options:
    out: Path
    jobs: int = 2
    cell_timeout: int = 30
    all_cells: bool = False  # run the instructor's demonstrations too (kafkalab.demo cells)
    submission_timeout: int = 600
    regrade: bool = False
    progress: bool = True
    sandbox: SandboxKind = SandboxKind.NONE
    memory: int = DEFAULT_MEMORY
    tasks: int = DEFAULT_TASKS
    hidden: tuple[Path, ...] = ()  # folders no kernel may see (besides OUT)
    pool: Executor | None = None  # where submissions go (dispatch.executor); None: threads


_running: set[procs.Child] = set()
_lock = threading.Lock()


def kill_tree(pid: int) -> None:
    """SIGKILL a worker and everything under it (its kernel, the kernel's Kafka JVMs)."""
    try:
        root = psutil.Process(pid)
        tree = root.children(recursive=True) + [root]
    except psutil.NoSuchProcess:
        return
    for p in tree:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(tree, timeout=10)


def fallback_feedback(out: Path, result: GradeResult) -> str:
    """A feedback page for a submission nbgrader could not grade (time limit, crash)."""
    page = out / "feedback" / result.student / result.assignment / f"{result.assignment}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<html><body><h1>{html.escape(result.assignment)}: "
                    f"{html.escape(result.student)}</h1><p>Score: {result.score:g} / "
                    f"{result.max_score:g}</p><p><b>Not graded ({html.escape(result.status.value)})"
                    f":</b> {html.escape(result.reason)}</p></body></html>\n")
    return str(page)


class Worker:
    """A long-lived ``worker serve`` process that grades one submission at a time; it is
    killed (with its kernel and Kafka) and replaced when a submission exceeds its limit."""

    def __init__(self, out: Path, cell_timeout: int, all_cells: bool = False) -> None:
        self.out = out
        self.cell_timeout = cell_timeout
        self.all_cells = all_cells
        self.proc: procs.Child | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._warming: threading.Thread | None = None

    def warm(self) -> None:
        """Start the process now, in the background: its imports (seconds) overlap the
        runner's preparation of OUT; :meth:`grade` waits for it."""
        def start() -> None:
            try:
                self.proc = self._start()
            except (OSError, RuntimeError):
                self.proc = None  # grade() tries again, and says so if it fails

        self._warming = threading.Thread(target=start, daemon=True)
        self._warming.start()

    def _warmed(self) -> None:
        if self._warming is not None:
            self._warming.join()
            self._warming = None

    def _start(self) -> procs.Child:
        errlog = self.out / "logs" / "workers.log"
        errlog.parent.mkdir(parents=True, exist_ok=True)
        # the worker dies with this process (the Child's reaper); each kernel starts a private
        # cluster, never a shared one (the worker drops KAFKA_BOOTSTRAP_SERVERS itself)
        proc = procs.Child([sys.executable, "-m", "kafkalab.grading.worker", "serve",
                            str(self.out), str(self.cell_timeout),
                            *(["--all-cells"] if self.all_cells else [])], errlog, cwd=self.out,
                           env={"KAFKA_LAB_FRESH": "1"}, pipes=True)
        self.lines = queue.Queue()
        lines = self.lines

        def pump() -> None:
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        with _lock:
            _running.add(proc)
        try:  # start-up (imports) does not count against a submission's time limit
            ready = self.lines.get(timeout=STARTUP_LIMIT)
        except queue.Empty:
            ready = None
        if not (ready or "").startswith("READY"):
            kill_tree(proc.pid)
            raise RuntimeError(f"the grading worker did not start; see {errlog}")
        return proc

    def grade(self, sub: Submission, result: Path, log: Path, limit: float,
              box: dict) -> str:
        """``done``, ``timeout``, ``died`` or ``did not start``."""
        self._warmed()
        if self.proc is None or self.proc.poll() is not None:
            try:
                self.proc = self._start()
            except (OSError, RuntimeError):
                self.proc = None
                return "did not start"
        task = {"assignment": sub.assignment, "student": sub.student, "result": str(result),
                "log": str(log), "sandbox": box}
        try:
            self.proc.stdin.write(json.dumps(task) + "\n")
            self.proc.stdin.flush()
        except OSError:
            self.close(kill=True)
            return "died"
        deadline = time.monotonic() + limit
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.close(kill=True)
                return "timeout"
            if line is None:
                self.close(kill=True)
                return "died"
            if line.startswith("DONE"):
                return "done"

    def close(self, kill: bool = False) -> None:
        self._warmed()
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if kill:
            kill_tree(proc.pid)
            sandbox.sweep(f"{proc.pid}-")  # what its sandboxes left (cgroups, scratch)
        else:
            try:
                proc.stdin.close()
                proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                kill_tree(proc.pid)
        proc.wait()
        with _lock:
            _running.discard(proc)


_local = threading.local()
_workers: list[Worker] = []
_spare: queue.SimpleQueue[Worker] = queue.SimpleQueue()  # warmed, not yet a thread's own


def _box(out: Path, opts: Options) -> dict:
    return {"kind": opts.sandbox.value, "memory": opts.memory, "tasks": opts.tasks,
            "hidden": [str(out), *(str(p) for p in opts.hidden)]}


def not_gradable(out: Path, sub: Submission, digest: str, opts: Options,
                 top: float) -> GradeResult:
    """The row of a submission with no, several or an unreadable notebook."""
    result = GradeResult(sub.student, sub.assignment, 0.0, top, Outcome(sub.outcome),
                         sub.problem, 0.0, opts.sandbox.value, digest)
    result.feedback = fallback_feedback(out, result)
    return result


def grade_one(out: Path, sub: Submission, digest: str, opts: Options, top: float) -> GradeResult:
    if sub.problem:
        return not_gradable(out, sub, digest, opts, top)
    place(out, sub)
    log = out / "logs" / sub.assignment / f"{sub.student}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    tmp = out / "results" / sub.assignment / f".{sub.student}.worker.json"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.unlink(missing_ok=True)
    if getattr(_local, "worker", None) is None:
        try:
            _local.worker = _spare.get_nowait()
        except queue.Empty:
            _local.worker = Worker(out, opts.cell_timeout, opts.all_cells)
            with _lock:
                _workers.append(_local.worker)
    t0 = time.monotonic()
    outcome = _local.worker.grade(sub, tmp, log, opts.submission_timeout, _box(out, opts))
    result = GradeResult(sub.student, sub.assignment, 0.0, top, sandbox=opts.sandbox.value)
    if outcome == "timeout":
        result.status = Outcome.TIMEOUT
        result.reason = (f"grading took longer than {opts.submission_timeout} s in total (a "
                         "cell that ignores interrupts?)")
    elif tmp.is_file():
        result = GradeResult.read(tmp)
        tmp.unlink()
    else:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.is_file() else []
        result.reason = f"the grader stopped ({outcome}): " + " | ".join(tail)[:500]
    if not result.max_score:
        result.max_score = top
    if result.status is not Outcome.GRADED:
        result.feedback = fallback_feedback(out, result)
    result.seconds = round(time.monotonic() - t0, 2)
    result.digest = digest
    return result


def write_csv(out: Path, results: dict[str, GradeResult]) -> Path:
    """grades.csv, replaced atomically; written by the grader only (no kernel sees OUT)."""
    buf = io.StringIO()
    columns = exports.exercise_columns(results.values())
    writer = csv.DictWriter(buf, fieldnames=FIELDS + columns, extrasaction="ignore")
    writer.writeheader()
    for key in sorted(results):
        row = results[key].to_dict()
        row["score"], row["max_score"] = f"{row['score']:g}", f"{row['max_score']:g}"
        writer.writerow({**row, **exports.exercise_cells(results[key])})
    path = out / "grades.csv"
    tmp = path.with_name("grades.csv.tmp")
    tmp.write_text(buf.getvalue())
    tmp.replace(path)
    return path


def _close_workers() -> None:
    for worker in _workers:
        worker.close()
    _workers.clear()
    while not _spare.empty():  # warmed for submissions that never came
        _spare.get_nowait()


def grade_all(paths: CoursePaths, subs: list[Submission],
              opts: Options) -> dict[str, GradeResult]:
    """Grade every submission not already graded; return all results by ``assignment/student``."""
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # earlier runs' results (other assignments) stay in the CSV
    everything: dict[str, GradeResult] = {}
    for path in sorted((out / "results").glob("*/[!.]*.json")):
        everything[f"{path.parent.name}/{path.stem}"] = GradeResult.read(path)
    results: dict[str, GradeResult] = {}
    todo: list[tuple[Submission, str]] = []
    for sub in subs:
        digest = sub.digest()
        path = out / "results" / sub.assignment / f"{sub.student}.json"
        if path.is_file() and not opts.regrade:
            old = GradeResult.read(path)
            if old.digest == digest and old.sandbox == opts.sandbox.value:
                results[sub.key] = old
                continue
        todo.append((sub, digest))
    local = opts.pool is None or type(opts.pool) is ThreadPoolExecutor
    if local:  # this machine's worker processes start while OUT is prepared
        for _ in range(min(max(1, opts.jobs), sum(not s.problem for s, _ in todo))):
            worker = Worker(out, opts.cell_timeout, opts.all_cells)
            with _lock:
                _workers.append(worker)
            worker.warm()
            _spare.put(worker)
    tops = {}
    try:
        for a in sorted({s.assignment for s in subs}):
            prepare_assignment(paths, out, a)
            tops[a] = max_points(paths, a)
    except BaseException:
        _close_workers()
        raise
    write_csv(out, {**everything, **results})
    failed = sum(r.status is not Outcome.GRADED for r in results.values())
    bar = progress.bar(total=len(subs), initial=len(results), unit="submission", desc="grading",
                       disable=not opts.progress)
    bar.set_postfix(remaining=len(todo), failures=failed)
    pool = opts.pool or ThreadPoolExecutor(max_workers=max(1, opts.jobs))
    try:
        futures = {pool.submit(grade_one, out, s, d, opts, tops[s.assignment]): s
                   for s, d in todo}
        for n, fut in enumerate(as_completed(futures), 1):
            res = fut.result()
            sub = futures[fut]
            res.write(out / "results" / sub.assignment / f"{sub.student}.json")
            results[sub.key] = everything[sub.key] = res
            write_csv(out, everything)
            failed += res.status is not Outcome.GRADED
            bar.update(1)
            bar.set_postfix(remaining=len(todo) - n, failures=failed)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        with _lock:
            for proc in list(_running):
                kill_tree(proc.pid)
                sandbox.sweep(f"{proc.pid}-")
        raise
    finally:
        pool.shutdown(wait=True)
        _close_workers()
        bar.close()
    return results
