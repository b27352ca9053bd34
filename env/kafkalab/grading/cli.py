"""kafka-lab grade SUBMISSIONS [--assignment NAME] [--out DIR] [--jobs N] [--timeout S]
                          [--sandbox auto|bwrap|docker|none] [--memory GiB] [--regrade]
                          [--all-cells] [--dask-scheduler tcp://HOST:8786] [--roster CSV]

Grades a folder of submissions with nbgrader autograde, each in a private Kafka cluster started
by its own kernel inside the submission's sandbox (Linux: bubblewrap, or a Docker container);
the lessons' demonstrations (cells marked kafkalab.demo) are not run unless --all-cells,
and writes OUT/grades.csv (a column per exercise), OUT/gradebook.db, OUT/feedback/<student>/,
the LMS exports (canvas.csv, moodle.csv, classroom/) and, with --regrade, changes.csv (see
grader/README.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from ..course.paths import CoursePaths, find_root, lessons
from ..exceptions import KafkaLabError
from . import dispatch, exports
from .collect import collect
from .result import GradeResult, Outcome
from .runner import Options, grade_all
from .sandbox import DEFAULT_MEMORY, SandboxKind, choose, limits_available


def default_jobs() -> int:
    """Twice the cores, at most 4: a submission mostly waits on its kernel and JVM start-up
    (on 2 busy cores, 20 submissions took 264 s with 3 jobs and 230 s with 4)."""
    return max(2, min(4, 2 * (os.cpu_count() or 1)))


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="kafka-lab grade", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("submissions", type=Path,
                    help="nbgrader's submitted/ folder (or its parent), or a folder of .ipynb")
    ap.add_argument("--assignment", help="assignment name (needed for a plain folder whose file "
                    "names do not contain it)")
    ap.add_argument("--out", type=Path, default=Path("build/grades"),
                    help="grading folder: gradebook, grades.csv, feedback (default build/grades)")
    ap.add_argument("--jobs", type=int, default=default_jobs(),
                    help="submissions graded at once (default %(default)s)")
    ap.add_argument("--timeout", type=int, default=30, help="per-cell time limit in seconds")
    ap.add_argument("--submission-timeout", type=int, default=600,
                    help="wall-clock limit for one whole submission in seconds")
    ap.add_argument("--all-cells", action="store_true",
                    help="also run the lessons' demonstrations (cells marked kafkalab.demo: "
                    "nothing graded depends on them; not run by default)")
    ap.add_argument("--regrade", action="store_true", help="grade again what is already graded")
    ap.add_argument("--sandbox", default="auto", choices=[k.value for k in SandboxKind] + ["auto"],
                    help="where each submission's kernel and Kafka run (default auto: bwrap, "
                    "then docker, else none with a warning)")
    ap.add_argument("--memory", type=float, default=DEFAULT_MEMORY / 1024**3,
                    help="memory limit of one submission in GiB (default %(default)g)")
    ap.add_argument("--root", type=Path, help="course repository (default: found from here)")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    ap.add_argument("--dask-scheduler", metavar="tcp://HOST:8786",
                    help="grade on a Dask distributed cluster (each worker grades in its own "
                    "sandbox; this process keeps the only gradebook)")
    ap.add_argument("--roster", type=Path, help="CSV with a `student` column and any of name, "
                    "id, sis_user_id, sis_login_id, section, username, email (for the LMS "
                    "exports)")
    args = ap.parse_args(argv)
    try:
        paths = CoursePaths(find_root(args.root))
        subs = collect(args.submissions, lessons(paths), args.assignment)
        kind, why = choose(args.sandbox)
        if kind is SandboxKind.NONE:
            print("WARNING: grading WITHOUT a sandbox: every submission's code runs as you, "
                  "can read the solutions and the gradebook, and can harm the submissions "
                  f"graded beside it ({why}). Every row of grades.csv says sandbox=none.",
                  file=sys.stderr)
        else:
            print(f"sandbox: {why}", file=sys.stderr)
            if kind is SandboxKind.BWRAP and not limits_available():
                print("WARNING: no cgroup can be created here: the sandbox isolates each "
                      "submission, but its memory and task count are bounded only by the time "
                      "limits (--memory is not enforced).", file=sys.stderr)
        opts = Options(out=args.out, jobs=args.jobs, cell_timeout=args.timeout,
                       all_cells=args.all_cells,
                       submission_timeout=args.submission_timeout, regrade=args.regrade,
                       progress=not args.quiet, sandbox=kind,
                       memory=int(args.memory * 1024**3),
                       hidden=(paths.solutions, paths.root / "source",
                               args.submissions.resolve()))
        old = keep_previous(args.out.resolve()) if args.regrade else {}
        opts.pool = dispatch.executor(opts, args.dask_scheduler, paths.solutions)
        # `kill` and CI time limits send SIGTERM: stop as on Ctrl-C (workers, kernels and
        # their Kafka clusters are killed; finished results are already on disk)
        signal.signal(signal.SIGTERM, _stop)
        results = grade_all(paths, subs, opts)
        out = args.out.resolve()
        everything = {f"{p.parent.name}/{p.stem}": GradeResult.read(p)
                      for p in sorted((out / "results").glob("*/[!.]*.json"))}
        exports.write_all(out, everything, args.roster)
        if args.regrade:
            changed = exports.changes(old, results)
            exports.write_changes(out, changed)
            print(f"regrade: {len(changed)} changed score(s) in {out / 'changes.csv'}; the "
                  f"previous grades are kept in {out / 'previous'}")
    except KafkaLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: every finished submission is kept in {args.out.resolve()}; run "
              "the same command again to grade the rest.", file=sys.stderr)
        return 130
    bad = [r for r in results.values() if r.status is not Outcome.GRADED]
    out = args.out.resolve()
    print(f"{len(results)} submission(s), {len(bad)} not graded normally "
          f"({', '.join(sorted(r.student + ': ' + r.status.value for r in bad)) or 'none'}).")
    print(f"Grades: {out / 'grades.csv'}; feedback: {out / 'feedback'}; gradebook: "
          f"{out / 'gradebook.db'}; LMS exports: canvas.csv, moodle.csv, classroom/")
    for cell, students in exports.pending_manual(results.values()).items():
        print(f"waiting for the instructor: {cell} (written answer) of {len(students)} "
              f"student(s): {', '.join(students)} (grade them in `nbgrader formgrader` with "
              f"--CourseDirectory.root={out})")
    return 0


def keep_previous(out: Path) -> dict[str, GradeResult]:
    """Before a regrade: copy grades.csv and the results to OUT/previous/<time>/ and return
    the previous results (``assignment/student`` -> GradeResult) for changes.csv."""
    old = {f"{p.parent.name}/{p.stem}": GradeResult.read(p)
           for p in sorted((out / "results").glob("*/[!.]*.json"))}
    if old:
        keep = out / "previous" / time.strftime("%Y%m%dT%H%M%S")
        shutil.copytree(out / "results", keep / "results", dirs_exist_ok=True)
        if (out / "grades.csv").is_file():
            shutil.copy2(out / "grades.csv", keep / "grades.csv")
    return old


if __name__ == "__main__":
    sys.exit(main())
