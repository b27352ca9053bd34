"""Figures for the course: seconds to execute every notebook, and seconds per submission when
grading N (default 20) submissions of 00_welcome with the instructor's grading command, with and
without the sandbox, and (``--dask-workers``) on a local Dask cluster of 1, 2... workers.
Machine load is recorded with the figures: on a shared 2-core machine they vary a lot with what
else runs."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from ..procs import child_env
from .answers import solved_copy
from .paths import CoursePaths, lessons
from .run import run_all

ASSIGNMENT = "00_welcome"


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished (waited-for) descendants: the
    grading command with its workers, kernels and their JVMs, each reaped by its parent. Not a
    wall-clock figure: it does not move with what else the machine runs. Exact only without a
    sandbox: a sandbox's processes killed with their PID namespace (or container) are reaped
    by no ancestor of ours, so their CPU is missing (measured: 1.9 s per submission in bwrap
    against 7.2 s without). -1 where the platform has no such count (Windows)."""
    try:
        import resource
    except ImportError:
        return -1.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``: user, nice,
    system, irq, softirq; idle, iowait and steal left out); -1 where there is no /proc/stat.
    Counts every process, sandboxed or not, and whatever else runs: a figure for a quiet
    machine."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return -1.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _write_submissions(paths: CoursePaths, folder: Path, submissions: int) -> Path:
    """``folder`` afresh, holding ``submissions`` correct copies of 00_welcome."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    nb = solved_copy(paths, ASSIGNMENT)
    for i in range(submissions):
        nbformat.write(nb, folder / f"student{i:02d}_{ASSIGNMENT}.ipynb")
    return folder


def _grade_run(paths: CoursePaths, subs_dir: Path, out: Path, jobs: int | None,
               sandbox: str, scheduler: str | None = None) -> dict:
    """The instructor's grading command, run as a program (as an instructor runs it); with
    ``scheduler``, on that Dask cluster."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "kafkalab", "grade", str(subs_dir), "--out", str(out), "--quiet",
           "--assignment", ASSIGNMENT, "--sandbox", sandbox]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if scheduler:
        cmd += ["--dask-scheduler", scheduler]
    load = _load()
    cpu0, busy0 = _children_cpu(), _machine_busy()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=paths.root, capture_output=True, text=True,
                          env=child_env({"KAFKA_LAB_ROOT": str(paths.root)}))
    total = time.monotonic() - t0
    cpu = _children_cpu() - cpu0 if sandbox == "none" else -1.0
    busy = _machine_busy() - busy0 if busy0 >= 0 else -1.0
    rows = []
    if (out / "grades.csv").is_file():
        with open(out / "grades.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
    n = max(1, len(rows))
    chosen = next((ln.split(":", 1)[1].strip() for ln in proc.stderr.splitlines()
                   if ln.startswith("sandbox:")), "none")
    return {"sandbox": sandbox, "sandbox_used": chosen, "exit_code": proc.returncode,
            "seconds_total": round(total, 1), "seconds_per_submission": round(total / n, 2),
            "cpu_seconds_total": round(cpu, 1) if cpu >= 0 else None,
            "cpu_seconds_per_submission": round(cpu / n, 2) if cpu >= 0 else None,
            "machine_cpu_seconds_per_submission": round(busy / n, 2) if busy >= 0 else None,
            "mean_seconds_in_worker": round(sum(float(r["seconds"]) for r in rows) / n, 2),
            "all_graded": bool(rows) and all(r["status"] == "graded" for r in rows),
            "distinct_scores": sorted({float(r["score"]) for r in rows}),
            "load_average_before": load, "load_average_after": _load(),
            "stderr_tail": proc.stderr.strip().splitlines()[-3:]}


def bench_grading(paths: CoursePaths, work: Path, submissions: int = 20,
                  jobs: int | None = None, sandboxes: tuple[str, ...] = ("none", "bwrap")) -> dict:
    """Grade ``submissions`` correct copies of 00_welcome once per sandbox kind (the whole
    command: start-up, gradebook, every submission); seconds per submission for each."""
    subs_dir = _write_submissions(paths, work / "submissions", submissions)
    runs = {box: _grade_run(paths, subs_dir, work / f"grades-{box}", jobs, box)
            for box in sandboxes}
    figures: dict = {"submissions": submissions, "jobs": jobs or "default", "runs": runs,
                     "goal_seconds_total": 60, "goal_sandbox_overhead": 0.10}
    base = runs.get("none", {}).get("seconds_total")
    for box in (b for b in runs if b != "none" and base):
        overhead = round(runs[box]["seconds_total"] / base - 1, 3)
        figures[f"sandbox_overhead_{box}"] = overhead
        if box == "bwrap":
            figures["sandbox_overhead"] = overhead
    return figures


def bench_dask(paths: CoursePaths, work: Path, submissions: int, workers: tuple[int, ...],
               sandbox: str = "auto") -> dict:
    """Grade ``submissions`` correct copies of 00_welcome on a Dask ``LocalCluster`` of each
    number of workers (1 thread each; the cluster's start is included): submissions per
    minute. On one machine this measures Dask's own cost, not a speed-up: the workers share
    its cores."""
    from distributed import LocalCluster

    subs_dir = _write_submissions(paths, work / "submissions", submissions)
    runs = {}
    for n in workers:
        t0 = time.monotonic()
        with LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=None) as cluster:
            run = _grade_run(paths, subs_dir, work / f"grades-dask-{n}", None, sandbox,
                             scheduler=cluster.scheduler_address)
        total = time.monotonic() - t0
        run["seconds_with_cluster_start"] = round(total, 1)
        run["submissions_per_minute"] = round(60 * submissions / total, 2)
        runs[str(n)] = run
    return {"submissions": submissions, "workers": runs}


def bench(paths: CoursePaths, out: Path, submissions: int = 20, jobs: int | None = None,
          run_course: bool = True, sandboxes: tuple[str, ...] = ("none", "bwrap"),
          dask_workers: tuple[int, ...] = ()) -> dict:
    work = out.parent / "bench-course"
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    figures: dict = {"cpus": os.cpu_count(), "measured_at": now}
    if not run_course and out.is_file():  # keep the last course-run figures
        old = json.loads(out.read_text())
        if "run" in old:
            figures["run"] = {**old["run"], "measured_at": old["run"].get(
                "measured_at", old.get("measured_at"))}
            figures["seconds_all_notebooks"] = old.get("seconds_all_notebooks")
    if run_course:
        load = _load()
        summary = run_all(paths, lessons(paths), work / "run")
        figures["run"] = {"seconds_total": summary["total_seconds"], "measured_at": now,
                          "failed": summary["failed"], "load_average_before": load,
                          "per_notebook": {r["name"]: r["seconds"]
                                           for r in summary["notebooks"]}}
        figures["seconds_all_notebooks"] = summary["total_seconds"]
    grading = bench_grading(paths, work / "grading", submissions, jobs, sandboxes)
    figures["grading"] = grading
    for box, run in grading["runs"].items():
        figures[f"seconds_per_submission_sandbox_{box}"] = run["seconds_per_submission"]
        figures[f"seconds_grading_total_sandbox_{box}"] = run["seconds_total"]
        for key in ("cpu_seconds_per_submission", "machine_cpu_seconds_per_submission"):
            if run.get(key) is not None:
                figures[f"{key}_sandbox_{box}"] = run[key]
    for key in [k for k in grading if k.startswith("sandbox_overhead")]:
        figures[key] = grading[key]
    if dask_workers:
        figures["dask"] = bench_dask(paths, work / "grading", submissions, dask_workers)
        for n, run in figures["dask"]["workers"].items():
            figures[f"dask_{n}_workers_submissions_per_minute"] = run["submissions_per_minute"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    return figures
