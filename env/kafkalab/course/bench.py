"""Figures for the course: seconds to execute every notebook, and seconds per submission when
grading N (default 20) submissions of 00_welcome. Machine load is recorded with the figures:
on a shared 2-core machine they vary a lot with what else runs."""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path

import nbformat

from .paths import CoursePaths, lessons
from .run import run_all

ASSIGNMENT = "00_welcome"


def solved_copy(paths: CoursePaths, name: str = ASSIGNMENT) -> nbformat.NotebookNode:
    """The student release with every answer cell filled in from the solution notebook."""
    release = nbformat.read(paths.release(name), 4)
    solution = nbformat.read(paths.solution(name), 4)
    answers = {}
    for cell in solution.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = "\n".join(
                ln for ln in cell.source.splitlines()
                if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def bench_grading(paths: CoursePaths, work: Path, submissions: int = 20,
                  jobs: int | None = None) -> dict:
    from ..grading.cli import default_jobs
    from ..grading.collect import collect
    from ..grading.course import prepare_assignment, write_config
    from ..grading.runner import Options, grade_all

    subs_dir = work / "submissions"
    subs_dir.mkdir(parents=True, exist_ok=True)
    nb = solved_copy(paths)
    for i in range(submissions):
        nbformat.write(nb, subs_dir / f"student{i:02d}_{ASSIGNMENT}.ipynb")
    jobs = jobs or default_jobs()
    subs = collect(subs_dir, lessons(paths), ASSIGNMENT)
    load = _load()
    t0 = time.monotonic()
    write_config(work / "grades", Options(out=work).cell_timeout)
    prepare_assignment(paths, work / "grades", ASSIGNMENT)  # once per assignment (gradebook)
    setup = time.monotonic() - t0
    results = grade_all(paths, subs, Options(out=work / "grades", jobs=jobs, regrade=True,
                                             progress=False))
    total = time.monotonic() - t0
    scores = sorted({r["score"] for r in results.values()})
    return {"submissions": submissions, "jobs": jobs, "seconds_total": round(total, 1),
            "seconds_setup_gradebook": round(setup, 1),
            "seconds_per_submission": round(total / submissions, 2),
            "mean_seconds_in_worker": round(sum(r["seconds"] for r in results.values())
                                            / submissions, 2),
            "all_graded": all(r["status"] == "graded" for r in results.values()),
            "distinct_scores": scores, "load_average_before": load,
            "load_average_after": _load(), "goal_seconds": 180}


def bench(paths: CoursePaths, out: Path, submissions: int = 20, jobs: int | None = None,
          run_course: bool = True) -> dict:
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
    grading = bench_grading(paths, work / "grading", submissions, jobs)
    figures["grading"] = grading
    figures["seconds_per_submission"] = grading["seconds_per_submission"]
    figures["seconds_grading_total"] = grading["seconds_total"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    return figures
