"""`kafka-lab course release|run|validate|bench`: authoring the course.

The options and subcommands are the course wing's own (:mod:`kafkalab.course.__main__`).
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from ..course.__main__ import add_arguments

    p = sub.add_parser(
        "course", help="author the course: release, run, validate, bench",
        description="Authoring commands (from the repository): `release` regenerates "
        "notebooks/ from solutions/, `run` executes every solution notebook against real Kafka, "
        "`validate` checks that solutions pass their tests and blank releases score zero, "
        "`bench` times the course run and the grading of 20 submissions.")
    add_arguments(p)
    p.set_defaults(handler=course)


def course(args: argparse.Namespace) -> int:
    from ..course.__main__ import run

    return run(args)
