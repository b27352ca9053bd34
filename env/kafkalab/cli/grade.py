"""`kafka-lab grade`: the instructor's grading command, run by :mod:`kafkalab.grading.cli`.

Its options are the grading wing's own parser: everything after `grade` goes to it.
"""

from __future__ import annotations

import argparse

DESCRIPTION = ("Grade a folder of submissions with nbgrader autograde, each in its own kernel "
               "against its own Kafka cluster; writes grades.csv, the gradebook and feedback.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade submissions, each against its own Kafka cluster",
                       description=DESCRIPTION, add_help=False, prefix_chars="\0")
    p.add_argument("args", nargs=argparse.REMAINDER,
                   help="SUBMISSIONS [--assignment NN_name] [--out DIR] [--jobs N] ...")
    p.set_defaults(handler=grade)


def grade(args: argparse.Namespace) -> int:
    from ..grading.cli import main as grading_main

    if any(a in ("-h", "--help") for a in args.args):
        print(DESCRIPTION + "\n")
    return grading_main(args.args)
