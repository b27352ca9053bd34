"""`kafka-lab course release|run|validate|bench`: authoring the course.

The one parser of the course's authoring commands (there is no separate `python -m
kafkalab.course`): :func:`add_arguments` adds its options and subcommands, :func:`run` runs the
parsed one; the work is done by the course wing (:mod:`kafkalab.course`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..course.paths import CoursePaths, find_root, lessons


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "course", help="author the course: release, run, validate, bench",
        description="Authoring commands (from the repository): `release` regenerates "
        "notebooks/ from solutions/, `run` executes every solution notebook against real Kafka, "
        "`validate` checks that solutions pass their tests and blank releases score zero, "
        "`bench` times the course run and the grading of 20 submissions.")
    add_arguments(p)
    p.set_defaults(handler=course)


def course(args: argparse.Namespace) -> int:
    return run(args)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """Add the course's options and its release/run/validate/bench subcommands to ``ap``."""
    ap.add_argument("--root", type=Path, help="repository root (default: found from here)")
    sub = ap.add_subparsers(dest="command", required=True)
    helps = {"release": "regenerate notebooks/ from solutions/ (nbgrader)",
             "run": "execute every solution notebook with papermill",
             "validate": "solutions pass their tests; blank releases score 0",
             "bench": "time the course run and grading 20 submissions"}
    rel = sub.add_parser("release", help=helps["release"], description=helps["release"])
    rel.add_argument("names", nargs="*", help="lesson folders (default: all)")
    run = sub.add_parser("run", help=helps["run"], description=helps["run"])
    run.add_argument("--only", action="append", help="a lesson name or number (repeatable)")
    run.add_argument("--full", action="store_true", help="notebook defaults, not CI parameters")
    run.add_argument("--out", type=Path, default=Path("build/run"))
    run.add_argument("--timeout", type=int, default=900, help="per-cell limit in seconds")
    val = sub.add_parser("validate", help=helps["validate"], description=helps["validate"])
    val.add_argument("--only", action="append", help="a lesson name or number (repeatable)")
    val.add_argument("--run-dir", type=Path, default=Path("build/run"),
                     help="where `run` left its results (reused when current)")
    val.add_argument("--solutions-only", action="store_true")
    val.add_argument("--invert-only", action="store_true", help="only the blank release check")
    bench = sub.add_parser("bench", help=helps["bench"], description=helps["bench"])
    bench.add_argument("--out", type=Path, default=Path("build/figures-course.json"))
    bench.add_argument("--submissions", type=int, default=20)
    bench.add_argument("--jobs", type=int, default=None)
    bench.add_argument("--skip-run", action="store_true", help="only the grading figure")
    bench.add_argument("--sandboxes", default="none,bwrap",
                       help="sandboxes to grade with, comma-separated (default %(default)s; "
                       "docker too where an engine and the image are there)")
    bench.add_argument("--dask-workers", default="",
                       help="also grade on a local Dask cluster of each number of workers, "
                       "comma-separated (e.g. 1,2): submissions per minute")


def run(args: argparse.Namespace) -> int:
    """Run the parsed course subcommand; a KafkaLabError propagates to the caller."""
    paths = CoursePaths(find_root(args.root))
    if args.command == "release":
        from ..course.release import generate_many, notebooks_with_outputs

        for folder in generate_many(paths, lessons(paths, args.names or None)).values():
            print(f"released {folder}", flush=True)
        bad = notebooks_with_outputs(paths.notebooks)
        if bad:
            print(f"notebooks with outputs: {[str(b) for b in bad]}", file=sys.stderr)
            return 1
        return 0
    if args.command == "run":
        from ..course.run import run_all

        out = args.out if args.out.is_absolute() else paths.root / args.out
        summary = run_all(paths, lessons(paths, args.only), out, full=args.full,
                          cell_timeout=args.timeout)
        print(f"{len(summary['notebooks'])} notebook(s), {len(summary['failed'])} failed "
              f"in {summary['total_seconds']:.0f} s. Results: {out}/summary.md, "
              f"{out}/summary.json and the executed notebooks in {out}/")
        return 1 if summary["failed"] else 0
    if args.command == "validate":
        from ..course.validate import validate

        run_dir = args.run_dir if args.run_dir.is_absolute() else paths.root / args.run_dir
        results = validate(paths, lessons(paths, args.only), run_dir,
                           solutions=not args.invert_only, releases=not args.solutions_only)
        bad = [r for r in results if not r["ok"]]
        print(f"{len(results) - len(bad)}/{len(results)} checks passed; details in "
              f"{run_dir}/validate.json")
        return 1 if bad else 0
    if args.command == "bench":
        from ..course.bench import bench

        out = args.out if args.out.is_absolute() else paths.root / args.out
        figures = bench(paths, out, submissions=args.submissions, jobs=args.jobs,
                        run_course=not args.skip_run,
                        sandboxes=tuple(b for b in args.sandboxes.split(",") if b),
                        dask_workers=tuple(int(n) for n in args.dask_workers.split(",") if n))
        print(f"figures written to {out}:")
        for key, value in figures.items():
            if not isinstance(value, (dict, list)):
                print(f"  {key}: {value}")
        return 0
    return 2
