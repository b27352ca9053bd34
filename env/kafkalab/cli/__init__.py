"""`kafka-lab`: the course's one command (also `python -m kafkalab`, the very same parser).

    kafka-lab fetch                 download and verify the Kafka jars, warm the caches
    kafka-lab doctor                what this machine has, what is missing, how to fix it
    kafka-lab up | status | down    a cluster that outlives the command (notebooks find it)
    kafka-lab bench                 seconds to a ready cluster, resident memory
    kafka-lab course release|run|validate|bench     authoring the course
    kafka-lab check NOTEBOOK        students: what would fail, and why, before submitting
    kafka-lab grade SUBMISSIONS     grade submissions, each against its own cluster
    kafka-lab shop up|down|status|bench             lesson 07's shop outside a notebook
    kafka-lab image build           build the Kafka image for the docker backend, no registry
    kafka-lab lock                  maintainers: re-resolve the pinned jar sets with Maven

One module per subcommand group; each adds its parsers with ``register(sub)``. Errors the
package raises (:class:`~kafkalab.exceptions.KafkaLabError`) become one line on stderr,
``kafka-lab: error: <reason> Fix: <fix>`` (any detail, e.g. a log tail, below it), exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from ..exceptions import KafkaLabError
from . import bench, check, course, doctor, fetch, grade, image, lifecycle, lock, shop

PROG = "kafka-lab"
GROUPS = (fetch, doctor, lifecycle, bench, course, check, grade, shop, image, lock)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                     epilog="`kafka-lab COMMAND --help` says more about each.")
    sub = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def error_lines(exc: KafkaLabError) -> tuple[str, str]:
    """The one-line message of ``exc`` (its reason and fix) and its detail (a log tail)."""
    line = f"{exc.reason} Fix: {exc.fix}" if exc.fix else exc.reason
    return " ".join(line.split()), exc.detail.strip()


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: the command line), run the subcommand, return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KafkaLabError as exc:
        line, detail = error_lines(exc)
        print(f"{PROG}: error: {line}", file=sys.stderr)
        if detail:
            print(detail, file=sys.stderr)
        return 2


__all__ = ["build_parser", "main"]
